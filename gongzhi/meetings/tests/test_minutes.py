"""Minutes and decisions; closing makes decisions into action items in one step; published minutes are
corrected only by a new version with a reason, both kept; residents read a public summary."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.accounts.roles import OrgKind
from gongzhi.core.errors import Conflict, DomainError, NotAllowed, NotFound
from gongzhi.meetings import selectors
from gongzhi.meetings import services as s
from gongzhi.meetings.models import (
    ActionItem,
    ActionStatus,
    AgendaItemVoice,
    Decision,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    UpdateSource,
)
from gongzhi.notifications.models import Notification
from gongzhi.testing.voices_factories import VoiceFactory

from .helpers import meetings_state

pytestmark = pytest.mark.django_db


def _due(days: int = 30) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _record_all(secretary: Any, meeting: Meeting, text: str = "讨论并形成决议") -> None:
    for item in meeting.agenda_items.order_by("position"):
        s.minutes_record(actor=secretary, meeting=meeting, item=item, text=f"{item.title}：{text}")


def test_closing_without_minutes_is_refused_and_changes_nothing(
    world: Any, held: Callable[..., Meeting], secretary: Any
) -> None:
    meeting = held()
    second = s.agenda_item_add(actor=secretary, meeting=meeting, title="临时动议：快递柜")
    before = meetings_state()
    with pytest.raises(DomainError) as none:
        s.meeting_close(actor=secretary, meeting=meeting)
    assert none.value.code == "minutes_missing"
    assert meetings_state() == before
    # minutes of one item out of two are not enough either; the message names the missing item
    s.minutes_record(actor=secretary, meeting=meeting, item=meeting.agenda_items.get(position=1), text="已讨论")
    before = meetings_state()
    with pytest.raises(DomainError) as partly:
        s.meeting_close(actor=secretary, meeting=meeting)
    assert second.title in partly.value.message
    assert meetings_state() == before
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_minutes_and_decisions_need_a_held_meeting(convene: Callable[..., Meeting], secretary: Any) -> None:
    meeting = convene()
    item = meeting.agenda_items.get()
    before = meetings_state()
    with pytest.raises(Conflict) as minutes:
        s.minutes_record(actor=secretary, meeting=meeting, item=item, text="提前写")
    assert minutes.value.code == "not_held"
    with pytest.raises(Conflict) as decision:
        s.decision_add(actor=secretary, item=item, text="提前决定")
    assert decision.value.code == "not_held"
    assert meetings_state() == before


def test_closing_turns_decisions_into_action_items_in_one_step(
    world: Any, held: Callable[..., Meeting], secretary: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a held meeting whose agenda item is about two voices, with minutes and three decisions
    meeting = held()
    item = meeting.agenda_items.get()
    voices = [VoiceFactory.create(compound=world.compound_a, author=world.users["resident"]) for _ in range(2)]
    private_item = s.agenda_item_add(
        actor=secretary, meeting=meeting, title="人员调整", is_private=True, voice_ids=[voices[1].pk]
    )
    AgendaItemVoice.objects.create(community_id=item.community_id, agenda_item=item, voice=voices[0])
    _record_all(secretary, meeting)
    s.decision_add(
        actor=secretary,
        item=item,
        text="物业公司负责更换大堂电动门",
        becomes_action=True,
        action_title="更换大堂电动门",
        responsible_organization=world.orgs[OrgKind.PROPERTY],
        responsible_user=world.users["property_manager"],
        due_on=_due(45),
        budget="¥86,000.00",
    )
    s.decision_add(actor=secretary, item=item, text="下次会议通报进度")  # a decision, not an action item
    s.decision_add(
        actor=secretary,
        item=private_item,
        text="调整保安排班",
        becomes_action=True,
        responsible_organization=world.orgs[OrgKind.PROPERTY],
        due_on=_due(10),
    )
    # when the meeting is closed
    with django_capture_on_commit_callbacks(execute=True):
        created = s.meeting_close(actor=secretary, meeting=meeting)
    # then two action items exist, linked to the voices of their agenda items, the private one off the public list
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED and meeting.closed_at is not None
    door, shifts = created
    assert (door.title, door.budget, door.due_on, door.status) == (
        "更换大堂电动门",
        Decimal("86000.00"),
        _due(45),
        ActionStatus.PLANNED,
    )
    assert door.responsible_user == world.users["property_manager"] and door.meeting == meeting
    assert list(door.voice_links.values_list("voice_id", flat=True)) == [voices[0].pk]
    assert door.is_public and not shifts.is_public
    assert shifts.title == "调整保安排班"
    assert door.updates.get().source == UpdateSource.MEETING
    assert Decision.objects.filter(meeting=meeting, action_item__isnull=False).count() == 2
    # and the property company's staff are told
    assert Notification.objects.filter(verb="action.assigned", recipient=world.users["technician"]).count() == 2


def test_a_decision_due_in_the_past_stops_the_whole_close(
    world: Any, held: Callable[..., Meeting], secretary: Any
) -> None:
    # given two decisions, the second due before the day the meeting closes
    meeting = held()
    item = meeting.agenda_items.get()
    _record_all(secretary, meeting)
    for text, days in (("修剪绿化", 20), ("修复路灯", 1)):
        s.decision_add(
            actor=secretary,
            item=item,
            text=text,
            becomes_action=True,
            responsible_organization=world.orgs[OrgKind.PROPERTY],
            due_on=_due(days),
        )
    before = meetings_state()
    # when closing a week later
    with pytest.raises(DomainError) as refused:
        s.meeting_close(actor=secretary, meeting=meeting, now=timezone.now() + datetime.timedelta(days=7))
    # then nothing is created, the meeting stays held
    assert refused.value.code == "due_before_creation" and "修复路灯" in refused.value.message
    assert meetings_state() == before
    assert not ActionItem.objects.exists()


@pytest.mark.parametrize(
    ("args", "field", "code"),
    [
        ({"due_on": None}, "due_on", "required"),
        ({"due_on": "2020-01-01"}, "due_on", "due_before_creation"),
        ({"due_on": "not a date"}, "due_on", "invalid_date"),
        ({"budget": "-5"}, "budget", "negative_amount"),
        ({"budget": "12.345"}, "budget", "invalid_amount"),
        ({"responsible_organization": None}, "responsible_organization", "required"),
        ({"text": ""}, "text", "required"),
    ],
)
def test_bad_decisions_are_refused(
    world: Any, held: Callable[..., Meeting], secretary: Any, args: dict[str, Any], field: str, code: str
) -> None:
    meeting = held()
    full: dict[str, Any] = {
        "text": "更换门禁",
        "becomes_action": True,
        "responsible_organization": world.orgs[OrgKind.PROPERTY],
        "due_on": _due(),
    }
    full.update(args)
    before = meetings_state()
    with pytest.raises(DomainError) as refused:
        s.decision_add(actor=secretary, item=meeting.agenda_items.get(), **full)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert meetings_state() == before


def test_the_responsible_person_must_belong_to_the_responsible_organization(
    world: Any, held: Callable[..., Meeting], secretary: Any
) -> None:
    meeting = held()
    with pytest.raises(DomainError) as refused:
        s.decision_add(
            actor=secretary,
            item=meeting.agenda_items.get(),
            text="更换门禁",
            becomes_action=True,
            responsible_organization=world.orgs[OrgKind.PROPERTY],
            responsible_user=world.users["representative"],
            due_on=_due(),
        )
    assert refused.value.code == "not_member"


def _closed(held: Callable[..., Meeting], secretary: Any, **kw: Any) -> Meeting:
    meeting = held(**kw)
    _record_all(secretary, meeting)
    s.meeting_close(actor=secretary, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def test_published_minutes_are_never_edited_in_place(held: Callable[..., Meeting], secretary: Any) -> None:
    meeting = _closed(held, secretary)
    minutes = Minutes.objects.get(meeting=meeting)
    s.minutes_publish(actor=secretary, minutes=minutes)
    before = meetings_state()
    with pytest.raises(Conflict) as refused:
        s.minutes_record(actor=secretary, meeting=meeting, item=meeting.agenda_items.get(), text="悄悄改一下")
    assert refused.value.code == "immutable"
    with pytest.raises(Conflict):
        s.minutes_publish(actor=secretary, minutes=minutes)
    assert meetings_state() == before


def test_minutes_are_published_once_the_meeting_is_closed(held: Callable[..., Meeting], secretary: Any) -> None:
    meeting = held()
    _record_all(secretary, meeting)
    draft = Minutes.objects.get(meeting=meeting)
    with pytest.raises(Conflict) as refused:
        s.minutes_publish(actor=secretary, minutes=draft)
    assert refused.value.code == "not_closed"


def test_a_correction_is_a_new_version_with_a_reason_and_both_stay_readable(
    world: Any, held: Callable[..., Meeting], secretary: Any
) -> None:
    # given published minutes
    meeting = _closed(held, secretary)
    first = s.minutes_publish(actor=secretary, minutes=Minutes.objects.get(meeting=meeting))
    # a correction needs a reason, and a correction that changes nothing is not published
    before = meetings_state()
    with pytest.raises(DomainError) as no_reason:
        s.minutes_correct(actor=secretary, minutes=first, reason="")
    assert no_reason.value.field == "reason"
    assert meetings_state() == before
    draft = s.minutes_correct(actor=secretary, minutes=first, reason="预算金额记错")
    with pytest.raises(Conflict):
        s.minutes_correct(actor=secretary, minutes=first, reason="再来一次")
    with pytest.raises(DomainError) as unchanged:
        s.minutes_publish(actor=secretary, minutes=draft)
    assert unchanged.value.code == "unchanged"
    # when the text is corrected and published
    s.minutes_record(actor=secretary, meeting=meeting, item=meeting.agenda_items.get(), text="预算为八万六千元")
    second = s.minutes_publish(actor=secretary, minutes=draft)
    # then both versions are kept: the first marked corrected with its text unchanged, the second published
    first.refresh_from_db()
    assert (first.status, second.status, second.version, second.previous) == (
        MinutesStatus.CORRECTED,
        MinutesStatus.PUBLISHED,
        2,
        first,
    )
    summary = selectors.public_minutes(user=world.users["resident"], meeting=meeting)
    assert summary.current.minutes == second and summary.current.minutes.correction_reason == "预算金额记错"
    assert [e.text for e in summary.current.entries] == ["预算为八万六千元"]
    assert [v.minutes for v in summary.earlier] == [first]
    assert summary.earlier[0].entries[0].text.endswith("讨论并形成决议")
    # the representative (not a convener) sees the two public versions, not the drafts
    versions = selectors.minutes_versions(user=world.users["representative"], meeting=meeting)
    assert [m.version for m in versions] == [2, 1]


def test_a_correction_not_published_can_be_discarded(held: Callable[..., Meeting], secretary: Any) -> None:
    meeting = _closed(held, secretary)
    first = s.minutes_publish(actor=secretary, minutes=Minutes.objects.get(meeting=meeting))
    draft = s.minutes_correct(actor=secretary, minutes=first, reason="笔误")
    assert s.minutes_discard(actor=secretary, minutes=draft).status == MinutesStatus.DISCARDED
    first.refresh_from_db()
    assert first.status == MinutesStatus.PUBLISHED


def test_residents_read_a_public_summary_without_the_private_items(
    world: Any, held: Callable[..., Meeting], secretary: Any
) -> None:
    # given a public meeting with a public and a private item, both with minutes and decisions
    meeting = held()
    public_item = meeting.agenda_items.get()
    private_item = s.agenda_item_add(actor=secretary, meeting=meeting, title="保安人员处分", is_private=True)
    s.decision_add(actor=secretary, item=public_item, text="更换电动门")
    s.decision_add(actor=secretary, item=private_item, text="辞退保安甲")
    _record_all(secretary, meeting)
    s.meeting_close(actor=secretary, meeting=meeting)
    meeting.refresh_from_db()
    resident = world.users["resident"]
    # before publishing there is nothing for residents
    with pytest.raises(NotFound):
        selectors.public_minutes(user=resident, meeting=meeting)
    s.minutes_publish(actor=secretary, minutes=Minutes.objects.get(meeting=meeting))
    # then the summary has the public item and its decision only
    summary = selectors.public_minutes(user=resident, meeting=meeting)
    assert [(e.title, e.decisions) for e in summary.current.entries] == [("大堂电动门", ["更换电动门"])]
    assert "辞退" not in str(summary)
    assert list(selectors.public_minutes_list(user=resident, compound=world.compound_a)) == [meeting]
    # a resident elsewhere, an applicant and a stranger read nothing
    for role in ("applicant", "stranger", "liaison"):
        with pytest.raises(NotFound):
            selectors.public_minutes(user=world.users[role], meeting=meeting)
    with pytest.raises(NotAllowed):
        selectors.public_minutes_list(user=world.users["stranger"], compound=world.compound_a)


def test_a_private_meetings_minutes_are_not_summarised_for_residents(
    world: Any, held: Callable[..., Meeting], secretary: Any
) -> None:
    meeting = _closed(held, secretary, private=True)
    s.minutes_publish(actor=secretary, minutes=Minutes.objects.get(meeting=meeting))
    with pytest.raises(NotFound):
        selectors.public_minutes(user=world.users["resident"], meeting=meeting)
    assert list(selectors.public_minutes_list(user=world.users["resident"], compound=world.compound_a)) == []
    # its invitees read the published minutes themselves
    versions = selectors.minutes_versions(user=world.users["representative"], meeting=meeting)
    assert [m.status for m in versions] == [MinutesStatus.PUBLISHED]
