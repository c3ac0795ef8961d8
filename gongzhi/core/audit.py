"""Writing audit events (DESIGN rule 4: every change is an event)."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.http import HttpRequest

from .models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of ``obj`` as JSON-ready values, for ``before``/``after``."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def audit_build(
    *,
    actor: Any,
    verb: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = "",
    community_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """An unsaved audit event; use with ``bulk_create`` for many changes at once."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        actor=user,
        verb=verb,
        object_type=object_type or "",
        object_id=str(object_id or ""),
        community_id=community_id,
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
    )


def audit_record(**kwargs: Any) -> AuditEvent:
    """Write one audit event now, inside the caller's transaction."""
    event = audit_build(**kwargs)
    event.save()
    return event


def audit_denied(request: HttpRequest, *, code: str = "forbidden") -> None:
    """Record a refused request (DESIGN rule 7): who, which path and method; never the query string or body.

    Recorded once per request, however many layers refuse it.
    """
    if getattr(request, "_gz_denied_audited", False):
        return
    request._gz_denied_audited = True  # type: ignore[attr-defined]
    audit_record(
        actor=getattr(request, "user", None),
        verb="access.denied",
        object_type="http",
        object_id=request.path[:64],
        after={"method": request.method, "code": code},
    )
