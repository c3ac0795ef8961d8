"""Which insights links the navigation shows: the dashboards to whoever may read a compound's KPIs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import kpi_compounds


def _links(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"dashboards": kpi_compounds(user=user).exists()}


def insights_nav(request: HttpRequest) -> dict[str, Any]:
    return {"insights_nav": SimpleLazyObject(lambda: _links(request))}
