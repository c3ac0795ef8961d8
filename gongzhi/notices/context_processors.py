"""Which notices links the navigation shows: residents their compound's notices (with the unread count), staff
the notices list, authors the lobby screens."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gongzhi.estates.selectors import houses_of_resident

from . import selectors


def _links(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    resident = houses_of_resident(user).exists()
    return {
        "resident": resident,
        "unread": selectors.unread_count(user=user) if resident else 0,
        "manage": selectors.staff_compounds(user=user).exists(),
        "screens": selectors.author_compounds(user=user).exists(),
    }


def notices_nav(request: HttpRequest) -> dict[str, Any]:
    return {"notices_nav": SimpleLazyObject(lambda: _links(request))}
