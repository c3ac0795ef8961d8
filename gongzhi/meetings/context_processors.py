"""Whether the navigation shows the meeting pages: to staff of any organization (they may be invited), and to
residents (the summaries of their compound's published minutes); the action-item list to staff."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gongzhi.accounts.selectors import memberships_of
from gongzhi.estates.selectors import houses_of_resident


def _links(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    if not user.is_authenticated:
        return {}
    staff = user.is_superuser or bool(memberships_of(user))
    return {"meetings": staff or houses_of_resident(user).exists(), "actions": staff}


def meetings_nav(request: HttpRequest) -> dict[str, Any]:
    return {"meetings_nav": SimpleLazyObject(lambda: _links(request))}
