"""Which mediation links the navigation shows: cases to anyone who opens, mediates, oversees or is a party to
one; security incidents to property company staff and police officers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gongzhi.accounts.roles import Role
from gongzhi.accounts.selectors import memberships_of

from .rules import INCIDENT_REPORTERS, OPENERS


def _links(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    if not user.is_authenticated:
        return {}
    from .selectors import cases_visible

    roles = {m.role for m in memberships_of(user)}
    return {
        "cases": bool(roles & (OPENERS | {Role.OFFICER, Role.LAWYER})) or cases_visible(user=user).exists(),
        "incidents": bool(roles & (INCIDENT_REPORTERS | {Role.OFFICER})),
    }


def mediation_nav(request: HttpRequest) -> dict[str, Any]:
    return {"mediation_nav": SimpleLazyObject(lambda: _links(request))}
