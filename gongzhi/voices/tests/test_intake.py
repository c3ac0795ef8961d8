"""The voice intake: tokens, the one-INSERT request, the drainer, the status endpoint."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core import signing
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from gongzhi.api.tests.helpers import db_state, error_of
from gongzhi.core.errors import NotAllowed
from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import BindingStatus, HouseBinding
from gongzhi.notifications.models import Notification
from gongzhi.testing.factories import HouseFactory, UserFactory
from gongzhi.testing.voices_factories import category
from gongzhi.voices.intake import (
    TOKEN_SALT,
    TOKEN_VALID,
    IntakeTokenError,
    intake_token_read,
    intake_token_sign,
)
from gongzhi.voices.models import (
    IntakeStatus,
    MeToo,
    Voice,
    VoiceAssignment,
    VoiceEvent,
    VoiceIntake,
    VoiceRating,
    VoiceReply,
)
from gongzhi.voices.services.intake import intake_drain, intake_token_issue

pytestmark = pytest.mark.django_db

URL = "/api/voices/intake/"
TOKEN_URL = "/api/voices/intake-token/"
SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def intake_state() -> dict[str, Any]:
    """db_state() plus every voice table and the intakes: equal before and after means nothing was written."""
    state = db_state()
    for model in (Voice, VoiceEvent, VoiceReply, VoiceRating, VoiceAssignment, MeToo, VoiceIntake):
        state[model._meta.label] = sorted(
            json.dumps(row, sort_keys=True, default=str) for row in model._default_manager.values()
        )
    return state


def token_for(user: Any, *, now: datetime.datetime | None = None) -> str:
    return intake_token_sign(user_id=user.pk, now=now or timezone.now())[0]


def voice_data(world: Any, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "compound": world.compound_a.code,
        "kind": "repair",
        "category": category("设施维修").pk,
        "text": "3栋电梯坏了，停了两天",
        "location_kind": "public_area",
        "is_public": True,
    }
    data.update(overrides)
    return data


def send(token: str | None, data: Any, *, key: str | None = "k-1", raw: bool = False, **headers: str) -> Any:
    """POST to the intake as an app does: no cookie, CSRF checked as for any client (none needed)."""
    client = Client(enforce_csrf_checks=True)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if key is not None:
        headers["Idempotency-Key"] = key
    body = data if raw else json.dumps(data, ensure_ascii=False)
    return client.post(URL, body, content_type="application/json", headers=headers)


def status_of(intake_id: int, *, token: str | None = None, client: Any = None) -> Any:
    client = client or Client()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"{URL}{intake_id}/", headers=headers)


# ---------------------------------------------------------------- tokens


def test_a_resident_gets_a_token_that_says_who_and_until_when(world: Any, client_for: Any) -> None:
    # given a logged-in resident
    client = client_for(world.users["resident"])
    # when they ask for an intake token
    response = client.post(TOKEN_URL)
    # then it carries their id and expires in an hour; the issue is audited
    assert response.status_code == 200
    body = response.json()
    read = intake_token_read(body["token"], now=timezone.now())
    assert read.user_id == world.users["resident"].pk
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert TOKEN_VALID - datetime.timedelta(seconds=5) < expires - timezone.now() <= TOKEN_VALID
    assert body["intake_url"] == URL
    assert AuditEvent.objects.filter(verb="voice.intake_token", actor=world.users["resident"]).count() == 1


def test_the_token_endpoint_needs_the_csrf_token_like_every_session_write(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["resident"], backend="gongzhi.accounts.backends.PhoneBackend")
    response = client.post(TOKEN_URL)
    assert response.status_code == 403
    assert error_of(response)["code"] == "csrf"


@pytest.mark.parametrize("role", ["applicant", "stranger", "secretary", "superuser"])
def test_only_residents_get_a_token(world: Any, client_for: Any, role: str) -> None:
    before = intake_state()
    response = client_for(world.users[role]).post(TOKEN_URL)
    assert response.status_code == 403
    assert error_of(response)["message"] == "Only residents may raise voices."
    assert intake_state() == before


def test_anonymous_gets_no_token(world: Any) -> None:
    response = Client().post(TOKEN_URL)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


def test_an_expired_token_is_refused(world: Any) -> None:
    issued = timezone.now() - TOKEN_VALID - datetime.timedelta(seconds=1)
    token = token_for(world.users["resident"], now=issued)
    with pytest.raises(IntakeTokenError) as refused:
        intake_token_read(token, now=timezone.now())
    assert refused.value.code == "expired_token"
    # a second before its end it still holds
    assert intake_token_read(token, now=issued + TOKEN_VALID - datetime.timedelta(seconds=1)).user_id


def test_a_forged_token_is_refused(world: Any) -> None:
    # given a real token of the resident, and the same content claimed for another user
    token = token_for(world.users["resident"])
    value, signature = token.rsplit(":", 1)
    other = signing.b64_encode(json.dumps({"u": world.users["secretary"].pk, "e": 2**31}).encode()).decode()
    for forged in (f"{other}:{signature}", token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x", ""):
        with pytest.raises(IntakeTokenError) as refused:
            intake_token_read(forged, now=timezone.now())
        assert refused.value.code == "invalid_token"
    assert value


def test_a_token_signed_under_another_salt_is_refused(world: Any) -> None:
    # e.g. a meeting's sign-in code, or a value signed by the sessions machinery
    payload = {"u": world.users["resident"].pk, "e": int(timezone.now().timestamp()) + 600}
    for salt in ("gongzhi.meetings.sign-in", "", TOKEN_SALT + "x"):
        token = signing.Signer(salt=salt).sign_object(payload)
        with pytest.raises(IntakeTokenError):
            intake_token_read(token, now=timezone.now())
    assert intake_token_read(signing.Signer(salt=TOKEN_SALT).sign_object(payload), now=timezone.now())


def test_a_token_is_one_users_and_queues_only_for_them(world: Any) -> None:
    resident, neighbour = world.users["resident"], _neighbour(world)
    response = send(token_for(neighbour), voice_data(world))
    assert response.status_code == 202
    intake = VoiceIntake.objects.get()
    assert intake.user == neighbour
    # the resident does not see the neighbour's intake, with their token or their session
    assert status_of(intake.pk, token=token_for(resident)).status_code == 404
    assert status_of(intake.pk, token=token_for(neighbour)).status_code == 200


def test_token_issue_service_refuses_non_residents(world: Any) -> None:
    with pytest.raises(NotAllowed):
        intake_token_issue(user=world.users["applicant"])


# ---------------------------------------------------------------- the request


def test_a_resident_queues_a_voice_with_one_row_and_a_202(world: Any) -> None:
    # given a resident's token
    token = token_for(world.users["resident"])
    before_audit = AuditEvent.objects.count()
    # when the app sends a voice
    response = send(token, voice_data(world, text=SCRIPT))
    # then: 202 with the intake's status URL; one intake row and nothing else
    assert response.status_code == 202
    body = response.json()
    intake = VoiceIntake.objects.get()
    assert body == {
        "id": intake.pk,
        "status": "queued",
        "status_url": f"{URL}{intake.pk}/",
        "voice": None,
        "voice_url": None,
        "error": None,
    }
    assert response["Location"] == f"{URL}{intake.pk}/"
    assert (intake.user, intake.idempotency_key, intake.status) == (world.users["resident"], "k-1", "queued")
    assert intake.payload["text"] == SCRIPT  # kept as typed; answered as JSON, escaped where shown as HTML
    assert Voice.objects.count() == 0
    assert AuditEvent.objects.count() == before_audit
    assert "sessionid" not in response.cookies
    assert "Cookie" not in response.get("Vary", "")  # the session was never read


def test_the_same_key_again_returns_the_same_intake(world: Any) -> None:
    token = token_for(world.users["resident"])
    first = send(token, voice_data(world), key="phone-7f3a")
    before = intake_state()
    again = send(token, voice_data(world, text="另一段文字"), key="phone-7f3a")
    in_body = send(token, voice_data(world, idempotency_key="phone-7f3a"), key=None)
    assert first.status_code == again.status_code == in_body.status_code == 202
    assert first.json()["id"] == again.json()["id"] == in_body.json()["id"]
    assert intake_state() == before
    # once drained, the same key answers with the voice
    intake_drain()
    done = send(token, voice_data(world), key="phone-7f3a").json()
    assert done["status"] == "done" and done["voice"] == Voice.objects.get().pk
    assert done["voice_url"] == f"/api/voices/{done['voice']}"


def test_another_key_is_another_intake(world: Any) -> None:
    token = token_for(world.users["resident"])
    assert send(token, voice_data(world), key="a").json()["id"] != send(token, voice_data(world), key="b").json()["id"]
    assert VoiceIntake.objects.count() == 2


def _neighbour(world: Any) -> Any:
    user = UserFactory.create(name="王五")
    house = HouseFactory.create(unit=world.house_a.unit, room="103", floor=1)
    HouseBinding.objects.create(
        community=world.compound_a.community,
        compound=world.compound_a,
        house=house,
        user=user,
        relation="owner",
        status=BindingStatus.APPROVED,
    )
    return user


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "长" * 2001}, "text"),
        ({"text": "电梯\x00坏了"}, "text"),
        ({"text": None}, "text"),
        ({"kind": "rant"}, "kind"),
        ({"kind": "<script>alert(1)</script>"}, "kind"),
        ({"location_kind": "moon"}, "location_kind"),
        ({"location_kind": "own_house"}, "house"),
        ({"location_kind": "building"}, "building"),
        ({"category": 0}, "category"),
        ({"category": "1 OR 1=1"}, "category"),
        ({"house": 2**70, "location_kind": "own_house"}, "house"),
        ({"is_public": "yes"}, "is_public"),
        ({"compound": "a" * 41}, "compound"),
        ({"compound": "aaa' OR '1'='1"}, "compound"),
        ({"compound": "<b>aaa</b>"}, "compound"),
        ({"author": 1}, "author"),
        ({"idempotency_key": "x" * 65}, "idempotency_key"),
    ],
)
def test_bad_input_is_400_and_queues_nothing(world: Any, overrides: dict[str, Any], field: str) -> None:
    # given a valid token
    token = token_for(world.users["resident"])
    before = intake_state()
    # when the payload is bad
    response = send(token, voice_data(world, **overrides), key=None if "idempotency_key" in overrides else "k-1")
    # then a clear 400 on the field, nothing written
    assert response.status_code == 400, response.content
    assert error_of(response)["field"] == field
    assert intake_state() == before


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{not json", 400, "invalid"),
        ("[]", 400, "invalid"),
        ("", 400, "invalid"),
        ('{"compound": "aaa"}', 400, "invalid"),
        ("x" * (33 * 1024), 413, "too_large"),
    ],
)
def test_malformed_or_oversized_bodies_are_refused(world: Any, body: str, status: int, code: str) -> None:
    token = token_for(world.users["resident"])
    before = intake_state()
    response = send(token, body, raw=True)
    assert response.status_code == status
    assert error_of(response)["code"] == code
    assert intake_state() == before


def test_10000_characters_of_text_are_refused_as_too_large(world: Any) -> None:
    before = intake_state()
    response = send(token_for(world.users["resident"]), voice_data(world, text="长" * 10_000))
    assert response.status_code in (400, 413)
    assert error_of(response)["field"] in ("text", None)
    assert intake_state() == before


def test_without_an_idempotency_key_nothing_is_queued(world: Any) -> None:
    before = intake_state()
    response = send(token_for(world.users["resident"]), voice_data(world), key=None)
    assert response.status_code == 400
    body = error_of(response)
    assert (body["field"], body["code"]) == ("idempotency_key", "required")
    assert intake_state() == before


def test_an_oversized_idempotency_header_is_400(world: Any) -> None:
    before = intake_state()
    response = send(token_for(world.users["resident"]), voice_data(world), key="k" * 65)
    assert response.status_code == 400
    assert (error_of(response)["field"], error_of(response)["code"]) == ("idempotency_key", "too_long")
    assert intake_state() == before


def test_differing_header_and_body_keys_are_400(world: Any) -> None:
    before = intake_state()
    response = send(token_for(world.users["resident"]), voice_data(world, idempotency_key="a"), key="b")
    assert response.status_code == 400
    assert error_of(response)["field"] == "idempotency_key"
    assert intake_state() == before


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-token",
        "Bearer " + "x" * 500,
        "Bearer <script>alert(1)</script>",
    ],
)
def test_a_missing_or_bad_token_is_401_and_queues_nothing(world: Any, authorization: str | None) -> None:
    before = intake_state()
    client = Client(enforce_csrf_checks=True)
    headers = {"Idempotency-Key": "k"} | ({"Authorization": authorization} if authorization is not None else {})
    response = client.post(URL, json.dumps(voice_data(world)), content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert error_of(response)["code"] in ("invalid_token", "unauthenticated")
    assert intake_state() == before


def test_an_expired_or_other_salt_token_is_401(world: Any) -> None:
    resident = world.users["resident"]
    expired = token_for(resident, now=timezone.now() - TOKEN_VALID - datetime.timedelta(minutes=1))
    sign_in = signing.Signer(salt="gongzhi.meetings.sign-in").sign_object({"u": resident.pk, "e": 2**31})
    before = intake_state()
    for token, code in ((expired, "expired_token"), (sign_in, "invalid_token")):
        response = send(token, voice_data(world))
        assert response.status_code == 401
        assert error_of(response)["code"] == code
    assert intake_state() == before


def test_a_session_cookie_is_not_a_token(world: Any) -> None:
    # a logged-in browser (even with its CSRF token) cannot use the intake: it takes a bearer token only
    client = Client()
    client.force_login(world.users["resident"], backend="gongzhi.accounts.backends.PhoneBackend")
    before = intake_state()
    response = client.post(URL, json.dumps(voice_data(world)), content_type="application/json")
    assert response.status_code == 401
    assert intake_state() == before


def test_a_deactivated_users_token_queues_nothing(world: Any) -> None:
    resident = world.users["resident"]
    token = token_for(resident)
    resident.is_active = False
    resident.save(update_fields=["is_active"])
    before = intake_state()
    response = send(token, voice_data(world))
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"
    assert intake_state() == before


def test_the_write_rate_applies_per_token_user(world: Any, monkeypatch: Any) -> None:
    # given a limit of two intakes a minute per user
    from gongzhi.voices import api as voices_api

    monkeypatch.setattr(voices_api.INTAKE_THROTTLE, "num_requests", 2)
    token = token_for(world.users["resident"])
    codes = [send(token, voice_data(world), key=f"k{n}").status_code for n in range(2)]
    before = intake_state()
    # when the same user sends a third
    third = send(token, voice_data(world), key="k2")
    # then 429, nothing queued; another user is not affected
    assert codes == [202, 202]
    assert third.status_code == 429
    assert error_of(third)["code"] == "rate_limited"
    assert intake_state() == before
    assert send(token_for(_neighbour(world)), voice_data(world), key="k0").status_code == 202


# ---------------------------------------------------------------- the drainer


def _comparable_voice(voice: Voice) -> dict[str, Any]:
    skip = {"id", "idempotency_key", "submitted_at", "response_due_at", "resolution_due_at", "updated_at"}
    return {f.attname: getattr(voice, f.attname) for f in Voice._meta.concrete_fields if f.name not in skip}


def _events(voice: Voice) -> list[tuple[Any, ...]]:
    return list(voice.events.order_by("id").values_list("verb", "status", "public", "actor_id", "organization_id"))


def _audit(voice: Voice) -> list[tuple[Any, ...]]:
    rows = AuditEvent.objects.filter(object_type="voices.voice", object_id=str(voice.pk)).order_by("id")
    return [(a.verb, a.actor_id, a.community_id, a.after) for a in rows]


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"location_kind": "own_house", "is_public": False},
        {"location_kind": "building"},
        {"category": None, "text": "小区门口路灯不亮了，晚上很黑"},
        {"kind": "praise", "text": "感谢派出所民警护学岗", "praised_organization": "police"},
    ],
    ids=["public-area", "own-house", "building", "suggested-category", "praise"],
)
def test_draining_makes_the_voice_the_synchronous_api_makes(
    world: Any, client_for: Any, overrides: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    # given the same submission, once through POST /api/voices/ and once through the intake
    category("其他")
    overrides = dict(overrides)
    if overrides.get("praised_organization"):
        overrides["praised_organization"] = world.orgs["police"].pk
    if overrides.get("location_kind") == "own_house":
        overrides["house"] = world.house_a.pk
    if overrides.get("location_kind") == "building":
        overrides["building"] = world.house_a.unit.building_id
    data = voice_data(world, **overrides)
    if data["category"] is None:
        del data["category"]
    resident = world.users["resident"]
    with django_capture_on_commit_callbacks(execute=True):
        sync = client_for(resident).post("/api/voices/", data, content_type="application/json")
    assert sync.status_code == 201, sync.content
    notifications_sync = Notification.objects.count()
    queued = send(token_for(resident), data, key="intake-1")
    assert queued.status_code == 202
    # when the worker drains the intake
    with django_capture_on_commit_callbacks(execute=True):
        counts = intake_drain()
    # then the intake is done, and its voice equals the synchronous one field by field, event by event, in
    # its audit events and notifications
    assert counts == {"done": 1}
    intake = VoiceIntake.objects.get()
    assert (intake.status, intake.error, intake.processed_at is not None) == ("done", "", True)
    assert intake.voice is not None
    made, reference = intake.voice, Voice.objects.get(pk=sync.json()["id"])
    assert _comparable_voice(made) == _comparable_voice(reference)
    assert made.idempotency_key == "intake-1"
    assert made.channel == "api" and made.author == resident
    assert _events(made) == _events(reference)
    assert _audit(made) == _audit(reference) != []
    assert Notification.objects.count() - notifications_sync == notifications_sync
    if data["kind"] == "praise":  # the praised organization's staff were told, once for each voice
        assert notifications_sync > 0
    # deadlines count from when the intake came in
    assert made.submitted_at == intake.created_at
    assert made.response_due_at - made.submitted_at == reference.response_due_at - reference.submitted_at  # type: ignore[operator]
    # and the status endpoint says so
    body = status_of(intake.pk, token=token_for(resident)).json()
    assert (body["status"], body["voice"], body["error"]) == ("done", made.pk, None)


def test_a_drained_intake_is_not_drained_again(world: Any) -> None:
    send(token_for(world.users["resident"]), voice_data(world))
    assert intake_drain() == {"done": 1}
    assert intake_drain() == {}
    assert Voice.objects.count() == 1


def test_an_intake_with_the_key_of_a_voice_already_raised_returns_that_voice(world: Any, client_for: Any) -> None:
    resident = world.users["resident"]
    sync = client_for(resident).post(
        "/api/voices/", voice_data(world), content_type="application/json", headers={"Idempotency-Key": "same"}
    )
    send(token_for(resident), voice_data(world), key="same")
    intake_drain()
    assert VoiceIntake.objects.get().voice_id == sync.json()["id"]
    assert Voice.objects.count() == 1


def _refused(world: Any, user: Any, data: dict[str, Any]) -> VoiceIntake:
    assert send(token_for(user), data).status_code == 202
    before = {m: m.objects.count() for m in (Voice, VoiceEvent, VoiceAssignment, Notification)}
    assert intake_drain() == {"refused": 1}
    assert {m: m.objects.count() for m in before} == before
    return VoiceIntake.objects.get()


@pytest.mark.parametrize(
    ("case", "code", "field", "message"),
    [
        ("not_resident", "forbidden", None, "Only residents of this compound may raise a voice here."),
        ("other_compound", "forbidden", None, "Only residents of this compound may raise a voice here."),
        ("unknown_compound", "not_found", "compound", "No such compound."),
        ("not_my_house", "invalid", "house", "That is not one of your houses in this compound."),
        ("unknown_house", "invalid", "house", "No such house."),
        ("unknown_category", "invalid", "category", "Choose a category."),
        ("foreign_building", "invalid", "building", "That building is not in this compound."),
        ("praise_far_away", "invalid", "praised_organization", "Choose an organization that serves your compound."),
    ],
)
def test_a_refused_intake_records_the_error_and_makes_nothing(
    world: Any, case: str, code: str, field: str | None, message: str
) -> None:
    # given an intake the synchronous API would refuse
    resident = world.users["resident"]
    user, data = resident, voice_data(world)
    if case == "not_resident":
        HouseBinding.objects.filter(user=resident).update(status=BindingStatus.ENDED)
    elif case == "other_compound":
        data["compound"] = world.compound_b.code
    elif case == "unknown_compound":
        data["compound"] = "zzz"
    elif case == "not_my_house":
        data.update(location_kind="own_house", house=world.house_a2.pk)
    elif case == "unknown_house":
        data.update(location_kind="own_house", house=999_999)
    elif case == "unknown_category":
        data["category"] = 999_999
    elif case == "foreign_building":
        data.update(location_kind="building", building=world.house_b.unit.building_id)
    elif case == "praise_far_away":
        from gongzhi.testing.factories import OrganizationFactory

        data.update(kind="praise", praised_organization=OrganizationFactory.create(name="远方物业").pk)
    # when drained: refused, the error recorded (and audited), nothing else written
    intake = _refused(world, user, data)
    assert (intake.status, intake.error_code, intake.error_field or None, intake.error) == (
        "refused",
        code,
        field,
        message,
    )
    assert intake.voice is None and intake.processed_at is not None
    assert AuditEvent.objects.filter(verb="voice.intake_refused", object_id=str(intake.pk)).count() == 1
    body = status_of(intake.pk, token=token_for(user)).json()
    assert body["status"] == "refused"
    assert body["error"] == {"code": code, "message": message, "field": field}


def test_a_resident_deactivated_after_queueing_is_refused(world: Any) -> None:
    resident = world.users["resident"]
    send(token_for(resident), voice_data(world))
    resident.is_active = False
    resident.save(update_fields=["is_active"])
    assert intake_drain() == {"refused": 1}
    assert VoiceIntake.objects.get().error == "Log in to raise a voice."


def test_a_refusal_is_kept_in_chinese(world: Any) -> None:
    # given the real catalogue (the tests read English msgids otherwise) and a worker with no request's language
    from django.conf import settings as django_settings
    from django.test import override_settings

    send(token_for(world.users["resident"]), voice_data(world, compound="zzz"))
    with override_settings(LOCALE_PATHS=[django_settings.BASE_DIR / "locale"]), translation.override("en"):
        intake_drain()
    # then the error is recorded in the platform's language
    assert VoiceIntake.objects.get().error == "没有这个小区。"


def test_one_refusal_does_not_undo_the_others_in_the_batch(world: Any) -> None:
    token = token_for(world.users["resident"])
    send(token, voice_data(world), key="a")
    send(token, voice_data(world, compound="zzz"), key="b")
    send(token, voice_data(world), key="c")
    assert intake_drain() == {"done": 2, "refused": 1}
    statuses = dict(VoiceIntake.objects.values_list("idempotency_key", "status"))
    assert statuses == {"a": "done", "b": "refused", "c": "done"}
    assert Voice.objects.count() == 2


def test_an_unexpected_failure_is_retried_then_refused(world: Any, monkeypatch: Any) -> None:
    from gongzhi.voices.services import intake as intake_services

    send(token_for(world.users["resident"]), voice_data(world))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(intake_services, "voice_submit_outcome", broken)
    # each drain tries it once more, and the third failure refuses it for good
    assert [intake_drain(), intake_drain(), intake_drain(), intake_drain()] == [
        {"retry": 1},
        {"retry": 1},
        {"refused": 1},
        {},
    ]
    intake = VoiceIntake.objects.get()
    assert (intake.status, intake.error_code) == ("refused", "failed")
    assert Voice.objects.count() == 0


def test_the_management_command_drains_now(world: Any, capsys: Any) -> None:
    send(token_for(world.users["resident"]), voice_data(world))
    call_command("voices_intake")
    assert "'done': 1" in capsys.readouterr().out
    assert VoiceIntake.objects.get().status == IntakeStatus.DONE


def test_the_periodic_drain_runs_once_a_period(world: Any) -> None:
    from gongzhi.voices.tasks import INTAKE_INTERVAL, intake_drain_run

    send(token_for(world.users["resident"]), voice_data(world))
    now = timezone.now()
    assert intake_drain_run(now=now, reschedule=False) == {"done": 1}
    # a second chain running a moment later is a double and does nothing
    assert intake_drain_run(now=now + datetime.timedelta(milliseconds=500), reschedule=False) is None
    # the next period runs
    assert intake_drain_run(now=now + INTAKE_INTERVAL, reschedule=False) == {}


# ---------------------------------------------------------------- the status endpoint


def test_the_status_is_read_with_the_token_or_the_session(world: Any, client_for: Any) -> None:
    resident = world.users["resident"]
    intake_id = send(token_for(resident), voice_data(world)).json()["id"]
    assert status_of(intake_id, token=token_for(resident)).json()["status"] == "queued"
    by_session = status_of(intake_id, client=client_for(resident))
    assert by_session.status_code == 200 and by_session.json()["id"] == intake_id


def test_others_do_not_see_an_intake(world: Any, client_for: Any) -> None:
    intake_id = send(token_for(world.users["resident"]), voice_data(world)).json()["id"]
    for role in ("applicant", "secretary", "superuser"):
        response = status_of(intake_id, client=client_for(world.users[role]))
        assert response.status_code == 404, role
        assert error_of(response)["code"] == "not_found"
        assert status_of(intake_id, token=token_for(world.users[role])).status_code == 404


def test_anonymous_and_bad_tokens_get_401_for_the_status(world: Any) -> None:
    intake_id = send(token_for(world.users["resident"]), voice_data(world)).json()["id"]
    anonymous = status_of(intake_id)
    assert anonymous.status_code == 401
    assert error_of(anonymous)["code"] == "unauthenticated"
    assert status_of(intake_id, token="forged:token").status_code == 401


@pytest.mark.parametrize(
    ("intake_id", "status"), [("0", 404), ("99999999", 404), (str(2**70), 404), ("-1", 404), ("abc", 400)]
)
def test_unknown_intakes_are_404(world: Any, intake_id: str, status: int) -> None:
    response = Client().get(
        f"{URL}{intake_id}/", headers={"Authorization": f"Bearer {token_for(world.users['resident'])}"}
    )
    assert response.status_code == status
    error_of(response)


def test_the_intake_is_documented_in_the_openapi_schema(world: Any) -> None:
    schema = Client().get("/api/openapi.json").json()
    paths = schema["paths"]
    assert {"post"} <= set(paths["/api/voices/intake/"])
    assert "202" in paths["/api/voices/intake/"]["post"]["responses"]
    assert paths["/api/voices/intake/"]["post"]["security"] == [{"IntakeBearer": []}]
    assert "/api/voices/intake-token/" in paths and "/api/voices/intake/{intake_id}/" in paths
    assert schema["components"]["securitySchemes"]["IntakeBearer"]["scheme"] == "bearer"
    body = paths["/api/voices/intake/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"compound", "kind", "text", "location_kind", "idempotency_key"} <= set(body["properties"])
    assert "$ref" not in json.dumps(body)  # self-contained
    parameters = paths["/api/voices/intake/"]["post"]["parameters"]
    assert [p["name"] for p in parameters if p["in"] == "header"] == ["Idempotency-Key"]
