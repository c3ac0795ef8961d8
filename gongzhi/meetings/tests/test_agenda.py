"""Agenda candidates (hot topics, overdue voices, open and overdue action items) and the agenda built from them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.errors import Conflict, DomainError, NotAllowed
from gongzhi.meetings import selectors
from gongzhi.meetings import services as s
from gongzhi.meetings.models import ActionItem, AgendaSource, Meeting, MeetingKind
from gongzhi.testing.meetings_factories import ActionItemFactory
from gongzhi.testing.voices_factories import VoiceFactory

from .conftest import in_days
from .helpers import meetings_state

pytestmark = pytest.mark.django_db


def _candidates_world(world: Any) -> dict[str, Any]:
    now = timezone.now()
    lift = [
        VoiceFactory.create(
            compound=world.compound_a, text=f"3栋电梯又坏了，困人 {n}", submitted_at=now - datetime.timedelta(days=n)
        )
        for n in range(1, 4)
    ]
    overdue = VoiceFactory.create(
        compound=world.compound_a,
        text="地下车库漏水",
        submitted_at=now - datetime.timedelta(days=10),
        response_due_at=now - datetime.timedelta(days=9),
    )
    late = ActionItemFactory.create(
        compound=world.compound_a, title="大堂照明", due_on=timezone.localdate() - datetime.timedelta(days=3)
    )
    later = ActionItemFactory.create(compound=world.compound_a, title="石材养护")
    ActionItemFactory.create(compound=world.compound_a, title="已完成", status="done", progress=100)
    ActionItemFactory.create(compound=world.compound_b, title="别的小区")
    return {"lift": lift, "overdue": overdue, "late": late, "later": later}


def test_the_convener_is_offered_hot_topics_overdue_voices_and_open_action_items(world: Any, secretary: Any) -> None:
    made = _candidates_world(world)
    candidates = selectors.agenda_candidates(user=secretary, compound=world.compound_a)
    # the lift topic groups the three lift voices
    top = candidates.topics[0]
    assert {v.pk for v in top.voices} == {v.pk for v in made["lift"]}
    assert "电梯" in top.words
    # the overdue voice
    assert made["overdue"] in candidates.overdue_voices and candidates.overdue_voices_total >= 1
    # open action items of compound A only, the overdue one first and flagged
    assert [a.title for a in candidates.actions] == ["大堂照明", "石材养护"]
    assert [a.is_overdue for a in candidates.actions] == [True, False]  # type: ignore[attr-defined]
    assert candidates.actions_total == 2


def test_only_conveners_get_the_candidates(world: Any) -> None:
    for role in ("grid_worker", "property_manager", "representative", "resident", "sub_district_supervisor"):
        with pytest.raises(NotAllowed):
            selectors.agenda_candidates(user=world.users[role], compound=world.compound_a)


def test_the_convener_picks_candidates_into_the_agenda(world: Any, secretary: Any) -> None:
    made = _candidates_world(world)
    meeting = s.meeting_create(
        actor=secretary,
        compound=world.compound_a,
        kind=MeetingKind.JOINT,
        title="第三季度联席会议",
        starts_at=in_days(5),
        ends_at=in_days(5, 11),
        place="会议室",
    )
    candidates = selectors.agenda_candidates(user=secretary, compound=world.compound_a)
    topic = candidates.topics[0]
    from_topic = s.agenda_item_add(
        actor=secretary, meeting=meeting, topic_words=topic.words[:2], voice_ids=[v.pk for v in topic.voices]
    )
    from_voices = s.agenda_item_add(actor=secretary, meeting=meeting, title="车库漏水", voice_ids=[made["overdue"].pk])
    from_action = s.agenda_item_add(actor=secretary, meeting=meeting, action_item=candidates.actions[0])
    free = s.agenda_item_add(actor=secretary, meeting=meeting, title="国庆活动安排", detail="志愿者招募")
    agenda = selectors.meeting_agenda(user=secretary, meeting=meeting)
    assert [(i.position, i.source) for i in agenda] == [
        (1, AgendaSource.TOPIC),
        (2, AgendaSource.VOICES),
        (3, AgendaSource.ACTION),
        (4, AgendaSource.FREE),
    ]
    assert from_topic.title == "、".join(topic.words[:2])
    assert {link.voice_id for link in agenda[0].voice_links.all()} == {v.pk for v in made["lift"]}
    assert from_action.title == "大堂照明" and from_action.action_item == made["late"]
    assert from_voices.title == "车库漏水" and free.detail == "志愿者招募"
    # removing an item moves the later ones up
    s.agenda_item_remove(actor=secretary, item=from_voices)
    assert [i.title for i in selectors.meeting_agenda(user=secretary, meeting=meeting)] == [
        from_topic.title,
        "大堂照明",
        "国庆活动安排",
    ]
    assert [i.position for i in selectors.meeting_agenda(user=secretary, meeting=meeting)] == [1, 2, 3]


def test_bad_agenda_items_are_refused(world: Any, secretary: Any, convene: Callable[..., Meeting]) -> None:
    meeting = convene(publish=False)
    elsewhere = VoiceFactory.create(compound=world.compound_b)
    other_action: ActionItem = ActionItemFactory.create(compound=world.compound_b)
    before = meetings_state()
    with pytest.raises(DomainError) as no_title:
        s.agenda_item_add(actor=secretary, meeting=meeting, title=" ")
    assert no_title.value.field == "title"
    with pytest.raises(DomainError) as voice:
        s.agenda_item_add(actor=secretary, meeting=meeting, title="x", voice_ids=[elsewhere.pk])
    assert voice.value.code == "invalid_voice"
    with pytest.raises(DomainError) as action:
        s.agenda_item_add(actor=secretary, meeting=meeting, action_item=other_action)
    assert action.value.code == "other_compound"
    assert meetings_state() == before


def test_the_agenda_of_a_closed_meeting_is_fixed(secretary: Any, convene: Callable[..., Meeting]) -> None:
    meeting = s.meeting_cancel(actor=secretary, meeting=convene(), reason="取消")
    with pytest.raises(Conflict):
        s.agenda_item_add(actor=secretary, meeting=meeting, title="晚了")
