"""API: a voice moves along its state machine; illegal moves and lost races are 409, refused moves change nothing."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.api.tests.helpers import db_state, error_of
from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import BindingStatus, HouseBinding, Relation
from gongzhi.testing.factories import HouseFactory, UserFactory
from gongzhi.testing.voices_factories import VoiceFactory
from gongzhi.testing.world import ALL_ROLES
from gongzhi.voices.models import (
    MeToo,
    Status,
    Voice,
    VoiceAssignment,
    VoiceEvent,
    VoiceRating,
    VoiceReply,
)

pytestmark = pytest.mark.django_db


def voice_state() -> dict[str, Any]:
    """The domain tables of db_state() plus every voice table: equal before and after means nothing changed."""
    state = db_state()
    for model in (Voice, VoiceEvent, VoiceReply, VoiceRating, VoiceAssignment, MeToo):
        state[model._meta.label] = sorted(
            json.dumps(row, sort_keys=True, default=str) for row in model._default_manager.values()
        )
    return state


def _url(voice: Voice) -> str:
    return f"/api/voices/{voice.pk}/transitions"


def _act(client: Any, voice: Voice, data: Any, **headers: str) -> Any:
    return client.post(_url(voice), data, content_type="application/json", headers=headers)


def _voice(world: Any, **kw: Any) -> Voice:
    kw.setdefault("is_public", True)
    return VoiceFactory.create(compound=world.compound_a, author=world.users["resident"], **kw)


def _neighbour(world: Any) -> Any:
    user = UserFactory.create(name="王五")
    house = HouseFactory.create(unit=world.house_a.unit, room="103", floor=1)
    HouseBinding.objects.create(
        community=world.compound_a.community,
        compound=world.compound_a,
        house=house,
        user=user,
        relation=Relation.OWNER,
        status=BindingStatus.APPROVED,
    )
    return user


def _status(voice: Voice) -> str:
    return Voice.objects.get(pk=voice.pk).status


# ---------------------------------------------------------------- happy paths


def test_a_voice_goes_from_accepted_to_dispatched_resolved_rated_and_reopened(world: Any, client_for: Any) -> None:
    # given a new voice of the resident
    voice = _voice(world)
    police = world.orgs["police"]
    # when staff accept it and send it to the police station
    accepted = _act(client_for(world.users["secretary"]), voice, {"action": "accept", "note": "已受理"})
    dispatched = _act(client_for(world.users["secretary"]), voice, {"action": "dispatch", "organization": police.pk})
    # and the police officer (now assigned) resolves it with a reply
    resolved = _act(client_for(world.users["officer"]), voice, {"action": "resolve", "reply": "已处理，加强巡逻"})
    # and the resident, not satisfied, rates it and reopens it
    resident = client_for(world.users["resident"])
    rated = _act(resident, voice, {"action": "rate", "score": "dissatisfied", "comment": "还是很吵"})
    reopened = _act(resident, voice, {"action": "reopen", "reason": "问题依旧"})
    # then every step answers the voice in its new state
    assert [r.status_code for r in (accepted, dispatched, resolved, rated, reopened)] == [200] * 5
    assert [r.json()["status"] for r in (accepted, dispatched, resolved, rated, reopened)] == [
        "accepted",
        "dispatched",
        "resolved",
        "resolved",
        "reopened",
    ]
    assert dispatched.json()["lead_organization"] == police.name
    assert resolved.json()["reply"] == "已处理，加强巡逻"
    assert VoiceRating.objects.get(voice=voice).score == "dissatisfied"
    verbs = [e["verb"] for e in reopened.json()["timeline"]]
    assert verbs == ["accept", "dispatch", "resolve", "reopen"]
    assert AuditEvent.objects.filter(verb="voice.reopen", object_id=str(voice.pk)).exists()


def test_a_satisfied_rating_closes_the_voice(world: Any, client_for: Any) -> None:
    voice = _voice(world)
    _act(client_for(world.users["property_manager"]), voice, {"action": "resolve", "reply": "已修好"})
    response = _act(client_for(world.users["resident"]), voice, {"action": "rate", "score": "satisfied"})
    assert response.status_code == 200
    assert response.json()["status"] == "closed"


def test_staff_reject_a_voice_with_a_reason_the_author_sees(world: Any, client_for: Any) -> None:
    voice = _voice(world)
    response = _act(client_for(world.users["grid_worker"]), voice, {"action": "reject", "reason": "不属于本小区"})
    assert response.status_code == 200
    timeline = client_for(world.users["resident"]).get(f"/api/voices/{voice.pk}").json()["timeline"]
    assert [(e["verb"], e["note"]) for e in timeline] == [("reject", "不属于本小区")]


def test_staff_merge_a_duplicate_into_the_original(world: Any, client_for: Any) -> None:
    original = _voice(world)
    duplicate = VoiceFactory.create(compound=world.compound_a, author=_neighbour(world))
    response = _act(client_for(world.users["secretary"]), duplicate, {"action": "merge", "original": original.pk})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["merged_into"]) == ("merged", original.pk)
    assert MeToo.objects.filter(voice=original, user=duplicate.author).exists()


def test_dispatch_without_organization_follows_the_routing(world: Any, client_for: Any) -> None:
    voice = _voice(world)
    response = _act(client_for(world.users["secretary"]), voice, {"action": "dispatch"})
    assert response.status_code == 200
    assert response.json()["lead_organization"] == world.compound_a.property_company.name


def test_author_withdraws_their_voice(world: Any, client_for: Any) -> None:
    voice = _voice(world)
    response = _act(client_for(world.users["resident"]), voice, {"action": "withdraw", "reason": "已自行解决"})
    assert response.status_code == 200
    assert _status(voice) == Status.WITHDRAWN


def test_script_in_a_reply_is_returned_as_a_json_string(world: Any, client_for: Any) -> None:
    voice = _voice(world)
    script = "<script>alert(1)</script>"
    response = _act(client_for(world.users["technician"]), voice, {"action": "resolve", "reply": script})
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["reply"] == script
    assert Voice.objects.get(pk=voice.pk).reply == script


# ---------------------------------------------------------------- illegal transitions and lost races


def test_a_second_accept_loses_the_race_with_409_and_changes_nothing(world: Any, client_for: Any) -> None:
    # given one member of staff accepted the voice a moment ago
    voice = _voice(world)
    assert _act(client_for(world.users["secretary"]), voice, {"action": "accept"}).status_code == 200
    before = voice_state()
    # when another accepts it too
    response = _act(client_for(world.users["property_manager"]), voice, {"action": "accept"})
    # then
    assert response.status_code == 409
    assert error_of(response)["code"] == "illegal_transition"
    assert voice_state() == before


@pytest.mark.parametrize(
    ("status", "who", "data"),
    [
        (Status.WITHDRAWN, "property_manager", {"action": "resolve", "reply": "已修好"}),
        (Status.REJECTED, "secretary", {"action": "accept"}),
        (Status.CLOSED, "resident", {"action": "withdraw"}),
        (Status.SUBMITTED, "resident", {"action": "rate", "score": "satisfied"}),
        (Status.SUBMITTED, "resident", {"action": "reopen"}),
        (Status.ACCEPTED, "secretary", {"action": "reject", "reason": "无效"}),
    ],
)
def test_an_illegal_transition_is_409_and_changes_nothing(
    world: Any, client_for: Any, status: str, who: str, data: dict[str, Any]
) -> None:
    voice = _voice(world, status=status)
    before = voice_state()
    response = _act(client_for(world.users[who]), voice, data)
    assert response.status_code == 409
    assert error_of(response)["code"] in {"illegal_transition", "not_dissatisfied", "conflict"}
    assert voice_state() == before


def test_reopen_after_7_days_is_409(world: Any, client_for: Any) -> None:
    # given a voice resolved 8 days ago and rated dissatisfied then
    long_ago = timezone.now() - datetime.timedelta(days=8)
    voice = _voice(world, status=Status.RESOLVED, resolved_at=long_ago)
    VoiceRating.objects.create(
        community_id=voice.community_id, voice=voice, rater=voice.author, score="dissatisfied", at=long_ago
    )
    before = voice_state()
    # when
    response = _act(client_for(world.users["resident"]), voice, {"action": "reopen"})
    # then
    assert response.status_code == 409
    assert error_of(response)["code"] == "reopen_expired"
    assert voice_state() == before


# ---------------------------------------------------------------- who may act


@pytest.mark.parametrize(
    ("who", "data"),
    [
        ("resident", {"action": "accept"}),
        ("resident", {"action": "resolve", "reply": "自己修好了"}),
        ("neighbour", {"action": "withdraw"}),
        ("neighbour", {"action": "accept"}),
        ("secretary", {"action": "withdraw"}),
        ("technician", {"action": "reject", "reason": "无效"}),
        ("sub_district_supervisor", {"action": "accept"}),
    ],
)
def test_a_transition_the_user_may_not_make_is_403_and_changes_nothing(
    world: Any, client_for: Any, who: str, data: dict[str, Any]
) -> None:
    # given a public voice (the neighbour sees it on the wall)
    voice = _voice(world)
    user = _neighbour(world) if who == "neighbour" else world.users[who]
    before = voice_state()
    # when
    response = _act(client_for(user), voice, data)
    # then
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert voice_state() == before


@pytest.mark.parametrize("who", ["neighbour", "stranger", "lawyer", "officer"])
def test_another_residents_private_voice_is_404_and_changes_nothing(world: Any, client_for: Any, who: str) -> None:
    voice = _voice(world, is_public=False)
    user = _neighbour(world) if who == "neighbour" else world.users[who]
    before = voice_state()
    response = _act(client_for(user), voice, {"action": "withdraw"})
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert voice_state() == before


def test_rating_someone_elses_voice_is_refused(world: Any, client_for: Any) -> None:
    voice = _voice(world, status=Status.RESOLVED, resolved_at=timezone.now())
    neighbour = _neighbour(world)
    before = voice_state()
    response = _act(client_for(neighbour), voice, {"action": "rate", "score": "dissatisfied"})
    assert response.status_code == 403
    assert voice_state() == before


def test_merging_into_a_voice_the_user_cannot_see_is_404(world: Any, client_for: Any) -> None:
    voice = _voice(world)
    elsewhere = VoiceFactory.create(compound=world.compound_b)
    before = voice_state()
    response = _act(client_for(world.users["secretary"]), voice, {"action": "merge", "original": elsewhere.pk})
    assert response.status_code == 404
    assert voice_state() == before


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"action": "approve"}, "action"),
        ({}, "action"),
        ({"action": "<script>alert(1)</script>"}, "action"),
        ({"action": "reject"}, "reason"),
        ({"action": "reject", "reason": "   "}, "reason"),
        ({"action": "reject", "reason": "长" * 10_000}, "reason"),
        ({"action": "resolve"}, "reply"),
        ({"action": "resolve", "reply": "好\x00"}, "reply"),
        ({"action": "merge"}, "original"),
        ({"action": "merge", "original": 0}, "original"),
        ({"action": "dispatch", "organization": 999_999}, "organization"),
        ({"action": "dispatch", "organization": "1; DROP TABLE voices"}, "organization"),
        ({"action": "rate"}, "score"),
        ({"action": "rate", "score": "great"}, "score"),
        ({"action": "accept", "reply": "多余的字段"}, "reply"),
        ({"action": "accept", "status": "closed"}, "status"),
    ],
)
def test_bad_transition_input_is_400_and_changes_nothing(
    world: Any, client_for: Any, data: dict[str, Any], field: str
) -> None:
    # given a submitted voice; the author for rating, staff for the rest
    voice = _voice(world)
    who = "resident" if data.get("action") == "rate" else "secretary"
    before = voice_state()
    # when
    response = _act(client_for(world.users[who]), voice, data)
    # then
    assert response.status_code == 400, response.content
    body = error_of(response)
    assert field in {body["field"], *(e["field"] for e in body.get("errors") or [])}
    assert voice_state() == before


def test_a_transition_of_an_unknown_voice_is_404(world: Any, client_for: Any) -> None:
    response = client_for(world.users["secretary"]).post(
        "/api/voices/999999/transitions", {"action": "accept"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_transitions_need_login(world: Any, client_for: Any) -> None:
    voice = _voice(world)
    before = voice_state()
    response = _act(client_for(None), voice, {"action": "accept"})
    assert response.status_code == 401
    assert voice_state() == before


def test_session_transition_without_csrf_token_is_refused(world: Any) -> None:
    # given a logged-in member of staff in a browser session that enforces CSRF
    voice = _voice(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["secretary"], backend="gongzhi.accounts.backends.PhoneBackend")
    before = voice_state()
    # when
    response = _act(client, voice, {"action": "accept"})
    # then
    assert response.status_code == 403
    assert error_of(response)["code"] == "csrf"
    assert voice_state() == before
    # and with the token from the cookie it goes through
    client.get("/accounts/login/")
    ok = _act(client, voice, {"action": "accept"}, **{"X-CSRFToken": client.cookies["csrftoken"].value})
    assert ok.status_code == 200


# ---------------------------------------------------------------- every role

READERS = {
    "secretary",
    "grid_worker",
    "community_staff",
    "property_manager",
    "customer_service",
    "technician",
    "sub_district_supervisor",
    "district_supervisor",
    "superuser",
    "resident",
}
TRIAGERS = {"secretary", "grid_worker", "community_staff", "property_manager", "customer_service", "superuser"}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_reads_a_private_voice_only_in_scope(world: Any, client_for: Any, role: str) -> None:
    # given the resident's private voice in compound A
    voice = _voice(world, is_public=False)
    # when
    response = client_for(world.users[role]).get(f"/api/voices/{voice.pk}")
    # then
    expected = 401 if role == "anonymous" else 200 if role in READERS else 404
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["author"] == "resident"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_accepts_a_voice_only_as_triager(world: Any, client_for: Any, role: str) -> None:
    # given the resident's private voice in compound A
    voice = _voice(world, is_public=False)
    before = voice_state()
    # when
    response = _act(client_for(world.users[role]), voice, {"action": "accept"})
    # then
    if role == "anonymous":
        expected = 401
    elif role in TRIAGERS:
        expected = 200
    else:
        expected = 403 if role in READERS else 404
    assert response.status_code == expected
    assert (_status(voice) == Status.ACCEPTED) is (expected == 200)
    if expected != 200:
        assert voice_state() == before
