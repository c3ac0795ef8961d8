"""Small helpers every app's services share: permission checks, the current time, clean text, state moves."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import Conflict, DomainError, NotAllowed


def require(allowed: bool, message: str) -> None:
    """A permission check inside a service: NotAllowed (403) with ``message`` unless ``allowed``."""
    if not allowed:
        raise NotAllowed(message)


def now_or(now: datetime.datetime | None) -> datetime.datetime:
    """``now`` if given (demo data, tests, back-dated imports), else the current time."""
    return now or timezone.now()


def user_or_none(actor: Any) -> Any:
    """The actor as a user to record, or None for anonymous callers."""
    return actor if getattr(actor, "is_authenticated", False) else None


def text_clean(text: Any, *, field: str, max_length: int, required: bool = True) -> str:
    """Stripped text; missing (when required) or longer than ``max_length`` is a DomainError on ``field``."""
    text = str(text or "").strip()
    if required and not text:
        raise DomainError(_("This field is required."), field=field, code="required")
    if len(text) > max_length:
        raise DomainError(
            _("At most %(max)d characters (this has %(n)d).") % {"max": max_length, "n": len(text)},
            field=field,
            code="too_long",
        )
    return text


def status_move(
    obj: models.Model, to: str, *, transitions: dict[str, frozenset[str]], labels: type[models.TextChoices]
) -> str:
    """Change ``obj.status`` along its TRANSITIONS table (the caller saves); an illegal move is a Conflict (409).
    Returns the status it had."""
    before: str = obj.status  # type: ignore[attr-defined]
    if to not in transitions.get(before, frozenset()):
        raise Conflict(
            _("This is %(status)s; it cannot become %(to)s.")
            % {"status": labels(before).label, "to": labels(to).label},
            code="illegal_transition",
        )
    obj.status = to  # type: ignore[attr-defined]
    return before
