"""Meetings, minutes and action items move only along their TRANSITIONS tables; anything else is a Conflict (409)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import models

from gongzhi.core.errors import Conflict
from gongzhi.meetings import services as s
from gongzhi.meetings.models import (
    ActionItem,
    ActionStatus,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)
from gongzhi.meetings.services._common import move

from .helpers import meetings_state

MACHINES: list[tuple[type[models.Model], type[models.TextChoices]]] = [
    (Meeting, MeetingStatus),
    (Minutes, MinutesStatus),
    (ActionItem, ActionStatus),
]
PAIRS = [(model, labels, a, b) for model, labels in MACHINES for a in labels.values for b in labels.values]


@pytest.mark.parametrize(("model", "labels"), MACHINES)
def test_every_status_has_a_row_in_its_table(model: Any, labels: Any) -> None:
    assert set(model.TRANSITIONS) == set(labels.values)
    assert all(set(targets) <= set(labels.values) for targets in model.TRANSITIONS.values())


@pytest.mark.parametrize(
    ("model", "labels", "start", "to"), PAIRS, ids=[f"{m.__name__}:{a}->{b}" for m, _l, a, b in PAIRS]
)
def test_a_move_is_allowed_exactly_when_the_table_says_so(model: Any, labels: Any, start: str, to: str) -> None:
    obj = model(status=start)
    if to in model.TRANSITIONS[start]:
        assert move(obj, to, transitions=model.TRANSITIONS, labels=labels) == start
        assert obj.status == to
    else:
        with pytest.raises(Conflict) as refused:
            move(obj, to, transitions=model.TRANSITIONS, labels=labels)
        assert refused.value.code == "illegal_transition"
        assert obj.status == start


def test_the_tables_say_what_the_issue_says() -> None:
    # a meeting: draft → published → held → closed; draft and published may be cancelled; closed is final
    assert Meeting.TRANSITIONS[MeetingStatus.DRAFT] == {MeetingStatus.PUBLISHED, MeetingStatus.CANCELLED}
    assert Meeting.TRANSITIONS[MeetingStatus.PUBLISHED] == {MeetingStatus.HELD, MeetingStatus.CANCELLED}
    assert Meeting.TRANSITIONS[MeetingStatus.HELD] == {MeetingStatus.CLOSED}
    assert Meeting.TRANSITIONS[MeetingStatus.CLOSED] == Meeting.TRANSITIONS[MeetingStatus.CANCELLED] == frozenset()
    # published minutes only ever become "corrected"
    assert Minutes.TRANSITIONS[MinutesStatus.PUBLISHED] == {MinutesStatus.CORRECTED}
    # a done action item only goes back to in progress, and that needs a reason
    assert ActionItem.TRANSITIONS[ActionStatus.DONE] == {ActionStatus.IN_PROGRESS}
    assert (ActionStatus.DONE, ActionStatus.IN_PROGRESS) in ActionItem.REASON_NEEDED
    assert ActionItem.TRANSITIONS[ActionStatus.CANCELLED] == frozenset()


@pytest.mark.django_db
def test_a_meeting_walks_its_whole_life_and_illegal_moves_change_nothing(
    world: Any, convene: Callable[..., Meeting], secretary: Any
) -> None:
    meeting = convene(publish=False)
    seen = [meeting.status]
    # holding or closing a draft is refused
    before = meetings_state()
    with pytest.raises(Conflict):
        s.meeting_hold(actor=secretary, meeting=meeting)
    with pytest.raises(Conflict):
        s.meeting_close(actor=secretary, meeting=meeting)
    assert meetings_state() == before
    meeting = s.meeting_publish(actor=secretary, meeting=meeting)
    seen.append(meeting.status)
    with pytest.raises(Conflict):
        s.meeting_publish(actor=secretary, meeting=meeting)
    meeting = s.meeting_hold(actor=secretary, meeting=meeting, now=meeting.starts_at)
    seen.append(meeting.status)
    with pytest.raises(Conflict):
        s.meeting_cancel(actor=secretary, meeting=meeting, reason="太晚了")
    s.minutes_record(actor=secretary, meeting=meeting, item=meeting.agenda_items.get(), text="议定")
    s.meeting_close(actor=secretary, meeting=meeting)
    meeting.refresh_from_db()
    seen.append(meeting.status)
    assert seen == ["draft", "published", "held", "closed"]
    before = meetings_state()
    for attempt in (
        lambda: s.meeting_close(actor=secretary, meeting=meeting),
        lambda: s.meeting_hold(actor=secretary, meeting=meeting),
        lambda: s.meeting_cancel(actor=secretary, meeting=meeting, reason="x"),
        lambda: s.meeting_publish(actor=secretary, meeting=meeting),
    ):
        with pytest.raises(Conflict):
            attempt()
    assert meetings_state() == before
