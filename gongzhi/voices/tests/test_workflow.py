from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.errors import Conflict, DomainError, NotAllowed
from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import BindingStatus, HouseBinding
from gongzhi.notifications.models import Notification
from gongzhi.voices import services as s
from gongzhi.voices.models import Kind, MeToo, Score, Status, Voice, VoiceAssignment, VoiceRating
from gongzhi.voices.selectors import voice_queue, voice_replies, voice_timeline

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def h(n: float) -> datetime.datetime:
    return T0 + datetime.timedelta(hours=n)


def test_full_life_cycle(world: Any, submit: Any, django_capture_on_commit_callbacks: Any) -> None:
    u = world.users
    edu = world.orgs["department"]
    with django_capture_on_commit_callbacks(execute=True):
        voice = submit(now=h(0))
        s.voice_accept(actor=u["customer_service"], voice=voice, now=h(1))
        s.voice_dispatch(actor=u["grid_worker"], voice=voice, organization=edu, now=h(2))
        s.voice_note_add(actor=u["liaison"], voice=voice, text="内部：需协调", now=h(3))
        s.voice_reply(actor=u["liaison"], voice=voice, text="已安排现场查看", now=h(4))
        s.voice_resolve(actor=u["liaison"], voice=voice, reply="已修复", now=h(5))
        s.voice_rate(actor=u["resident"], voice=voice, score=Score.DISSATISFIED, comment="没修好", now=h(6))
        s.voice_reopen(actor=u["resident"], voice=voice, reason="还是坏的", now=h(7))
        s.voice_resolve(actor=u["liaison"], voice=voice, reply="更换了零件", now=h(8))
        s.voice_rate(actor=u["resident"], voice=voice, score=Score.SATISFIED, now=h(9))
    voice.refresh_from_db()
    assert voice.status == Status.CLOSED
    assert voice.accepted_at == h(1) and voice.resolved_at == h(8) and voice.closed_at == h(9)
    assert voice.resolution_due_at == h(7 + 72)  # a fresh deadline after the reopen
    assert voice.reply == "更换了零件"
    verbs = list(voice.events.order_by("at", "id").values_list("verb", flat=True))
    assert verbs == [
        "submit", "accept", "dispatch", "note", "reply", "resolve", "reopen", "resolve", "close",
    ]  # fmt: skip
    assert AuditEvent.objects.filter(object_type="voices.voice", object_id=str(voice.pk)).count() >= 9
    # The author sees public events and replies only; staff see the internal note too.
    assert "note" not in voice_timeline(user=u["resident"], voice=voice).values_list("verb", flat=True)
    assert "note" in voice_timeline(user=u["liaison"], voice=voice).values_list("verb", flat=True)
    assert voice_replies(user=u["resident"], voice=voice).filter(is_internal=True).count() == 0
    assert voice_replies(user=u["secretary"], voice=voice).filter(is_internal=True).count() == 1
    # The author was told at each step; the department's liaison when it was dispatched.
    author_verbs = set(Notification.objects.filter(recipient=u["resident"]).values_list("verb", flat=True))
    assert {"voice.accepted", "voice.dispatched", "voice.reply", "voice.resolved"} <= author_verbs
    assert Notification.objects.filter(recipient=u["liaison"], verb="voice.dispatched").count() == 1
    assert Notification.objects.filter(recipient=u["liaison"], verb="voice.reopened").count() == 1


