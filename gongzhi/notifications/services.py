"""Sending notifications: in-app, e-mail and the outside senders, each message to each user once."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from gongzhi.core.audit import audit_record

from .models import Notification
from .senders import Message, senders

logger = logging.getLogger("gongzhi.notifications")


def _deliver(notification_ids: list[int]) -> None:
    """E-mail (to ``user.email`` where the user model has one) and the outside senders, after the commit."""
    for n in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("recipient"):
        # Claim the row first: of two deliveries racing for one notification, only one sends.
        if not Notification.objects.filter(pk=n.pk, emailed_at__isnull=True).update(emailed_at=timezone.now()):
            continue
        user = n.recipient
        message = Message(verb=n.verb, title=n.title, body=n.body, link=n.link, dedup_key=n.dedup_key)
        email = getattr(user, "email", "") or ""
        if email:
            try:
                send_mail(n.title, f"{n.body}\n\n{n.link}".strip(), settings.DEFAULT_FROM_EMAIL, [email])
            except Exception:  # a mail server down must not lose the in-app notification
                logger.exception("e-mail for notification %s failed", n.pk)
        for sender in senders():
            try:
                sender.send(user, message)
            except Exception:
                logger.exception("sender %s failed for notification %s", type(sender).__name__, n.pk)


@transaction.atomic
def notify(
    *,
    recipients: Iterable[Any],
    verb: str,
    title: str,
    body: str = "",
    link: str = "",
    dedup_key: str,
    community_id: int | None = None,
) -> list[Notification]:
    """Send one message to each recipient once: a recipient who already has ``dedup_key`` is skipped.

    The in-app row is written now; e-mail and the outside senders run after the commit.
    Returns the notifications created by this call.
    """
    users = {u.pk: u for u in recipients if u is not None and getattr(u, "pk", None)}
    if not users:
        return []
    already = set(
        Notification.objects.filter(recipient_id__in=users, dedup_key=dedup_key).values_list("recipient_id", flat=True)
    )
    rows = [
        Notification(
            recipient_id=pk,
            community_id=community_id,
            verb=verb,
            title=str(title)[:200],
            body=str(body),
            link=link,
            dedup_key=dedup_key[:200],
        )
        for pk in users
        if pk not in already
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    # ignore_conflicts leaves pks unset on some back-ends: read back the rows this call meant to write.
    fresh = list(
        Notification.objects.filter(recipient_id__in=[r.recipient_id for r in rows], dedup_key=dedup_key[:200])
    )
    ids = [n.pk for n in fresh]
    if ids:
        transaction.on_commit(lambda: _deliver(ids))
    return fresh


@transaction.atomic
def notification_mark_read(*, user: Any, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when no ids are given); returns how many.

    Someone else's notification is never touched: the ids are looked up among the user's own. Audited when
    anything changed.
    """
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    ids = None if notification_ids is None else list(notification_ids)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    count = qs.update(read_at=timezone.now())
    if count:
        audit_record(
            actor=user,
            verb="notification.read",
            object_type="notifications.notification",
            object_id=str(ids[0]) if ids is not None and len(ids) == 1 else "",
            after={"count": count, "all": ids is None},
        )
    return count
