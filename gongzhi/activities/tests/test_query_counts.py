"""The calendar page runs the same number of SQL queries whatever the number of activities."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.testing.activities_factories import ActivityFactory, SignupFactory
from gongzhi.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fill(world: Any, n: int, month: datetime.date) -> None:
    for i in range(n):
        start = timezone.make_aware(datetime.datetime.combine(month.replace(day=1 + i % 28), datetime.time(9 + i % 8)))
        activity = ActivityFactory.create(
            compound=world.compound_a, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
        )
        for _ in range(2):
            SignupFactory.create(activity=activity, user=UserFactory.create())


@pytest.mark.parametrize("role", ["resident", "secretary", "district_supervisor"])
def test_the_calendar_page_runs_constant_queries(world: Any, client_for: Callable[..., Any], role: str) -> None:
    month = timezone.localdate().replace(day=1)
    client = client_for(world.users[role])
    url = reverse("activities:index")
    _fill(world, 2, month)
    client.get(url, {"month": f"{month:%Y-%m}"})  # warm the session
    with CaptureQueriesContext(connection) as few:
        few_page = client.get(url, {"month": f"{month:%Y-%m}"})
    assert few_page.status_code == 200
    _fill(world, 30, month)
    _fill(world, 6, month + datetime.timedelta(days=40))  # next month's, for the "Upcoming" list
    with CaptureQueriesContext(connection) as many:
        page = client.get(url, {"month": f"{month:%Y-%m}"})
    assert page.content.decode().count('class="act-card"') == 32
    # the "Upcoming" list above the month is filled too (at most five), without more queries
    assert few_page.content.decode().count('class="upcoming-item"') <= 2
    assert page.content.decode().count('class="upcoming-item"') >= 1
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(few) <= 25, [q["sql"] for q in few.captured_queries]
