"""API: residents raise voices, everyone lists and reads the voices they may see (names hidden from neighbours)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongzhi.api.tests.helpers import db_state, error_of
from gongzhi.estates.models import BindingStatus, HouseBinding, Relation
from gongzhi.testing.factories import HouseFactory, UserFactory
from gongzhi.testing.voices_factories import VoiceFactory, category
from gongzhi.voices import api as voices_api
from gongzhi.voices.models import MeToo, Status, Voice, VoiceAssignment, VoiceEvent, VoiceRating, VoiceReply

pytestmark = pytest.mark.django_db

URL = "/api/voices/"
SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def voice_state() -> dict[str, Any]:
    """The domain tables of db_state() plus every voice table: equal before and after means nothing changed."""
    state = db_state()
    for model in (Voice, VoiceEvent, VoiceReply, VoiceRating, VoiceAssignment, MeToo):
        state[model._meta.label] = sorted(
            json.dumps(row, sort_keys=True, default=str) for row in model._default_manager.values()
        )
    return state


def _post(client: Any, data: Any, **headers: str) -> Any:
    return client.post(URL, data, content_type="application/json", headers=headers)


def _voice_data(world: Any, **overrides: Any) -> dict[str, Any]:
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


def _neighbour(world: Any) -> Any:
    """Another approved resident of compound A (a different house)."""
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


def _voice(world: Any, **kw: Any) -> Voice:
    return VoiceFactory.create(compound=world.compound_a, author=world.users["resident"], **kw)


# ---------------------------------------------------------------- create


def test_resident_raises_a_voice(world: Any, client_for: Any) -> None:
    # given an approved resident of compound A
    client = client_for(world.users["resident"])
    # when
    response = _post(client, _voice_data(world))
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["kind"], body["compound"], body["is_mine"]) == (
        "submitted",
        "repair",
        world.compound_a.code,
        True,
    )
    voice = Voice.objects.get(pk=body["id"])
    assert (voice.author, voice.compound, voice.text, voice.is_public) == (
        world.users["resident"],
        world.compound_a,
        "3栋电梯坏了，停了两天",
        True,
    )
    assert [e["verb"] for e in body["timeline"]] == ["submit"]


def test_resident_raises_a_voice_about_their_own_house(world: Any, client_for: Any) -> None:
    response = _post(
        client_for(world.users["resident"]),
        _voice_data(world, location_kind="own_house", house=world.house_a.pk, is_public=False),
    )
    assert response.status_code == 201
    assert response.json()["house"] == world.house_a.pk
    assert Voice.objects.get().house == world.house_a


def test_praise_goes_to_the_praised_organization(world: Any, client_for: Any) -> None:
    police = world.orgs["police"]
    response = _post(
        client_for(world.users["resident"]),
        _voice_data(world, kind="praise", text="感谢派出所民警护学岗", praised_organization=police.pk),
    )
    assert response.status_code == 201
    assert response.json()["lead_organization"] == police.name


def test_without_category_one_is_suggested(world: Any, client_for: Any) -> None:
    category("其他")
    data = _voice_data(world)
    del data["category"]
    response = _post(client_for(world.users["resident"]), data)
    assert response.status_code == 201
    assert response.json()["category"]["name"]


def test_script_in_text_is_stored_as_text_and_returned_as_a_json_string(world: Any, client_for: Any) -> None:
    # when
    response = _post(client_for(world.users["resident"]), _voice_data(world, text=SCRIPT))
    # then the text is kept as typed, answered as JSON (never HTML)
    assert response.status_code == 201
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["text"] == SCRIPT
    assert Voice.objects.get().text == SCRIPT
    listed = client_for(world.users["resident"]).get(URL)
    assert listed["Content-Type"].startswith("application/json")
    assert listed.json()["items"][0]["text"] == SCRIPT


def test_2000_characters_are_accepted(world: Any, client_for: Any) -> None:
    response = _post(client_for(world.users["resident"]), _voice_data(world, text="长" * 2000))
    assert response.status_code == 201
    assert len(Voice.objects.get().text) == 2000


def test_the_same_idempotency_key_twice_gives_one_voice(world: Any, client_for: Any) -> None:
    # given a voice sent with a key
    client = client_for(world.users["resident"])
    first = _post(client, _voice_data(world), **{"Idempotency-Key": "phone-7f3a"})
    before = voice_state()
    # when the phone sends it again (a retry after a lost answer)
    again = _post(client, _voice_data(world), **{"Idempotency-Key": "phone-7f3a"})
    # then the same voice comes back and nothing new is written
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert Voice.objects.count() == 1
    assert voice_state() == before


def test_the_idempotency_key_may_come_in_the_body(world: Any, client_for: Any) -> None:
    client = client_for(world.users["resident"])
    first = _post(client, _voice_data(world, idempotency_key="k-1"))
    again = _post(client, _voice_data(world, idempotency_key="k-1"))
    other = _post(client, _voice_data(world, idempotency_key="k-2"))
    assert first.json()["id"] == again.json()["id"] != other.json()["id"]
    assert Voice.objects.count() == 2


def test_differing_header_and_body_keys_are_400(world: Any, client_for: Any) -> None:
    before = voice_state()
    response = _post(
        client_for(world.users["resident"]), _voice_data(world, idempotency_key="a"), **{"Idempotency-Key": "b"}
    )
    assert response.status_code == 400
    assert error_of(response)["field"] == "idempotency_key"
    assert voice_state() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "长" * 2001}, "text"),
        ({"text": "长" * 10_000}, "text"),
        ({"text": "电梯\x00坏了"}, "text"),
        ({"text": None}, "text"),
        ({"kind": "rant"}, "kind"),
        ({"kind": "<script>alert(1)</script>"}, "kind"),
        ({"location_kind": "moon"}, "location_kind"),
        ({"location_kind": "own_house"}, "house"),
        ({"location_kind": "building"}, "building"),
        ({"location_kind": "building", "building": 999_999}, "building"),
        ({"location_kind": "own_house", "house": 999_999}, "house"),
        ({"category": 0}, "category"),
        ({"category": 999_999}, "category"),
        ({"category": "1 OR 1=1"}, "category"),
        ({"house": 2**70, "location_kind": "own_house"}, "house"),
        ({"is_public": "yes"}, "is_public"),
        ({"status": "resolved"}, "status"),
        ({"author": 1}, "author"),
        ({"idempotency_key": "k" * 65}, "idempotency_key"),
        ({"praised_organization": 999_999, "kind": "praise"}, "praised_organization"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(
    world: Any, client_for: Any, overrides: dict[str, Any], field: str
) -> None:
    # given
    client = client_for(world.users["resident"])
    before = voice_state()
    # when
    response = _post(client, _voice_data(world, **overrides))
    # then
    assert response.status_code == 400
    body = error_of(response)
    assert field in {body["field"], *(e["field"] for e in body.get("errors") or [])}
    assert voice_state() == before


@pytest.mark.parametrize("missing", ["compound", "kind", "text", "location_kind"])
def test_missing_field_is_400_and_changes_nothing(world: Any, client_for: Any, missing: str) -> None:
    data = _voice_data(world)
    del data[missing]
    before = voice_state()
    response = _post(client_for(world.users["resident"]), data)
    assert response.status_code == 400
    assert missing in {e["field"] for e in error_of(response)["errors"]}
    assert voice_state() == before


def test_no_body_or_not_json_is_400(world: Any, client_for: Any) -> None:
    client = client_for(world.users["resident"])
    before = voice_state()
    assert client.post(URL).status_code == 400
    assert client.post(URL, "not json{", content_type="application/json").status_code == 400
    assert voice_state() == before


def test_someone_elses_house_is_400(world: Any, client_for: Any) -> None:
    before = voice_state()
    response = _post(
        client_for(world.users["resident"]), _voice_data(world, location_kind="own_house", house=world.house_a2.pk)
    )
    assert response.status_code == 400
    assert error_of(response)["field"] == "house"
    assert voice_state() == before


def test_oversized_idempotency_header_is_400(world: Any, client_for: Any) -> None:
    before = voice_state()
    response = _post(client_for(world.users["resident"]), _voice_data(world), **{"Idempotency-Key": "k" * 65})
    assert response.status_code == 400
    assert voice_state() == before


@pytest.mark.parametrize("who", ["stranger", "applicant", "secretary"])
def test_only_residents_of_the_compound_raise_voices_there(world: Any, client_for: Any, who: str) -> None:
    before = voice_state()
    response = _post(client_for(world.users[who]), _voice_data(world))
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert voice_state() == before


def test_resident_of_a_over_compound_b_is_403(world: Any, client_for: Any) -> None:
    before = voice_state()
    response = _post(client_for(world.users["resident"]), _voice_data(world, compound=world.compound_b.code))
    assert response.status_code == 403
    assert voice_state() == before


@pytest.mark.parametrize("code", ["nope", "../etc", "a" * 41])
def test_unknown_compound_is_404_or_400(world: Any, client_for: Any, code: str) -> None:
    before = voice_state()
    response = _post(client_for(world.users["resident"]), _voice_data(world, compound=code))
    assert response.status_code in (400, 404)
    error_of(response)
    assert voice_state() == before


def test_raising_a_voice_needs_login(world: Any, client_for: Any) -> None:
    before = voice_state()
    response = _post(client_for(None), _voice_data(world))
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert voice_state() == before


def test_session_post_without_csrf_token_is_refused_and_changes_nothing(world: Any) -> None:
    # given a logged-in browser session that enforces CSRF
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["resident"], backend="gongzhi.accounts.backends.PhoneBackend")
    before = voice_state()
    # when the write carries no token
    response = _post(client, _voice_data(world))
    # then
    assert response.status_code == 403
    assert error_of(response)["code"] == "csrf"
    assert voice_state() == before


def test_session_post_with_csrf_token_is_accepted(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["resident"], backend="gongzhi.accounts.backends.PhoneBackend")
    client.get("/accounts/login/")  # the log-in page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = _post(client, _voice_data(world), **{"X-CSRFToken": token})
    assert response.status_code == 201


def test_raising_voices_is_rate_limited(world: Any, client_for: Any, monkeypatch: Any) -> None:
    # given a limit of one write a minute, already used
    monkeypatch.setattr(voices_api.WRITE_THROTTLE, "num_requests", 1)
    client = client_for(world.users["resident"])
    assert _post(client, _voice_data(world)).status_code == 201
    before = voice_state()
    # when
    response = _post(client, _voice_data(world, text="又一条"))
    # then
    assert response.status_code == 429
    assert error_of(response)["code"] == "rate_limited"
    assert voice_state() == before


# ---------------------------------------------------------------- list


def test_resident_lists_their_own_voices_with_their_name(world: Any, client_for: Any) -> None:
    # given one voice of the resident and a private one of a neighbour
    mine = _voice(world)
    VoiceFactory.create(compound=world.compound_a, author=_neighbour(world))
    # when
    body = client_for(world.users["resident"]).get(URL).json()
    # then
    assert [v["id"] for v in body["items"]] == [mine.pk]
    assert (body["count"], body["items"][0]["author"], body["items"][0]["is_mine"]) == (1, "resident", True)


def test_staff_list_the_compounds_voices_with_names_masked(world: Any, client_for: Any) -> None:
    voice = _voice(world)
    body = client_for(world.users["secretary"]).get(URL).json()
    assert [v["id"] for v in body["items"]] == [voice.pk]
    assert body["items"][0]["author"] == "r******t"
    assert body["items"][0]["is_mine"] is False


@pytest.mark.parametrize("who", ["stranger", "applicant", "lawyer", "representative"])
def test_others_list_no_voices(world: Any, client_for: Any, who: str) -> None:
    _voice(world)
    body = client_for(world.users[who]).get(URL).json()
    assert (body["count"], body["items"]) == (0, [])


def test_list_filters_by_status_kind_compound_and_words(world: Any, client_for: Any) -> None:
    # given
    lift = _voice(world, text="电梯坏了", kind="repair")
    noise = _voice(world, text="晚上广场舞太吵", kind="complaint", status=Status.ACCEPTED)
    client = client_for(world.users["secretary"])

    def ids(**params: Any) -> list[int]:
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        return [v["id"] for v in response.json()["items"]]

    # then
    assert ids(status="accepted") == [noise.pk]
    assert ids(kind="repair") == [lift.pk]
    assert ids(q="电梯") == [lift.pk]
    assert set(ids(compound=world.compound_a.code)) == {lift.pk, noise.pk}
    assert ids(compound=world.compound_b.code) == []
    assert ids(compound="no such/code") == []


def test_the_list_takes_the_same_number_of_queries_for_many_voices(
    world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    # given the number of queries for a page of one voice
    _voice(world)
    client = client_for(world.users["secretary"])
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    # when the page holds twenty voices
    for _ in range(19):
        _voice(world, building=world.house_a.building, lead_organization=world.orgs["police"])
    # then it takes no more queries
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(URL).json()
    assert body["count"] == 20


def test_list_is_paginated(world: Any, client_for: Any) -> None:
    for _ in range(3):
        _voice(world)
    body = client_for(world.users["resident"]).get(URL, {"page": 2, "page_size": 2}).json()
    assert (body["count"], body["page"], body["pages"], len(body["items"])) == (3, 2, 2, 1)


@pytest.mark.parametrize(
    "params",
    [{"status": "lost"}, {"kind": "rant"}, {"page": 0}, {"page_size": 1000}, {"q": "x" * 51}],
)
def test_bad_list_filters_are_400(world: Any, client_for: Any, params: dict[str, Any]) -> None:
    response = client_for(world.users["resident"]).get(URL, params)
    assert response.status_code == 400
    error_of(response)


def test_listing_needs_login(world: Any, client_for: Any) -> None:
    response = client_for(None).get(URL)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


# ---------------------------------------------------------------- one voice


def test_author_reads_their_voice_with_the_timeline(world: Any, client_for: Any) -> None:
    # given a voice raised through the API
    client = client_for(world.users["resident"])
    created = _post(client, _voice_data(world, is_public=False)).json()
    # when
    response = client.get(f"{URL}{created['id']}")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["author"] == "resident"
    assert [(e["verb"], e["status"], e["actor"]) for e in body["timeline"]] == [("submit", "submitted", "resident")]


def test_neighbour_reads_a_public_voice_without_the_authors_name(world: Any, client_for: Any) -> None:
    # given a public voice about the resident's own house
    voice_id = _post(
        client_for(world.users["resident"]),
        _voice_data(world, location_kind="own_house", house=world.house_a.pk, is_public=True),
    ).json()["id"]
    # when a neighbour of the same compound opens it
    response = client_for(_neighbour(world)).get(f"{URL}{voice_id}")
    # then the name and the house are hidden, everywhere in the answer
    assert response.status_code == 200
    body = response.json()
    assert (body["author"], body["house"], body["is_mine"]) == ("A resident", None, False)
    assert [e["actor"] for e in body["timeline"]] == ["A resident"]
    assert 'resident"' not in response.content.decode().replace('"A resident"', "")


def test_staff_read_a_voice_with_the_authors_name(world: Any, client_for: Any) -> None:
    voice = _voice(world, is_public=False)
    body = client_for(world.users["property_manager"]).get(f"{URL}{voice.pk}").json()
    assert body["author"] == "resident"


@pytest.mark.parametrize("who", ["neighbour", "stranger", "applicant", "lawyer"])
def test_another_residents_private_voice_is_404(world: Any, client_for: Any, who: str) -> None:
    # given a private voice of the resident
    voice = _voice(world, is_public=False)
    user = _neighbour(world) if who == "neighbour" else world.users[who]
    # when
    response = client_for(user).get(f"{URL}{voice.pk}")
    # then
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("voice_id", ["999999", str(2**70), "0", "abc"])
def test_unknown_voice_is_404_or_400(world: Any, client_for: Any, voice_id: str) -> None:
    response = client_for(world.users["resident"]).get(f"{URL}{voice_id}")
    assert response.status_code in (400, 404)
    error_of(response)


def test_reading_a_voice_needs_login(world: Any, client_for: Any) -> None:
    voice = _voice(world, is_public=True)
    assert client_for(None).get(f"{URL}{voice.pk}").status_code == 401


def test_the_api_is_documented(world: Any, client_for: Any) -> None:
    paths = client_for(world.users["resident"]).get("/api/openapi.json").json()["paths"]
    assert {"/api/voices/", "/api/voices/{voice_id}", "/api/voices/{voice_id}/transitions"} <= set(paths)


def test_voices_from_outside_are_listed_with_their_masked_contact(world: Any, client_for: Any) -> None:
    # given a voice that came in through Open311 (no author, a contact name) and one from a ledger (neither)
    VoiceFactory.create(compound=world.compound_a, author=None, channel="open311", contact_name="王建国")
    VoiceFactory.create(compound=world.compound_a, author=None, channel="ledger")
    # when community staff list the voices
    response = client_for(world.users["community_staff"]).get(URL)
    # then both are listed, the contact masked and the ledger one named by its channel
    assert response.status_code == 200
    authors = sorted(item["author"] for item in response.json()["items"])
    assert authors == ["Ledger import", "王*国"]
