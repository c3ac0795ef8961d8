"""Who sees which service request through the GET endpoints.

The endpoints ignore the session: whoever is logged in (every role of the world) sees exactly what an anonymous
client sees — the compound's public voices, minus rejected, merged and withdrawn ones. A key adds the requests
that key itself sent, nothing else; a key of another compound or a revoked key is refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.open311.services import open311_key_create, open311_key_revoke, open311_request_create
from gongzhi.testing.voices_factories import VoiceFactory, category
from gongzhi.testing.world import ALL_ROLES
from gongzhi.voices.models import Status

from .helpers import BASE, json_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def voices(world: Any) -> dict[str, Any]:
    key1, raw1 = open311_key_create(actor=None, compound=world.compound_a, name="一号")
    _key2, raw2 = open311_key_create(actor=None, compound=world.compound_a, name="二号")
    _key_b, raw_b = open311_key_create(actor=None, compound=world.compound_b, name="B")
    revoked, raw_revoked = open311_key_create(actor=None, compound=world.compound_a, name="旧")
    open311_key_revoke(actor=None, key=revoked)
    resident = world.users["resident"]

    def sent(is_public: bool) -> Any:
        return open311_request_create(
            key=key1,
            compound=world.compound_a,
            service_code=str(category("设施维修").pk),
            description="路灯不亮",
            address_string="3栋",
            attributes={"is_public": ["true" if is_public else "false"]},
        )

    made = {
        "public": VoiceFactory.create(compound=world.compound_a, author=resident, is_public=True),
        "private": VoiceFactory.create(compound=world.compound_a, author=resident, is_public=False),
        "public rejected": VoiceFactory.create(compound=world.compound_a, is_public=True, status=Status.REJECTED),
        "public resolved": VoiceFactory.create(compound=world.compound_a, is_public=True, status=Status.RESOLVED),
        "key 1 private": sent(False),
        "key 1 public": sent(True),
        "other compound": VoiceFactory.create(compound=world.compound_b, is_public=True),
    }
    return {"voices": made, "keys": {"key 1": raw1, "key 2": raw2, "key B": raw_b, "revoked": raw_revoked}}


PUBLIC = {"public", "public resolved", "key 1 public"}


def _seen(client: Any, voices: dict[str, Any], key: str | None) -> set[str] | int:
    params = {"jurisdiction_id": "aaa", **({"api_key": voices["keys"][key]} if key else {})}
    response = client.get(BASE + "requests.json", params)
    if response.status_code != 200:
        return int(response.status_code)
    by_id = {str(v.pk): name for name, v in voices["voices"].items()}
    listed = {by_id[r["service_request_id"]] for r in json_of(response)}
    # each one alone answers the same way: listed ones are 200, the others 404
    for name, voice in voices["voices"].items():
        one = client.get(BASE + f"requests/{voice.pk}.json", params)
        assert one.status_code == (200 if name in listed else 404), (name, key)
    return listed


@pytest.mark.parametrize("role", ALL_ROLES)
def test_a_session_adds_nothing_whatever_the_role(
    world: Any, client_for: Any, voices: dict[str, Any], role: str
) -> None:
    assert _seen(client_for(world.users[role]), voices, None) == PUBLIC


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (None, PUBLIC),
        ("key 1", PUBLIC | {"key 1 private"}),
        ("key 2", PUBLIC),
        ("key B", 403),
        ("revoked", 403),
    ],
)
def test_a_key_adds_only_what_it_sent(client: Any, voices: dict[str, Any], key: str | None, expected: Any) -> None:
    assert _seen(client, voices, key) == expected
