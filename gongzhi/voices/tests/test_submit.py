from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.errors import Conflict, DomainError, NotAllowed
from gongzhi.core.models import AuditEvent
from gongzhi.testing.voices_factories import category
from gongzhi.voices.models import Kind, LocationKind, MeToo, Status, Voice
from gongzhi.voices.services import deadline_policy_set, me_too_add, routing_rule_set

pytestmark = pytest.mark.django_db


def test_submit_records_voice_event_audit_and_deadlines(world: Any, submit: Any) -> None:
    at = timezone.now()
    voice = submit(now=at)
    assert voice.status == Status.SUBMITTED
    assert voice.community_id == world.compound_a.community_id
    assert voice.response_due_at == at + datetime.timedelta(hours=24)
    assert voice.resolution_due_at == at + datetime.timedelta(hours=72)
    assert voice.suggested_organization == world.compound_a.property_company
    assert list(voice.events.values_list("verb", flat=True)) == ["submit"]
    assert AuditEvent.objects.filter(verb="voice.submit", object_id=str(voice.pk)).count() == 1


def test_praise_has_no_resolution_deadline_and_goes_to_the_praised(world: Any, submit: Any) -> None:
    police = world.orgs["police"]
    voice = submit(kind=Kind.PRAISE, text="感谢派出所民警护学岗", praised_organization=police)
    assert voice.resolution_due_at is None
    assert voice.suggested_organization == police


@pytest.mark.parametrize(
    ("text", "code"), [("", "required"), ("   ", "required"), ("长" * 2001, "too_long"), ("长" * 10000, "too_long")]
)
def test_bad_text_changes_nothing(submit: Any, text: str, code: str) -> None:
    with pytest.raises(DomainError) as e:
        submit(text=text)
    assert e.value.code == code
    assert Voice.objects.count() == 0


def test_2000_characters_are_fine_and_script_is_kept_as_text(submit: Any) -> None:
    assert len(submit(text="长" * 2000).text) == 2000
    voice = submit(text="<script>alert(1)</script>")
    assert voice.text == "<script>alert(1)</script>"  # stored as typed; templates escape it


def test_bad_kind(submit: Any) -> None:
    with pytest.raises(DomainError):
        submit(kind="rant")


@pytest.mark.parametrize("who", ["applicant", "stranger", "secretary", "property_manager", "superuser"])
def test_only_approved_residents_submit(world: Any, submit: Any, who: str) -> None:
    with pytest.raises(NotAllowed):
        submit(author=world.users[who])
    assert Voice.objects.count() == 0


def test_anonymous_may_not_submit(world: Any, submit: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed):
        submit(author=AnonymousUser())


def test_resident_of_a_not_of_b(world: Any, submit: Any) -> None:
    with pytest.raises(NotAllowed):
        submit(compound=world.compound_b)


def test_own_house_must_be_the_authors(world: Any, submit: Any) -> None:
    voice = submit(location_kind=LocationKind.OWN_HOUSE, house=world.house_a)
    assert voice.house == world.house_a and voice.building == world.house_a.building
    for house in (world.house_a2, world.house_b, None):
        with pytest.raises(DomainError):
            submit(location_kind=LocationKind.OWN_HOUSE, house=house)


def test_building_must_be_in_the_compound(world: Any, submit: Any) -> None:
    assert submit(location_kind=LocationKind.BUILDING, building=world.house_a.building).building_id
    with pytest.raises(DomainError):
        submit(location_kind=LocationKind.BUILDING, building=world.house_b.building)
    with pytest.raises(DomainError):
        submit(location_kind="moon")


def test_same_submission_twice_is_one_voice(submit: Any) -> None:
    first = submit(idempotency_key="k-1")
    second = submit(idempotency_key="k-1", text="不同的文字")
    assert first.pk == second.pk
    assert Voice.objects.count() == 1
    assert submit(idempotency_key="k-2").pk != first.pk


def test_category_is_suggested_when_missing(submit: Any) -> None:
    assert submit(category=None, text="楼下垃圾没人清运，味道很大").category.name == "环境卫生"
    assert submit(category=None, text="嗯嗯").category.name == "其他"


def test_routing_rule_and_policy_of_the_community_apply(world: Any, submit: Any) -> None:
    edu = world.orgs["department"]
    cat = category("教育配套")
    routing_rule_set(actor=world.users["secretary"], compound=world.compound_a, category=cat, organization=edu)
    deadline_policy_set(
        actor=world.users["community_staff"],
        compound=world.compound_a,
        kind=Kind.SUGGESTION,
        category=cat,
        response_hours=5,
        resolution_hours=500,
    )
    at = timezone.now()
    voice = submit(kind=Kind.SUGGESTION, category=cat, text="希望小区旁边建一所小学", now=at)
    assert voice.suggested_organization == edu
    assert voice.response_due_at == at + datetime.timedelta(hours=5)
    assert voice.resolution_due_at == at + datetime.timedelta(hours=500)
    with pytest.raises(NotAllowed):
        routing_rule_set(
            actor=world.users["property_manager"], compound=world.compound_a, category=cat, organization=None
        )
    with pytest.raises(DomainError):
        deadline_policy_set(
            actor=world.users["secretary"],
            compound=world.compound_a,
            kind=Kind.REPAIR,
            category=None,
            response_hours=10,
            resolution_hours=5,
        )


def test_me_too_once_and_never_on_own_or_private(world: Any, submit: Any) -> None:
    from gongzhi.estates.models import BindingStatus, HouseBinding

    voice = submit()
    neighbour = world.users["applicant"]
    HouseBinding.objects.filter(user=neighbour).update(status=BindingStatus.APPROVED)
    me_too_add(actor=neighbour, voice=voice)
    me_too_add(actor=neighbour, voice=voice)
    voice.refresh_from_db()
    assert voice.me_too_count == 1 and MeToo.objects.count() == 1
    with pytest.raises(NotAllowed):
        me_too_add(actor=world.users["resident"], voice=voice)
    private = submit(is_public=False)
    with pytest.raises(NotAllowed):
        me_too_add(actor=neighbour, voice=private)
    with pytest.raises(NotAllowed):
        me_too_add(actor=world.users["stranger"], voice=voice)
    voice.status = Status.WITHDRAWN
    voice.save()
    other = world.users["secretary"]
    with pytest.raises((NotAllowed, Conflict)):
        me_too_add(actor=other, voice=voice)
