"""The public 整改清单 and the meeting list read in a fixed number of queries, for 5 items or 50; the meeting list
page and the meeting's page take as many queries however many meetings, items, invitations, attendees,
decisions and minutes versions they show."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.meetings import selectors
from gongzhi.meetings.models import (
    ActionStatus,
    Decision,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesEntry,
    MinutesStatus,
    Party,
)
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


# --- The pages: the meeting list and the meeting's page ------------------------------------------------------------


def _page_queries(client: Any, url: str) -> tuple[int, list[str], str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx), [q["sql"] for q in ctx.captured_queries], response.content.decode()


def _closed_with_minutes(world: Any, meeting_title: str) -> None:
    """A closed public meeting of compound A whose minutes are published (residents see it in their summaries)."""
    meeting = MeetingFactory.create(compound=world.compound_a, status=MeetingStatus.CLOSED, title=meeting_title)
    item = AgendaItemFactory.create(meeting=meeting)
    minutes = Minutes.objects.create(
        community=meeting.community, meeting=meeting, status=MinutesStatus.PUBLISHED, published_at=timezone.now()
    )
    MinutesEntry.objects.create(community=meeting.community, minutes=minutes, agenda_item=item, text="已讨论")


@pytest.mark.parametrize("role", ["secretary", "representative", "technician", "sub_district_supervisor", "resident"])
def test_the_meeting_list_page_takes_as_many_queries_for_18_meetings_as_for_3(
    world: Any, client_for: Any, role: str
) -> None:
    # given 3 meetings (one closed with published minutes) the user sees, each with its counts
    client = client_for(world.users[role])
    _meetings(world, 2)
    _closed_with_minutes(world, "已闭幕的会议 1")
    few, _sql, small = _page_queries(client, reverse("meetings:list"))
    # when there are 18 (still one page), five of them closed with published minutes
    _meetings(world, 11)
    for n in range(4):
        _closed_with_minutes(world, f"已闭幕的会议 {n + 2}")
    many, sql, large = _page_queries(client, reverse("meetings:list"))
    # then the page takes exactly as many queries, and shows more
    assert many == few, sql
    if role != "resident":
        assert large.count('href="/meetings/') > small.count('href="/meetings/')
    else:  # residents see no meetings, only the summaries of their compound's published minutes
        assert large.count("已闭幕的会议") == 5 and small.count("已闭幕的会议") == 1


def _rich(world: Any, meeting: Meeting, n: int, versions: int) -> None:
    """``n`` agenda items, invitations (people and organizations), attendees and decisions, and ``versions``
    published versions of the minutes (all but the last corrected), each with an entry per item."""
    items = [AgendaItemFactory.create(meeting=meeting, position=k + 1) for k in range(n)]
    for k in range(n):
        InvitationFactory.create(meeting=meeting, party=Party.RESIDENTS)
        AttendanceFactory.create(meeting=meeting, party=[Party.COMMUNITY, Party.PROPERTY, Party.RESIDENTS][k % 3])
        Decision.objects.create(community=meeting.community, meeting=meeting, agenda_item=items[k], text=f"决议{k}")
    for org in list(world.orgs.values())[:4]:  # the same organizations (who is invited decides the queries)
        InvitationFactory.create(meeting=meeting, user=None, organization=org, party=Party.OTHER)
    previous = None
    for v in range(1, versions + 1):
        minutes = Minutes.objects.create(
            community=meeting.community,
            meeting=meeting,
            version=v,
            previous=previous,
            correction_reason="" if previous is None else f"更正{v}",
            status=MinutesStatus.PUBLISHED if v == versions else MinutesStatus.CORRECTED,
            published_at=timezone.now(),
        )
        for item in items:
            MinutesEntry.objects.create(community=meeting.community, minutes=minutes, agenda_item=item, text=f"纪要{v}")
        previous = minutes


@pytest.mark.parametrize("role", ["secretary", "representative", "technician", "sub_district_supervisor"])
def test_the_meeting_page_takes_as_many_queries_however_much_the_meeting_holds(
    world: Any, client_for: Any, role: str
) -> None:
    # given two closed public meetings: one small (1 item, 1 version), one large (12 items, 3 versions)
    small = MeetingFactory.create(compound=world.compound_a, status=MeetingStatus.CLOSED)
    _rich(world, small, 1, 1)
    large = MeetingFactory.create(compound=world.compound_a, status=MeetingStatus.CLOSED)
    _rich(world, large, 12, 3)
    client = client_for(world.users[role])
    # when each page is opened
    few, _sql, _small_page = _page_queries(client, reverse("meetings:detail", args=[small.pk]))
    many, sql, large_page = _page_queries(client, reverse("meetings:detail", args=[large.pk]))
    # then the queries are the same in number, and the large page shows it all
    assert many == few, sql
    assert large_page.count("纪要3") == 12 and "更正3" in large_page and "纪要1" in large_page
