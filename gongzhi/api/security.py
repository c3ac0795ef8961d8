"""Session authentication for the API, with the CSRF token required on every write."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import SessionAuth
from ninja.utils import check_csrf

from gongzhi.accounts.models import User
from gongzhi.core.errors import NotAllowed

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CsrfFailed(NotAllowed):
    code = "csrf"


class SessionCsrfAuth(SessionAuth):
    """Django's session; writes must carry the CSRF token. Log-in is checked first, so anonymous is always 401."""

    def __init__(self) -> None:
        super().__init__(csrf=True)  # ``csrf`` also tells the docs page to send the token

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise CsrfFailed(_("The security token is missing or expired; reload the page and try again."))
        return user


def acting_user(request: HttpRequest) -> User:
    """The logged-in user of an authenticated operation."""
    user = request.user
    assert isinstance(user, User), "operation is not authenticated"
    return user
