"""What the finance services share: permission checks, transitions, reasons and dates."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, DomainError, NotAllowed

REASON_MAX = 200


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def clean_text(text: str, *, field: str, max_length: int = REASON_MAX, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise DomainError(_("This field is required."), field=field, code="required")
    if len(text) > max_length:
        raise DomainError(
            _("At most %(max)d characters (this has %(n)d).") % {"max": max_length, "n": len(text)},
            field=field,
            code="too_long",
        )
    return text


def today() -> datetime.date:
    return timezone.localdate()


def not_in_future(day: Any, *, field: str) -> datetime.date:
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        raise DomainError(_("Enter a date."), field=field, code="invalid_date")
    if day > today():
        raise DomainError(_("This date is in the future."), field=field, code="future_date")
    return day


def move(
    obj: models.Model, to: str, *, transitions: dict[str, frozenset[str]], labels: type[models.TextChoices]
) -> str:
    """Change ``obj.status`` along its TRANSITIONS table (the caller saves); an illegal move is a Conflict (409)."""
    before: str = obj.status  # type: ignore[attr-defined]
    if to not in transitions.get(before, frozenset()):
        raise Conflict(
            _("This is %(status)s; it cannot become %(to)s.")
            % {"status": labels(before).label, "to": labels(to).label},
            code="illegal_transition",
        )
    obj.status = to  # type: ignore[attr-defined]
    return before
