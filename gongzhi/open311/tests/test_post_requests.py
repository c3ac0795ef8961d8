"""POST requests: a service request becomes a voice (channel Open311, no author); every bad input is refused
in the spec's error format with nothing changed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.errors import NotAllowed
from gongzhi.core.models import AuditEvent
from gongzhi.open311.models import Open311Key, Open311Submission
from gongzhi.open311.services import open311_key_create, open311_key_revoke, open311_request_create
from gongzhi.testing.factories import BuildingFactory
from gongzhi.voices.models import TEXT_MAX, Category, Channel, Kind, LocationKind, Status, Voice

from .helpers import BASE, children, errors_of, json_of, state, xml_of

pytestmark = pytest.mark.django_db


def test_a_post_becomes_an_open311_voice_without_an_author(post: Any, api_key: Any, repair: Any, world: Any) -> None:
    # when an outside system posts a request with contact details and attributes
    response = post(
        email="zhang@example.com",
        first_name="三",
        last_name="张",
        phone="138-0000-1234",
        address_string="3栋东门",
        account_id="acct-7",
        device_id="dev-1",
        media_url="https://example.com/a.jpg",
        **{"attribute[kind]": "repair", "attribute[is_public]": "true"},
    )
    # then the answer is the new request's id (a string) and a notice, and no token
    assert response.status_code == 200
    (created,) = json_of(response)
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    voice = Voice.objects.get()
    assert created["service_request_id"] == str(voice.pk)
    assert created["account_id"] == "acct-7"
    assert created["service_notice"].startswith("To be resolved by ")
    # and the voice carries what was sent, with no author
    assert (voice.channel, voice.author, voice.kind, voice.category, voice.is_public) == (
        Channel.OPEN311,
        None,
        Kind.REPAIR,
        repair,
        True,
    )
    assert (voice.compound, voice.text, voice.status) == (world.compound_a, "3栋门口路灯不亮", Status.SUBMITTED)
    assert (voice.latitude, voice.longitude) == (Decimal("30.552100"), Decimal("114.220100"))
    assert (voice.address_text, voice.location_kind) == ("3栋东门", LocationKind.PUBLIC_AREA)
    assert (voice.contact_name, voice.contact_email, voice.contact_phone) == (
        "张三",
        "zhang@example.com",
        "13800001234",
    )
    # and the key that brought it in is recorded, used, and named in the audit trail
    key = api_key[0]
    assert Open311Submission.objects.get(voice=voice).key == key
    key.refresh_from_db()
    assert key.last_used_at is not None
    event = AuditEvent.objects.get(verb="open311.request_create")
    assert (event.actor, event.object_id) == (None, str(voice.pk))
    assert event.after is not None and event.after["key_name"] == "12345热线"
    assert AuditEvent.objects.filter(verb="voice.submit", object_id=str(voice.pk)).exists()


def test_a_post_answers_in_xml_with_service_requests(post: Any) -> None:
    response = post("xml")
    root = xml_of(response)
    assert response.status_code == 200
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    fields = children(request)
    assert list(fields) == ["service_request_id", "service_notice", "account_id"]
    assert fields["service_request_id"] == str(Voice.objects.get().pk)
    assert fields["account_id"] == ""


def test_without_attributes_a_request_is_a_private_request_for_help(post: Any) -> None:
    post()
    voice = Voice.objects.get()
    assert (voice.kind, voice.is_public) == (Kind.REQUEST, False)


def test_an_address_id_is_a_building_of_the_compound(post: Any, world: Any) -> None:
    building = world.house_a.building
    post(lat=None, long=None, address_id=str(building.pk))
    voice = Voice.objects.get()
    assert (voice.location_kind, voice.building) == (LocationKind.BUILDING, building)


def test_the_key_and_jurisdiction_may_come_in_the_query_string(client: Any, api_key: Any, repair: Any) -> None:
    # as the old open311 client library sends them
    response = client.post(
        BASE + f"requests.json?api_key={api_key[1]}&jurisdiction_id=aaa",
        {"service_code": str(repair.pk), "description": "楼道灯坏了", "address_string": "5栋"},
    )
    assert response.status_code == 200
    assert Voice.objects.get().address_text == "5栋"


def _revoked(world: Any) -> str:
    key, raw = open311_key_create(actor=None, compound=world.compound_a, name="旧系统")
    open311_key_revoke(actor=None, key=key)
    return raw


def _other_compound(world: Any) -> str:
    return open311_key_create(actor=None, compound=world.compound_b, name="B系统")[1]


INVALID_KEY = "Invalid api_key received: it is unknown or has been revoked."
BAD_INPUT: list[tuple[str, dict[str, Any], int, list[str]]] = [
    ("no key", {"api_key": None}, 403, ["api_key is missing."]),
    ("empty key", {"api_key": ""}, 403, ["api_key is missing."]),
    ("wrong key", {"api_key": "o311_not-a-real-key"}, 403, [INVALID_KEY]),
    ("not a key at all", {"api_key": "xyz"}, 403, [INVALID_KEY]),
    ("revoked key", {"api_key": _revoked}, 403, [INVALID_KEY]),
    (
        "key of another compound",
        {"api_key": _other_compound},
        403,
        ["This api_key is not valid for jurisdiction_id aaa."],
    ),
    ("no jurisdiction", {"jurisdiction_id": None}, 400, ["jurisdiction_id was not provided."]),
    ("unknown jurisdiction", {"jurisdiction_id": "zzz"}, 404, ["jurisdiction_id zzz was not found."]),
    ("no service code", {"service_code": None}, 400, ["service_code was not provided."]),
    ("unknown service code", {"service_code": "424242"}, 404, ["service_code 424242 was not found."]),
    ("empty description", {"description": ""}, 400, ["description is empty: say what the problem is."]),
    ("blank description", {"description": " \n "}, 400, ["description is empty: say what the problem is."]),
    ("no description", {"description": None}, 400, ["description is empty: say what the problem is."]),
    (
        "description one too long",
        {"description": "长" * (TEXT_MAX + 1)},
        400,
        [f"description has {TEXT_MAX + 1} characters; at most {TEXT_MAX} are allowed."],
    ),
    (
        "10,000 characters",
        {"description": "长" * 10_000},
        400,
        [f"description has 10000 characters; at most {TEXT_MAX} are allowed."],
    ),
    ("null character", {"description": "a\x00b"}, 400, ["description may not contain null characters."]),
    ("latitude over 90", {"lat": "90.5"}, 400, ["lat must be a number from -90 to 90."]),
    ("longitude under -180", {"long": "-180.01"}, 400, ["long must be a number from -180 to 180."]),
    ("latitude not a number", {"lat": "north"}, 400, ["lat must be a number from -90 to 90."]),
    ("latitude NaN", {"lat": "NaN"}, 400, ["lat must be a number from -90 to 90."]),
    ("longitude infinite", {"long": "Infinity"}, 400, ["long must be a number from -180 to 180."]),
    ("latitude without longitude", {"long": None}, 400, ["lat and long must be sent together."]),
    (
        "no location",
        {"lat": None, "long": None},
        400,
        ["A location is required: lat and long, address_string or address_id."],
    ),
    (
        "address too long",
        {"address_string": "路" * 256},
        400,
        ["address_string has 256 characters; at most 255 are allowed."],
    ),
    ("unknown address id", {"address_id": "999999"}, 400, ["address_id 999999 is not a building of this compound."]),
    ("bad e-mail", {"email": "not-an-address"}, 400, ["email is not a valid e-mail address."]),
    (
        "bad phone",
        {"phone": "call me<script>"},
        400,
        ["phone may contain only digits, spaces, dashes, brackets and a leading +."],
    ),
    (
        "bad kind",
        {"attribute[kind]": "rant"},
        400,
        [f"attribute[kind] must be one of: {', '.join(Kind.values)}."],
    ),
    ("bad visibility", {"attribute[is_public]": "maybe"}, 400, ["attribute[is_public] must be true or false."]),
    (
        "several problems at once",
        {"description": "", "lat": "100", "email": "x"},
        400,
        [
            "description is empty: say what the problem is.",
            "lat must be a number from -90 to 90.",
            "email is not a valid e-mail address.",
        ],
    ),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("label", "fields", "status", "errors"), BAD_INPUT, ids=[case[0] for case in BAD_INPUT])
def test_bad_input_is_refused_in_the_spec_format_and_changes_nothing(
    post: Any, world: Any, fmt: str, label: str, fields: dict[str, Any], status: int, errors: list[str]
) -> None:
    # given the fields of a bad request (some need a key made first)
    fields = {name: value(world) if callable(value) else value for name, value in fields.items()}
    before = state()
    # when it is posted
    response = post(fmt, **fields)
    # then it is refused with the spec's status, code and a clear description, and nothing changed
    assert response.status_code == status, response.content
    assert [text for _code, text in errors_of(response, fmt)] == errors
    assert state() == before


def test_an_oversized_body_is_refused_in_the_spec_format(post: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = state()
    response = post("xml", description="长" * 5_000)
    assert response.status_code == 400
    assert errors_of(response, "xml") == [("400", "The request is too large.")]
    assert state() == before


def test_other_methods_are_405(client: Any, world: Any) -> None:
    response = client.put(BASE + "requests.json")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, POST"
    assert errors_of(response, "json") == [("405", "Method PUT is not allowed here.")]


def test_an_inactive_category_is_no_service(post: Any, repair: Any) -> None:
    Category.objects.filter(pk=repair.pk).update(is_active=False)
    before = state()
    response = post()
    assert response.status_code == 404
    assert state() == before


def test_a_building_of_another_compound_is_no_address(post: Any, world: Any) -> None:
    other = BuildingFactory.create(compound=world.compound_b)
    before = state()
    response = post(address_id=str(other.pk))
    assert response.status_code == 400
    assert state() == before


def test_a_refused_key_is_audited_as_denied_access(post: Any) -> None:
    post(api_key="o311_wrong")
    denied = AuditEvent.objects.get(verb="access.denied")
    assert (denied.object_id, denied.after) == (BASE + "requests.json", {"method": "POST", "code": "open311_api_key"})


def test_script_in_the_description_is_kept_as_text_and_escaped(post: Any, client_for: Any, world: Any) -> None:
    script = '<script>alert("x")</script> & <b>粗</b>'
    # when a request with markup is posted as public
    response = post(description=script, **{"attribute[is_public]": "true"})
    pk = json_of(response)[0]["service_request_id"]
    # then it is stored exactly as sent
    assert Voice.objects.get().text == script
    # and XML carries it escaped, reading back the same text
    xml = client_for(None).get(BASE + f"requests/{pk}.xml", {"jurisdiction_id": "aaa"})
    assert b"<script>" not in xml.content and b"&lt;script&gt;" in xml.content
    assert xml_of(xml).findtext("request/description") == script
    # and JSON carries the same string (JSON is no HTML)
    as_json = json_of(client_for(None).get(BASE + f"requests/{pk}.json", {"jurisdiction_id": "aaa"}))
    assert as_json[0]["description"] == script
    # and staff see it escaped on the voice page
    page = client_for(world.users["secretary"]).get(f"/voices/{pk}/")
    assert page.status_code == 200
    assert b"<script>alert" not in page.content and b"&lt;script&gt;alert" in page.content


def test_posts_per_key_are_rate_limited(post: Any, settings: Any) -> None:
    # given a limit of two posts a minute
    settings.OPEN311_POSTS_PER_MINUTE = 2
    assert post().status_code == 200 and post().status_code == 200
    # when a third one comes within the minute
    response = post()
    # then it is refused (429) in the spec's format, and only two voices exist
    assert response.status_code == 429
    assert errors_of(response, "json") == [("429", "Too many requests with this api_key; wait a minute.")]
    assert Voice.objects.count() == 2


def test_many_wrong_keys_from_one_address_are_slowed_down(post: Any) -> None:
    statuses = [post(api_key=f"o311_guess{i}").status_code for i in range(22)]
    assert statuses[:20] == [403] * 20 and statuses[20:] == [429, 429]
    assert AuditEvent.objects.filter(verb="access.denied").count() == 20


def test_a_key_revoked_in_the_meantime_writes_nothing(api_key: Any, repair: Any, world: Any) -> None:
    # given a key object read before it was revoked elsewhere
    key = api_key[0]
    Open311Key.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    before = state()
    # when a request is created with it, then it is refused and nothing is written
    with pytest.raises(NotAllowed, match="revoked"):
        open311_request_create(
            key=key, compound=world.compound_a, service_code=str(repair.pk), description="路灯", address_string="3栋"
        )
    assert state() == before
