"""Interoperability: a third-party GeoReport v2 client from PyPI (civicbot's ``Open311Client``) drives a live
server — discovery, services, a service definition, a POST, reading it back, lists with filters, a token and
the spec's errors. Transactional: the seeded categories are flushed, so the test makes what it needs."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from civicbot import Endpoint, HttpError, HttpTransport, Open311Client, ValidationError
from civicbot.http import RateLimiter
from django.utils import timezone

from gongzhi.open311.models import Open311Submission
from gongzhi.open311.services import open311_key_create
from gongzhi.testing.voices_factories import VoiceFactory, category
from gongzhi.voices.models import Channel, Kind, Status, Voice

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_third_party_client_drives_the_live_server(world: Any, live_server: Any) -> None:
    # given two services, a key of compound A and an older public voice there
    repair, school = category("设施维修"), category("教育配套")
    raw = open311_key_create(actor=None, compound=world.compound_a, name="互通测试")[1]
    older = VoiceFactory.create(
        compound=world.compound_a,
        is_public=True,
        category=school,
        status=Status.RESOLVED,
        reply="已答复",
        submitted_at=timezone.now() - datetime.timedelta(days=3),
    )
    base = f"{live_server.url}/open311/v2"
    http = HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    client = Open311Client(Endpoint(id="gongzhi", name="共治", base_url=base, write=True), http, jurisdiction_id="aaa")

    # discovery (through the client's transport: the client has no call for it) names this endpoint
    (endpoint,) = http.get_json(f"{base}/discovery.json")["endpoints"]
    assert (endpoint["url"], endpoint["specification"]) == (base, "http://wiki.open311.org/GeoReport_v2")

    # the service list and a service definition
    services = {s["service_name"]: s for s in client.list_services()}
    code = services["设施维修"]["service_code"]
    assert code == str(repair.pk) and services["设施维修"]["metadata"] is True
    definition = client.get_service_definition(code)
    assert [a["code"] for a in definition["attributes"]] == ["kind", "is_public"]

    # the client checks a request against the live schema before sending it: a kind we do not offer is refused
    with pytest.raises(ValidationError, match="kind"):
        client.create_request(
            code, validate_remote=True, lat=30.5521, lng=114.2201, description="x", attributes={"kind": "rant"}
        )

    # posting a request for real (the client is dry-run by default)
    sent = client.create_request(
        code,
        dry_run=False,
        confirm="SEND",
        api_key=raw,
        validate_remote=True,
        lat=30.5521,
        lng=114.2201,
        address_string="3栋东门",
        description="3栋门口路灯不亮",
        attributes={"kind": "repair", "is_public": "true"},
        email="li@example.com",
        first_name="四",
        last_name="李",
        account_id="acct-9",
    )
    (created,) = sent.response
    request_id = created["service_request_id"]
    assert isinstance(request_id, str) and created["account_id"] == "acct-9" and "token" not in created
    voice = Voice.objects.get(pk=int(request_id))
    assert (voice.channel, voice.author, voice.kind, voice.is_public) == (Channel.OPEN311, None, Kind.REPAIR, True)
    assert Open311Submission.objects.filter(voice=voice).exists()

    # reading it back
    got = client.get_request(request_id)
    assert got is not None
    assert (got["service_request_id"], got["status"], got["service_code"]) == (request_id, "open", code)
    assert (got["description"], got["lat"], got["long"]) == ("3栋门口路灯不亮", 30.5521, 114.2201)
    assert got["address"].startswith("3栋东门, A小区")

    # lists with filters: by id, service code, status and a date range
    assert [r["service_request_id"] for r in client.list_requests(service_request_ids=[request_id])] == [request_id]
    assert [r["service_request_id"] for r in client.list_requests(service_code=code)] == [request_id]
    assert [r["service_request_id"] for r in client.list_requests(status="closed")] == [str(older.pk)]
    now = timezone.localtime(timezone.now()).replace(microsecond=0)
    week_ago, soon = (now - datetime.timedelta(days=7)).isoformat(), (now + datetime.timedelta(minutes=1)).isoformat()
    ranged = client.list_requests(start_date=week_ago, end_date=soon)
    assert {r["service_request_id"] for r in ranged} == {request_id, str(older.pk)}

    # a token (we are realtime: the id is the token)
    assert client.get_token(request_id) == [{"service_request_id": request_id, "token": request_id}]

    # errors come back as the spec's documents with its status codes
    with pytest.raises(HttpError) as wrong_key:
        client.create_request(code, dry_run=False, confirm="SEND", api_key="o311_wrong", lat=30.5, lng=114.2)
    assert wrong_key.value.status == 403
    assert json.loads(wrong_key.value.body) == [
        {"code": 403, "description": "Invalid api_key received: it is unknown or has been revoked."}
    ]
    with pytest.raises(HttpError) as too_long:
        client.list_requests(start_date="2026-01-01T00:00:00Z", end_date="2026-06-01T00:00:00Z")
    assert too_long.value.status == 400
    assert json.loads(too_long.value.body)[0]["code"] == 400
    with pytest.raises(HttpError) as unknown:
        client.get_service_definition("424242")
    assert unknown.value.status == 404
    assert Voice.objects.count() == 2
