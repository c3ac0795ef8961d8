"""Whether the navigation shows the property fee pages: to fee keepers and to those who read the figures."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gongzhi.estates.scope import compound_filter

from .rules import FIGURE_READERS


def _links(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"fees": user.is_superuser or compound_filter(user, FIGURE_READERS) is not None}


def finance_nav(request: HttpRequest) -> dict[str, Any]:
    return {"finance_nav": SimpleLazyObject(lambda: _links(request))}
