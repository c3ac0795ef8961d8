"""The unread-notification badge of the navigation: counted once, only when a page shows it."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from .selectors import unread_count

# The badge shows "99+" beyond this.
BADGE_MAX = 99


class Badge:
    def __init__(self, user: Any) -> None:
        self._user = user

    @cached_property
    def count(self) -> int:
        return unread_count(user=self._user)

    @property
    def text(self) -> str:
        return f"{BADGE_MAX}+" if self.count > BADGE_MAX else str(self.count)


def notifications_badge(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_badge": Badge(user)}
