"""The roster, coverage, my-duty and open-places pages read in a fixed number of queries, for a few shifts or
many (the issue's "constant SQL queries per page")."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.duty.models import ServeKind, Volunteer, VolunteerStatus
from gongzhi.testing.duty_factories import AssignmentFactory, DutyPostFactory, ShiftFactory, local, resident_volunteer

pytestmark = pytest.mark.django_db

MONDAY = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday()) + datetime.timedelta(days=7)


def _fill(world: Any, post: Any, *, days: int, people: int) -> None:
    """``days`` school days from next Monday, two shifts a day, ``people`` people on each."""
    crew = [world.users["officer"], world.users["technician"], world.users["resident"]]
    crew += [resident_volunteer(world.compound_a) for _ in range(max(0, people - 3))]
    for d in range(days):
        day = MONDAY + datetime.timedelta(days=d)
        for hour, minute in ((7, 20), (16, 30)):
            shift = ShiftFactory.create(post=post, starts_at=local(day, hour, minute))
            for person, kind in zip(
                crew[:people], [ServeKind.OFFICER, ServeKind.PROPERTY] + [ServeKind.VOLUNTEER] * 10, strict=False
            ):
                AssignmentFactory.create(shift=shift, user=person, kind=kind)


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["roster", "coverage", "mine", "open", "register", "honour"])
def test_a_page_takes_as_many_queries_for_many_shifts_as_for_few(world: Any, client_for: Any, page: str) -> None:
    # given two posts of compound A: one with one day of thinly staffed shifts, one with a month of full ones
    small = DutyPostFactory.create(compound=world.compound_a, name="小")
    large = DutyPostFactory.create(compound=world.compound_a, name="大")
    Volunteer.objects.update_or_create(
        community_id=world.compound_a.community_id,
        compound=world.compound_a,
        user=world.users["resident"],
        defaults={"status": VolunteerStatus.ACTIVE},
    )
    _fill(world, small, days=1, people=1)
    month = MONDAY.strftime("%Y-%m")
    role = {"mine": "officer", "open": "resident"}.get(page, "secretary")
    client = client_for(world.users[role])

    def url(post: Any) -> str:
        return {
            "roster": f"/duty/posts/{post.pk}/?week={MONDAY.isoformat()}",
            "coverage": f"/duty/posts/{post.pk}/coverage/?month={month}",
            "mine": "/duty/mine/",
            "open": "/duty/open/",
            "register": f"/duty/compounds/{world.compound_a.pk}/volunteers/",
            "honour": f"/duty/compounds/{world.compound_a.pk}/honour/",
        }[page]

    few = _queries(client, url(small))
    # when the other post gets five weeks of shifts with five people each
    _fill(world, large, days=25, people=5)
    many = _queries(client, url(large))
    # then the page takes the same number of queries
    assert few > 5
    assert many == few, f"{page}: {few} queries with few shifts, {many} with many"
