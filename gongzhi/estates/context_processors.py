"""Which estate links the navigation shows: only those the user may open."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gongzhi.accounts.selectors import memberships_of

from .selectors import compounds_for, decides_bindings


def _nav(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    if not user.is_authenticated:
        return {}
    staff = user.is_superuser or bool(memberships_of(user))
    return {
        "staff": staff,
        "compounds": staff and compounds_for(user).exists(),
        "bindings": staff and decides_bindings(user),
        "resident": not staff,
    }


def nav(request: HttpRequest) -> dict[str, Any]:
    return {"nav": SimpleLazyObject(lambda: _nav(request))}
