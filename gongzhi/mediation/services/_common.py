"""What the mediation services share: permission checks, text, transitions, locks, events and notifications."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError, NotFound
from gongzhi.core.services import now_or as now_or
from gongzhi.core.services import status_move, text_clean
from gongzhi.core.services import user_or_none as user_or_none
from gongzhi.notifications.services import notify

from ..models import Case, CaseEvent

move = status_move  # the services' name for it

TEXT_MAX = 2000
REASON_MAX = 200

# The app's texts: at most REASON_MAX characters unless a caller says otherwise.
clean_text = functools.partial(text_clean, max_length=REASON_MAX)


def require_visible(allowed: bool) -> None:
    """Refuse as "not found": a case outside the actor's reach is never disclosed."""
    if not allowed:
        raise NotFound(_("No such case."))


def choice(value: Any, labels: type[models.TextChoices], *, field: str) -> str:
    value = str(value or "")
    if value not in labels.values:
        raise DomainError(_("Choose one of the options."), field=field, code="invalid_choice")
    return value


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
