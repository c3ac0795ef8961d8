"""GET requests, one request and tokens: what an outside client sees, the filters, defaults and limits."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from gongzhi.open311.services import open311_key_create
from gongzhi.testing.voices_factories import VoiceFactory, category
from gongzhi.voices.models import LocationKind, Status, Voice

from .helpers import BASE, children, errors_of, json_of, xml_of

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def public(world: Any, **kw: Any) -> Voice:
    kw.setdefault("submitted_at", timezone.now() - datetime.timedelta(days=1))
    kw.setdefault("is_public", True)
    return VoiceFactory.create(compound=world.compound_a, **kw)


def listed(client: Any, **params: Any) -> list[dict[str, Any]]:
    response = client.get(BASE + "requests.json", {"jurisdiction_id": "aaa", **params})
    assert response.status_code == 200, response.content
    result: list[dict[str, Any]] = json_of(response)
    return result


def ids(requests: list[dict[str, Any]]) -> list[str]:
    return [r["service_request_id"] for r in requests]


def test_public_voices_are_listed_with_the_spec_fields(client: Any, world: Any) -> None:
    # given a public voice dispatched to the education bureau
    at = datetime.datetime(2026, 11, 20, 1, 30, tzinfo=datetime.UTC)
    voice = public(
        world,
        status=Status.DISPATCHED,
        lead_organization=world.orgs["department"],
        submitted_at=timezone.now() - datetime.timedelta(days=2),
        resolution_due_at=at,
        text="操场围墙倒了",
    )
    # when the requests are listed
    (request,) = listed(client)
    # then every field is there, ids as strings, times in Shanghai time
    assert list(request) == FIELDS
    assert request["service_request_id"] == str(voice.pk)
    assert (request["status"], request["status_notes"]) == ("open", "Dispatched")
    assert (request["service_name"], request["service_code"]) == ("设施维修", str(category("设施维修").pk))
    assert (request["description"], request["agency_responsible"]) == ("操场围墙倒了", "教育局")
    assert request["requested_datetime"] == voice.submitted_at.astimezone(SHANGHAI).replace(microsecond=0).isoformat()
    assert request["requested_datetime"].endswith("+08:00")
    assert request["expected_datetime"] == "2026-11-20T09:30:00+08:00"
    assert request["service_notice"] == "To be resolved by 2026-11-20 09:30."
    assert request["address"] == "A小区"
    assert (request["address_id"], request["zipcode"], request["lat"], request["long"]) == (None, None, None, None)


def test_requests_in_xml_are_service_requests_of_request_elements(client: Any, world: Any) -> None:
    voice = public(world)
    root = xml_of(client.get(BASE + "requests.xml", {"jurisdiction_id": "aaa"}))
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    fields = children(request)
    assert list(fields) == FIELDS
    assert (fields["service_request_id"], fields["status"], fields["agency_responsible"]) == (str(voice.pk), "open", "")


def test_a_resolved_voice_is_closed_with_the_official_reply(client: Any, world: Any) -> None:
    resolved_at = timezone.now() - datetime.timedelta(hours=3)
    public(world, status=Status.RESOLVED, reply="已更换路灯", resolved_at=resolved_at)
    (request,) = listed(client)
    assert (request["status"], request["status_notes"]) == ("closed", "已更换路灯")
    assert request["updated_datetime"] == resolved_at.astimezone(SHANGHAI).replace(microsecond=0).isoformat()
    assert (request["expected_datetime"], request["service_notice"]) == (None, None)


def test_characters_xml_cannot_carry_are_left_out_of_xml_only(client: Any, world: Any) -> None:
    public(world, text="路灯\x0b坏了\x01")
    assert xml_of(client.get(BASE + "requests.xml", {"jurisdiction_id": "aaa"})).findtext("request/description") == (
        "路灯坏了"
    )
    assert listed(client)[0]["description"] == "路灯\x0b坏了\x01"


def test_open311_location_is_given_back(client: Any, world: Any) -> None:
    building = world.house_a.building
    public(world, latitude="30.552100", longitude="114.220100", address_text="东门")
    public(world, location_kind=LocationKind.BUILDING, building=building)
    by_building, by_point = listed(client)
    assert (by_point["lat"], by_point["long"], by_point["address"]) == (30.5521, 114.2201, "东门, A小区")
    assert (by_building["address"], by_building["address_id"]) == (f"{building.name}, A小区", str(building.pk))


def test_private_rejected_merged_withdrawn_and_other_compounds_voices_are_not_shown(client: Any, world: Any) -> None:
    # given one listable voice and several that are not
    shown = public(world)
    hidden = [
        public(world, is_public=False),
        public(world, status=Status.REJECTED),
        public(world, status=Status.MERGED),
        public(world, status=Status.WITHDRAWN),
        VoiceFactory.create(compound=world.compound_b, is_public=True),
    ]
    # then only the listable one is listed, even when asked for by id
    assert ids(listed(client)) == [str(shown.pk)]
    assert ids(listed(client, service_request_id=",".join(str(v.pk) for v in [shown, *hidden]))) == [str(shown.pk)]
    # and each hidden one is 404 on its own, and as a token
    for voice in hidden:
        for path in (f"requests/{voice.pk}.json", f"tokens/{voice.pk}.json"):
            response = client.get(BASE + path, {"jurisdiction_id": "aaa"})
            assert response.status_code == 404
            assert errors_of(response, "json") == [("404", f"service_request_id {voice.pk} was not found.")]


def test_nobody_learns_who_wrote_a_voice(client: Any, world: Any, post: Any) -> None:
    # given a resident's public voice about their own house, and a public Open311 request with contact details
    resident = world.users["resident"]
    own = public(world, author=resident, location_kind=LocationKind.OWN_HOUSE, house=world.house_a)
    own.building = world.house_a.building
    own.save()
    post(
        description="路灯不亮",
        first_name="五",
        last_name="王",
        email="wang@example.com",
        phone="13912345678",
        **{"attribute[is_public]": "true"},
    )
    # when both are read in JSON and XML
    bodies = [
        client.get(BASE + f"requests.{fmt}", {"jurisdiction_id": "aaa"}).content.decode() for fmt in ("json", "xml")
    ]
    # then neither the author nor the contact nor the house appears
    for body in bodies:
        for secret in ("resident", resident.phone, "王五", "wang@example.com", "13912345678"):
            assert secret not in body
        assert world.house_a.building.name not in body


def test_a_key_also_reads_the_private_requests_it_sent(client: Any, world: Any, post: Any, api_key: Any) -> None:
    # given a private request sent with the key
    pk = json_of(post())[0]["service_request_id"]
    other_key = open311_key_create(actor=None, compound=world.compound_a, name="另一系统")[1]
    # then the key sees it in the list, on its own and as a token
    assert ids(listed(client, api_key=api_key[1])) == [pk]
    for path in (f"requests/{pk}.json", f"tokens/{pk}.json"):
        assert client.get(BASE + path, {"jurisdiction_id": "aaa", "api_key": api_key[1]}).status_code == 200
    # and neither the public nor another key of the compound does
    assert listed(client) == [] and listed(client, api_key=other_key) == []
    for key in ("", other_key):
        assert client.get(BASE + f"requests/{pk}.json", {"jurisdiction_id": "aaa", "api_key": key}).status_code == 404


def test_a_bad_key_on_a_read_is_refused(client: Any, world: Any) -> None:
    b_key = open311_key_create(actor=None, compound=world.compound_b, name="B")[1]
    for key, says in (
        ("o311_wrong", "Invalid api_key received: it is unknown or has been revoked."),
        (b_key, "This api_key is not valid for jurisdiction_id aaa."),
    ):
        response = client.get(BASE + "requests.xml", {"jurisdiction_id": "aaa", "api_key": key})
        assert response.status_code == 403
        assert errors_of(response, "xml") == [("403", says)]


def test_requests_are_filtered_by_service_code_and_status(client: Any, world: Any) -> None:
    lamp = public(world)
    school = public(world, category=category("教育配套"), status=Status.CLOSED)
    repair_code, school_code = str(lamp.category_id), str(school.category_id)
    assert ids(listed(client, service_code=repair_code)) == [str(lamp.pk)]
    assert set(ids(listed(client, service_code=f"{repair_code},{school_code}"))) == {str(lamp.pk), str(school.pk)}
    assert listed(client, service_code="999999") == [] and listed(client, service_code="abc") == []
    assert ids(listed(client, status="open")) == [str(lamp.pk)]
    assert ids(listed(client, status="closed")) == [str(school.pk)]
    assert len(listed(client, status="open,closed")) == 2


def test_requests_are_filtered_by_date_range(client: Any, world: Any) -> None:
    # given voices of 1 June, 1 July and 1 August (Shanghai time)
    june, july, august = (
        public(world, submitted_at=datetime.datetime(2026, month, 1, 10, tzinfo=SHANGHAI)) for month in (6, 7, 8)
    )
    # then a range picks those inside it, its ends included
    between = listed(client, start_date="2026-06-15T00:00:00+08:00", end_date="2026-08-01T10:00:00+08:00")
    assert ids(between) == [str(august.pk), str(july.pk)]
    # and a start alone means the 90 days from it; an end alone, the 90 days before it
    assert ids(listed(client, start_date="2026-06-01")) == [str(august.pk), str(july.pk), str(june.pk)]
    assert ids(listed(client, end_date="2026-07-02T00:00:00Z")) == [str(july.pk), str(june.pk)]
    # and UTC ("Z") is understood: 02:00Z is 10:00 in Shanghai
    assert ids(listed(client, start_date="2026-07-01T02:00:00Z", end_date="2026-07-01T02:00:00Z")) == [str(july.pk)]


def test_by_default_only_the_last_90_days_are_listed(client: Any, world: Any) -> None:
    now = timezone.now()
    recent = public(world, submitted_at=now - datetime.timedelta(days=89))
    old = public(world, submitted_at=now - datetime.timedelta(days=91))
    assert ids(listed(client)) == [str(recent.pk)]
    # but ids override the default range (and every other filter)
    assert set(ids(listed(client, service_request_id=f"{old.pk},{recent.pk}", status="closed"))) == {
        str(old.pk),
        str(recent.pk),
    }


def test_at_most_1000_requests_newest_first(client: Any, world: Any) -> None:
    now = timezone.now()
    Voice.objects.bulk_create(
        VoiceFactory.build(
            compound=world.compound_a, is_public=True, author=None, submitted_at=now - datetime.timedelta(minutes=i)
        )
        for i in range(1001)
    )
    requests = listed(client)
    assert len(requests) == 1000
    newest = Voice.objects.order_by("-submitted_at", "-id")[:1000]
    assert ids(requests) == [str(v.pk) for v in newest]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("params", "says"),
    [
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"},
            "start_date and end_date may not span more than 90 days.",
        ),
        ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "end_date is before start_date."),
        (
            {"start_date": "yesterday"},
            "start_date is not a date and time in w3 format, such as 2010-01-01T00:00:00Z.",
        ),
        ({"end_date": "2026-13-01"}, "end_date is not a date and time in w3 format, such as 2010-01-01T00:00:00Z."),
        ({"start_date": "9999-12-31"}, "The dates are out of range."),
        ({"status": "pending"}, "status must be open or closed (or both, comma separated)."),
        ({"service_request_id": "1,x"}, "service_request_id must be request ids separated by commas."),
        ({"jurisdiction_id": ""}, "jurisdiction_id was not provided."),
    ],
)
def test_bad_filters_are_400(client: Any, world: Any, fmt: str, params: dict[str, str], says: str) -> None:
    response = client.get(BASE + f"requests.{fmt}", {"jurisdiction_id": "aaa", **params})
    assert response.status_code == 400
    assert errors_of(response, fmt) == [("400", says)]


def test_a_span_of_exactly_90_days_is_allowed(client: Any, world: Any) -> None:
    listed(client, start_date="2026-01-01T00:00:00Z", end_date="2026-04-01T00:00:00Z")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_one_request_and_its_token(client: Any, world: Any, fmt: str) -> None:
    voice = public(world)
    one = client.get(BASE + f"requests/{voice.pk}.{fmt}", {"jurisdiction_id": "aaa"})
    token = client.get(BASE + f"tokens/{voice.pk}.{fmt}", {"jurisdiction_id": "aaa"})
    assert one.status_code == token.status_code == 200
    if fmt == "json":
        (request,) = json_of(one)
        assert list(request) == FIELDS and request["service_request_id"] == str(voice.pk)
        assert json_of(token) == [{"service_request_id": str(voice.pk), "token": str(voice.pk)}]
    else:
        assert [children(r)["service_request_id"] for r in xml_of(one).findall("request")] == [str(voice.pk)]
        root = xml_of(token)
        assert root.tag == "service_requests"
        assert [children(r) for r in root.findall("request")] == [
            {"service_request_id": str(voice.pk), "token": str(voice.pk)}
        ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_requests_and_tokens_are_404(client: Any, world: Any, fmt: str) -> None:
    other = VoiceFactory.create(compound=world.compound_b, is_public=True)
    for path, value in (("requests", "424242"), ("requests", str(other.pk)), ("tokens", "abc"), ("tokens", "0")):
        response = client.get(BASE + f"{path}/{value}.{fmt}", {"jurisdiction_id": "aaa"})
        assert response.status_code == 404
        assert errors_of(response, fmt) == [("404", f"service_request_id {value} was not found.")]
    response = client.get(BASE + f"requests/{other.pk}.{fmt}")
    assert response.status_code == 400
