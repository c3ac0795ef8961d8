"""Helpers shared by the API and accounts tests: a fresh cache, English messages, a database fingerprint.

Import the fixtures into a test module (``from gongzhi.api.tests.helpers import english, fresh_cache``) to use
them there; both are autouse within the importing module.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from gongzhi.accounts.models import Invitation, Membership, Organization, User
from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import Compound, House, HouseBinding, HouseEvent, Resident

TRACKED: list[type[models.Model]] = [
    User,
    Organization,
    Membership,
    Invitation,
    Compound,
    House,
    HouseEvent,
    Resident,
    HouseBinding,
]
# Written by logging in (a test client's force_login), not by the requests under test.
VOLATILE = frozenset({"last_login"})
# Audit verbs that record access, not change: refused requests and views of personal data.
READ_VERBS = (
    "access.denied",
    "house.view",
    "house.list",
    "binding.queue_view",
    "organization.members_view",
    "voice.view",
)


def db_state() -> dict[str, Any]:
    """Every row of the domain tables, plus the audit trail of changes (not of denied access or of reads).

    Compare a snapshot taken before a refused request with one taken after: refused means nothing changed.
    """
    state: dict[str, Any] = {
        model._meta.label: sorted(
            json.dumps({k: v for k, v in row.items() if k not in VOLATILE}, sort_keys=True, default=str)
            for row in model._default_manager.values()
        )
        for model in TRACKED
    }
    state["audit"] = list(
        AuditEvent.objects.exclude(verb__in=READ_VERBS).order_by("id").values_list("verb", "object_id")
    )
    return state


def error_of(response: Any) -> dict[str, Any]:
    """The JSON error body, after checking it has the API's error shape."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert {"code", "message", "field"} <= set(body), body
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    return body
