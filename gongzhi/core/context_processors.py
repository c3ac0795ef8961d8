"""Template context every page needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def ui(request: HttpRequest) -> dict[str, Any]:
    return {"elder_mode": bool(request.session.get("elder_mode")) if hasattr(request, "session") else False}
