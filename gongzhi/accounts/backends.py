"""Log-in by mobile number and password, with per-account lock-out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone

from .models import User
from .selectors import user_by_phone


class AccountLocked(Exception):
    def __init__(self, until: Any) -> None:
        super().__init__("locked")
        self.until = until


class PhoneBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        from .services import login_failure_record

        if not username or not password:
            return None
        user = user_by_phone(username)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint that the number is unknown
            return None
        if user.locked_until and user.locked_until > timezone.now():
            raise AccountLocked(user.locked_until)
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        counted = login_failure_record(user=user)
        if counted.locked_until and counted.locked_until > timezone.now():
            raise AccountLocked(counted.locked_until)  # say so at once, not only on the next attempt
        return None
