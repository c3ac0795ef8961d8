"""The public 整改清单 and the meeting list read in a fixed number of queries, for 5 items or 50."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.meetings import selectors
from gongzhi.meetings.models import ActionStatus, MeetingStatus
from gongzhi.testing.meetings_factories import (
    ActionItemFactory,
    AgendaItemFactory,
    AttendanceFactory,
    InvitationFactory,
    MeetingFactory,
    link_voice,
    photo_row,
    rating_row,
)
from gongzhi.testing.voices_factories import VoiceFactory

pytestmark = pytest.mark.django_db


def _fresh(world: Any, role: str) -> User:
    """The user read again: nothing cached on the object (memberships), as in a new request."""
    return User.objects.get(pk=world.users[role].pk)


def _items(world: Any, n: int) -> None:
    """``n`` public top-level items of compound A, each with a voice, photos, a rating and two sub-items."""
    resident = world.users["resident"]
    for i in range(n):
        status = [ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE][i % 3]
        item = ActionItemFactory.create(
            compound=world.compound_a,
            status=status,
            progress=100 if status == ActionStatus.DONE else 10 * (i % 10),
            due_on=timezone.localdate() + datetime.timedelta(days=i - n // 2),
            done_round=1 if status == ActionStatus.DONE else 0,
        )
        link_voice(item, VoiceFactory.create(compound=world.compound_a, author=resident))
        photo_row(item, "before")
        photo_row(item, "after")
        rating_row(item, resident)
        for _ in range(2):
            ActionItemFactory.create(compound=world.compound_a, parent=item)


def _read_public_list(user: Any, compound: Any) -> list[tuple[Any, ...]]:
    """Everything the public list page shows of each item."""
    rows = []
    items: Any = selectors.action_list_public(user=user, compound=compound)  # annotated rows
    for item in items:
        rows.append(
            (
                item.title,
                item.status,
                item.progress,
                item.due_on,
                item.budget,
                item.responsible_organization.name if item.responsible_organization else "",
                item.meeting.title if item.meeting else "",
                item.voice_count,
                item.before_photo_count,
                item.after_photo_count,
                item.rating_count,
                item.satisfied_count,
                item.sub_item_count,
                item.cover_photo_id,
                item.is_overdue,
                [(sub.title, sub.progress) for sub in item.public_subs],
            )
        )
    return rows


@pytest.mark.parametrize("role", ["resident", "secretary"])
def test_the_public_action_list_reads_in_constant_queries(world: Any, role: str) -> None:
    _items(world, 5)
    with CaptureQueriesContext(connection) as few:
        small = _read_public_list(_fresh(world, role), world.compound_a)
    _items(world, 45)
    with CaptureQueriesContext(connection) as many:
        large = _read_public_list(_fresh(world, role), world.compound_a)
    assert (len(small), len(large)) == (5, 50)
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(few) <= 6
    # every figure is right for one item: a voice, two photos, a rating, two sub-items
    assert all(row[7:13] == (1, 1, 1, 1, 1, 2) for row in large)
    # open items first, overdue flagged
    statuses = [row[1] for row in large]
    first_done = next(i for i, s in enumerate(statuses) if s == ActionStatus.DONE)
    assert all(s == ActionStatus.DONE for s in statuses[first_done:])
    assert any(row[14] for row in large) and not any(row[14] for row in large[first_done:])


def _meetings(world: Any, n: int) -> None:
    for _ in range(n):
        meeting = MeetingFactory.create(compound=world.compound_a, status=MeetingStatus.PUBLISHED)
        AgendaItemFactory.create(meeting=meeting)
        InvitationFactory.create(meeting=meeting, user=world.users["representative"])
        AttendanceFactory.create(meeting=meeting)
        ActionItemFactory.create(compound=world.compound_a, meeting=meeting)


def _read_meeting_list(user: Any) -> list[tuple[Any, ...]]:
    meetings: Any = selectors.meetings_list(user=user)  # annotated rows
    return [
        (
            m.title,
            m.status,
            m.starts_at,
            m.compound.name,
            m.convener.name,
            m.agenda_count,
            m.invitation_count,
            m.attendee_count,
            m.action_count,
        )
        for m in meetings
    ]


@pytest.mark.parametrize("role", ["secretary", "representative", "technician"])
def test_the_meeting_list_reads_in_constant_queries(world: Any, role: str) -> None:
    _meetings(world, 5)
    with CaptureQueriesContext(connection) as few:
        small = _read_meeting_list(_fresh(world, role))
    _meetings(world, 45)
    with CaptureQueriesContext(connection) as many:
        large = _read_meeting_list(_fresh(world, role))
    assert (len(small), len(large)) == (5, 50)
    assert len(many) == len(few) <= 4
    assert all(row[5:] == (1, 1, 1, 1) for row in large)