def test_second_accept_is_a_conflict_and_changes_nothing(world: Any, submit: Any) -> None:
    voice = submit()
    stale = Voice.objects.get(pk=voice.pk)
    s.voice_accept(actor=world.users["customer_service"], voice=voice)
    events = voice.events.count()
    with pytest.raises(Conflict) as e:
        s.voice_accept(actor=world.users["secretary"], voice=stale)
    assert e.value.status == 409
    assert voice.events.count() == events


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        ([], "resolve_submitted_then_rate_twice"),
        (["reject"], "accept"),
        (["withdraw"], "accept"),
        (["accept", "resolve"], "withdraw"),
        ([], "rate"),
        ([], "reopen"),
    ],
)
def test_illegal_transitions_are_conflicts(world: Any, submit: Any, setup: list[str], action: str) -> None:
    u = world.users
    voice = submit()
    steps = {
        "reject": lambda: s.voice_reject(actor=u["secretary"], voice=voice, reason="无效"),
        "withdraw": lambda: s.voice_withdraw(actor=u["resident"], voice=voice),
        "accept": lambda: s.voice_accept(actor=u["secretary"], voice=voice),
        "resolve": lambda: s.voice_resolve(actor=u["secretary"], voice=voice, reply="好了"),
        "rate": lambda: s.voice_rate(actor=u["resident"], voice=voice, score=Score.SATISFIED),
        "reopen": lambda: s.voice_reopen(actor=u["resident"], voice=voice),
    }
    for step in setup:
        steps[step]()
    if action == "resolve_submitted_then_rate_twice":
        steps["resolve"]()
        s.voice_rate(actor=u["resident"], voice=voice, score=Score.DISSATISFIED)
        with pytest.raises(Conflict):
            s.voice_rate(actor=u["resident"], voice=voice, score=Score.SATISFIED)
        return
    before = Voice.objects.get(pk=voice.pk).status
    with pytest.raises(Conflict):
        steps[action]()
    assert Voice.objects.get(pk=voice.pk).status == before


def test_reject_needs_a_reason(world: Any, submit: Any) -> None:
    voice = submit()
    with pytest.raises(DomainError):
        s.voice_reject(actor=world.users["secretary"], voice=voice, reason=" ")


def test_resolve_needs_a_reply(world: Any, submit: Any) -> None:
    voice = submit()
    s.voice_accept(actor=world.users["secretary"], voice=voice)
    with pytest.raises(DomainError):
        s.voice_resolve(actor=world.users["secretary"], voice=voice, reply="")
    assert Voice.objects.get(pk=voice.pk).status == Status.ACCEPTED


def test_reopen_only_within_7_days_and_after_dissatisfied(world: Any, submit: Any) -> None:
    u = world.users
    voice = submit(now=h(0))
    s.voice_resolve(actor=u["secretary"], voice=voice, reply="好了", now=h(1))
    with pytest.raises(Conflict):  # not rated yet
        s.voice_reopen(actor=u["resident"], voice=voice, now=h(2))
    s.voice_rate(actor=u["resident"], voice=voice, score=Score.DISSATISFIED, now=h(2))
    with pytest.raises(Conflict) as e:
        s.voice_reopen(actor=u["resident"], voice=voice, now=h(1 + 7 * 24 + 0.01))
    assert e.value.code == "reopen_expired"
    with pytest.raises(NotAllowed):  # someone else's voice
        s.voice_reopen(actor=u["applicant"], voice=voice, now=h(3))
    s.voice_reopen(actor=u["resident"], voice=voice, now=h(1 + 7 * 24))
    assert Voice.objects.get(pk=voice.pk).status == Status.REOPENED


def test_satisfied_rating_closes_and_cannot_reopen(world: Any, submit: Any) -> None:
    u = world.users
    voice = submit()
    s.voice_resolve(actor=u["secretary"], voice=voice, reply="好了")
    with pytest.raises(NotAllowed):
        s.voice_rate(actor=u["secretary"], voice=voice, score=Score.SATISFIED)
    with pytest.raises(DomainError):
        s.voice_rate(actor=u["resident"], voice=voice, score="great")
    s.voice_rate(actor=u["resident"], voice=voice, score=Score.BASIC)
    assert Voice.objects.get(pk=voice.pk).status == Status.CLOSED
    with pytest.raises(Conflict):
        s.voice_reopen(actor=u["resident"], voice=voice)
    assert VoiceRating.objects.count() == 1


