"""What the mediation services share: permission checks, text, transitions, locks, events and notifications."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.notifications.services import notify

from ..models import Case, CaseEvent

TEXT_MAX = 2000
REASON_MAX = 200


def now_or(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def require_visible(allowed: bool) -> None:
    """Refuse as "not found": a case outside the actor's reach is never disclosed."""
    if not allowed:
        raise NotFound(_("No such case."))


def clean_text(text: Any, *, field: str, max_length: int = REASON_MAX, required: bool = True) -> str:
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


def choice(value: Any, labels: type[models.TextChoices], *, field: str) -> str:
    value = str(value or "")
    if value not in labels.values:
        raise DomainError(_("Choose one of the options."), field=field, code="invalid_choice")
    return value


def move(
    obj: models.Model, to: str, *, transitions: dict[str, frozenset[str]], labels: type[models.TextChoices]
) -> str:
    """Change ``obj.status`` along its TRANSITIONS table (the caller saves); an illegal move is a Conflict."""
    before: str = obj.status  # type: ignore[attr-defined]
    if to not in transitions.get(before, frozenset()):
        raise Conflict(
            _("This is %(status)s; it cannot become %(to)s.")
            % {"status": labels(before).label, "to": labels(to).label},
            code="illegal_transition",
        )
    obj.status = to  # type: ignore[attr-defined]
    return before


def case_lock(case: Case | int) -> Case:
    pk = case if isinstance(case, int) else case.pk
    found = Case.objects.select_for_update().select_related("compound", "compound__community").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such case."))
    return found


def event_add(
    case: Case,
    *,
    actor: Any,
    verb: str,
    at: datetime.datetime,
    note: str = "",
    outcome: str = "",
    kept: bool | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        community_id=case.community_id,
        case=case,
        actor=user_or_none(actor),
        verb=verb,
        note=note[:300],
        outcome=outcome,
        kept=kept,
        at=at,
    )


def case_link(case: Case | int) -> str:
    return f"/mediation/cases/{case if isinstance(case, int) else case.pk}/"


def notify_later(
    *, recipients: Iterable[Any], verb: str, title: str, body: str = "", link: str, key: str, community_id: int
) -> None:
    """Notify after the commit, once per recipient and ``key``. Titles never carry a party's name."""
    people = [u for u in recipients if u is not None and getattr(u, "is_active", True)]
    if not people:
        return

    def send() -> None:
        notify(
            recipients=people,
            verb=verb,
            title=title,
            body=body,
            link=link,
            dedup_key=key,
            community_id=community_id,
        )

    transaction.on_commit(send)
