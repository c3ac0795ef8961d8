"""Which notices links the navigation shows (filled in by the app's pages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def notices_nav(request: HttpRequest) -> dict[str, Any]:
    return {"notices_nav": {}}
