"""Every role in the world × every action of the voice intake.

- token: ``POST /api/voices/intake-token/`` with the role's session — approved residents only;
- raise: a token signed for the role's user (as if issued while they were a resident, so that the worker's
  checks are what is tested) queues a voice, and the drainer raises it — only for compound A's resident;
  everyone else's intake is refused, nothing made;
- status (own): reading one's own intake — every logged-in role (anonymous: 401);
- status (others'): reading compound A's resident's intake — only that resident; every other role 404.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.testing.voices_factories import category
from gongzhi.testing.world import ALL_ROLES
from gongzhi.voices.intake import intake_token_sign
from gongzhi.voices.models import IntakeStatus, Voice, VoiceIntake
from gongzhi.voices.services.intake import intake_drain

pytestmark = pytest.mark.django_db

URL = "/api/voices/intake/"
LOGGED_IN = set(ALL_ROLES) - {"anonymous"}

EXPECTED: dict[str, set[str]] = {
    "token": {"resident"},
    "raise": {"resident"},
    "status_own": LOGGED_IN,
    "status_others": {"resident"},
}


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="gongzhi.accounts.backends.PhoneBackend")
    return client


def _bearer(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {intake_token_sign(user_id=user.pk, now=timezone.now())[0]}"}


def _queue(world: Any, user: Any, key: str) -> int:
    data = {
        "compound": world.compound_a.code,
        "kind": "repair",
        "category": category("设施维修").pk,
        "text": "3栋电梯坏了",
        "location_kind": "public_area",
    }
    response = Client().post(
        URL, json.dumps(data), content_type="application/json", headers={**_bearer(user), "Idempotency-Key": key}
    )
    assert response.status_code == 202, response.content
    return int(response.json()["id"])


def _actions(world: Any) -> dict[str, Callable[[Any], bool]]:
    resident = world.users["resident"]

    def token(user: Any) -> bool:
        status = _client(user).post("/api/voices/intake-token/").status_code
        assert status in (200, 401, 403), status
        return status == 200

    def raise_voice(user: Any) -> bool:
        if user is None:  # no token at all: the request is refused before anything is queued
            response = Client().post(URL, "{}", content_type="application/json")
            assert response.status_code == 401
            return False
        intake_id = _queue(world, user, key=f"raise-{user.pk}")
        intake_drain()
        intake = VoiceIntake.objects.get(pk=intake_id)
        made = intake.status == IntakeStatus.DONE
        assert made == (intake.voice is not None and intake.voice.author == user)
        assert Voice.objects.filter(author=user).count() == int(made)
        return made

    def status_own(user: Any) -> bool:
        if user is None:
            return Client().get(f"{URL}1/").status_code == 200
        intake_id = _queue(world, user, key=f"own-{user.pk}")
        by_token = Client().get(f"{URL}{intake_id}/", headers=_bearer(user)).status_code
        by_session = _client(user).get(f"{URL}{intake_id}/").status_code
        assert by_token == by_session
        return by_token == 200

    def status_others(user: Any) -> bool:
        intake_id = _queue(world, resident, key="theirs")
        response = _client(user).get(f"{URL}{intake_id}/")
        expected = 200 if user == resident else (401 if user is None else 404)
        assert response.status_code == expected
        if user is not None:
            assert Client().get(f"{URL}{intake_id}/", headers=_bearer(user)).status_code == expected
        return response.status_code == 200

    return {"token": token, "raise": raise_voice, "status_own": status_own, "status_others": status_others}


@pytest.mark.parametrize("action", list(EXPECTED))
def test_matrix(world: Any, action: str) -> None:
    run = _actions(world)[action]
    allowed = {role for role in ALL_ROLES if run(world.users[role])}
    assert allowed == EXPECTED[action], f"{action}: allowed {sorted(allowed)}"
