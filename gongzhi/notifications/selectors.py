"""Reads of the notification centre: a user sees only their own notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotFound

from .models import Notification


def notifications_for(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user: Any) -> int:
    return notifications_for(user=user, unread_only=True).count()


def notification_get(*, user: Any, pk: int) -> Notification:
    """One of the user's own notifications; anyone else's does not exist for them (NotFound)."""
    notification = notifications_for(user=user).filter(pk=pk).first()
    if notification is None:
        raise NotFound(_("No such notification."))
    return notification
