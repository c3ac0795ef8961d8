"""The staff list of action items and the public 整改清单 are rendered in the same number of SQL queries for 3
items as for 30 (each with a voice, photos, a rating, a note and sub-items)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.meetings.models import ActionStatus, ActionUpdate
from gongzhi.testing.meetings_factories import ActionItemFactory, MeetingFactory, link_voice, photo_row, rating_row
from gongzhi.testing.voices_factories import VoiceFactory

pytestmark = pytest.mark.django_db


def _items(world: Any, n: int) -> None:
    resident = world.users["resident"]
    meeting = MeetingFactory.create(compound=world.compound_a)
    for i in range(n):
        status = [ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE][i % 3]
        item = ActionItemFactory.create(
            compound=world.compound_a,
            meeting=meeting,
            status=status,
            progress=100 if status == ActionStatus.DONE else 10 * (i % 10),
            due_on=timezone.localdate() + datetime.timedelta(days=i - n // 2),
            done_round=1 if status == ActionStatus.DONE else 0,
            responsible_user=world.users["property_manager"],
        )
        link_voice(item, VoiceFactory.create(compound=world.compound_a, author=resident))
        photo_row(item, "before")
        photo_row(item, "after")
        if status == ActionStatus.DONE:
            rating_row(item, world.users["representative"])
        ActionUpdate.objects.create(
            community_id=item.community_id,
            action_item=item,
            status_after=status,
            progress_after=item.progress,
            note=f"进展 {i}",
            at=timezone.now(),
        )
        for _ in range(2):
            ActionItemFactory.create(compound=world.compound_a, parent=item)


def _count(client: Any, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("role", ["secretary", "property_manager", "district_supervisor", "superuser"])
def test_the_staff_list_reads_in_constant_queries(world: Any, client_for: Any, role: str) -> None:
    client = client_for(world.users[role])
    url = reverse("meetings:actions") + "?status=&overdue="
    _items(world, 3)
    few, _page = _count(client, url)
    _items(world, 27)
    many, page = _count(client, url)
    # 30 top-level items and 60 sub-items: 20 on the first page
    assert page.count('class="card action-card') == 20
    assert many == few, (few, many)


@pytest.mark.parametrize("role", ["resident", "secretary"])
def test_the_public_list_reads_in_constant_queries(world: Any, client_for: Any, role: str) -> None:
    client = client_for(world.users[role])
    url = reverse("meetings:actions_public", args=[world.compound_a.code])
    _items(world, 3)
    few, _page = _count(client, url)
    _items(world, 27)
    many, page = _count(client, url)
    assert page.count('class="card action-card') == 20
    assert "进展" in page and "?size=thumb" in page
    assert many == few, (few, many)