def test_merge_moves_followers_and_tells_them(world: Any, submit: Any, django_capture_on_commit_callbacks: Any) -> None:
    u = world.users
    HouseBinding.objects.filter(user=u["applicant"]).update(status=BindingStatus.APPROVED)
    original = submit(author=u["applicant"], text="电梯坏了")
    duplicate = submit(text="3栋电梯又坏了")
    follower = u["stranger"]
    MeToo.objects.create(community_id=duplicate.community_id, voice=duplicate, user=follower)
    with django_capture_on_commit_callbacks(execute=True):
        s.voice_merge(actor=u["customer_service"], voice=duplicate, original=original)
    duplicate.refresh_from_db()
    original.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == original
    assert set(original.me_toos.values_list("user__name", flat=True)) == {"resident", "stranger"}
    assert original.me_too_count == 2
    told = set(Notification.objects.filter(verb="voice.merged").values_list("recipient__name", flat=True))
    assert told == {"resident", "stranger"}
    with pytest.raises(DomainError):
        s.voice_merge(actor=u["customer_service"], voice=original, original=original)
    with pytest.raises(Conflict):  # already merged
        s.voice_merge(actor=u["customer_service"], voice=duplicate, original=original)


def test_joint_handling_one_lead_and_transfer(world: Any, submit: Any) -> None:
    u, o = world.users, world.orgs
    voice = submit()
    s.voice_assign_joint(
        actor=u["secretary"],
        voice=voice,
        organizations=[o["property"], o["police"], o["community"]],
        lead=o["police"],
    )
    active = VoiceAssignment.objects.filter(voice=voice, is_active=True)
    assert active.count() == 3 and active.get(is_lead=True).organization == o["police"]
    voice.refresh_from_db()
    assert voice.status == Status.DISPATCHED and voice.accepted_at is not None
    # Police (an assigned organization) may transfer it to the education bureau.
    s.voice_dispatch(actor=u["officer"], voice=voice, organization=o["department"])
    active = VoiceAssignment.objects.filter(voice=voice, is_active=True)
    assert [a.organization for a in active] == [o["department"]]
    assert voice.events.filter(verb="transfer").count() == 1
    # The officer no longer handles it.
    with pytest.raises(NotAllowed):
        s.voice_reply(actor=u["officer"], voice=voice, text="x")
    with pytest.raises(DomainError):
        s.voice_assign_joint(actor=u["secretary"], voice=voice, organizations=[o["police"]], lead=o["police"])
    with pytest.raises(DomainError):
        s.voice_assign_joint(
            actor=u["secretary"], voice=voice, organizations=[o["police"], o["property"]], lead=o["department"]
        )


def test_dispatch_by_routing_rule(world: Any, submit: Any) -> None:
    voice = submit()
    s.voice_dispatch(actor=world.users["customer_service"], voice=voice)
    voice.refresh_from_db()
    assert voice.lead_organization == world.compound_a.property_company


def test_praise_acknowledged_by_the_praised(world: Any, submit: Any) -> None:
    u = world.users
    voice = submit(kind=Kind.PRAISE, text="感谢民警", praised_organization=world.orgs["police"])
    assert voice.lead_organization == world.orgs["police"]
    assert voice_queue(user=u["officer"]).filter(pk=voice.pk).exists()  # in the praised organization's queue
    with pytest.raises(NotAllowed):
        s.praise_acknowledge(actor=u["lawyer"], voice=voice, reply="谢谢")
    s.praise_acknowledge(actor=u["officer"], voice=voice, reply="谢谢您的肯定")
    voice.refresh_from_db()
    assert voice.status == Status.CLOSED and voice.reply == "谢谢您的肯定"
    other = submit()
    with pytest.raises(DomainError):
        s.praise_acknowledge(actor=u["secretary"], voice=other, reply="谢谢")


def test_withdraw_by_author_only(world: Any, submit: Any) -> None:
    voice = submit()
    with pytest.raises(NotAllowed):
        s.voice_withdraw(actor=world.users["secretary"], voice=voice)
    s.voice_withdraw(actor=world.users["resident"], voice=voice, reason="已自行解决")
    assert Voice.objects.get(pk=voice.pk).status == Status.WITHDRAWN


def test_timestamps_default_to_now(world: Any, submit: Any) -> None:
    before = timezone.now()
    voice = submit()
    s.voice_accept(actor=world.users["secretary"], voice=voice)
    voice.refresh_from_db()
    assert voice.accepted_at is not None and voice.accepted_at >= before
