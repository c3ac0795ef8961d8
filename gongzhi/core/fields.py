"""A text field stored encrypted (phone numbers)."""

from __future__ import annotations

from typing import Any

from django.db import models

from . import crypto


class EncryptedPhoneField(models.CharField):
    """Stores the Fernet token; Python sees the plain phone. Pair it with a ``*_hash`` field for search."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str:
        return crypto.phone_decrypt(value or "")

    def get_prep_value(self, value: Any) -> str:
        return crypto.phone_encrypt(str(value or ""))
