"""What the duty services share: permission checks, text, transitions, locks, notifications after the commit."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.core.services import now_or as now_or
from gongzhi.core.services import require as require
from gongzhi.core.services import status_move, text_clean
from gongzhi.notifications.services import notify

from ..models import Assignment, Shift

move = status_move  # the services' name for it

TEXT_MAX = 500

# The app's texts: at most TEXT_MAX characters unless a caller says otherwise.
clean_text = functools.partial(text_clean, max_length=TEXT_MAX)
NAME_MAX = 100


def lock_user(user: Any) -> User:
    """The person's row under a lock: two changes to one person's shifts run one after the other."""
    found = User.objects.select_for_update().filter(pk=user.pk).first()
    if found is None:
        raise NotFound(_("No such person."))
    return found


def lock_shift(shift: Shift | int) -> Shift:
    pk = shift if isinstance(shift, int) else shift.pk
    found = (
        Shift.objects.select_for_update()
        .select_related("post", "post__compound", "post__compound__community")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("No such shift."))
    return found


def lock_assignment(assignment: Assignment | int) -> Assignment:
    pk = assignment if isinstance(assignment, int) else assignment.pk
    found = (
        Assignment.objects.select_for_update()
        .select_related("shift", "shift__post", "shift__post__compound", "shift__post__compound__community", "user")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("No such shift assignment."))
    return found


def overlapping(
    user_id: int, starts_at: datetime.datetime, ends_at: datetime.datetime, *, exclude: Iterable[int] = ()
) -> Assignment | None:
    """The person's assignment (of any post) whose time overlaps ``starts_at``…``ends_at``, if any."""
    return (
        Assignment.objects.filter(user_id=user_id, starts_at__lt=ends_at, ends_at__gt=starts_at, shift__cancelled=False)
        .exclude(pk__in=list(exclude))
        .select_related("shift__post")
        .first()
    )


def refuse_overlap(
    user: Any, starts_at: datetime.datetime, ends_at: datetime.datetime, *, exclude: Iterable[int] = ()
) -> None:
    clash = overlapping(user.pk, starts_at, ends_at, exclude=exclude)
    if clash is not None:
        start = timezone.localtime(clash.starts_at)
        end = timezone.localtime(clash.ends_at)
        raise DomainError(
            _("%(name)s is already on a shift at that time (%(post)s, %(start)s–%(end)s).")
            % {
                "name": getattr(user, "name", "") or _("This person"),
                "post": clash.shift.post.name,
                "start": f"{start:%Y-%m-%d %H:%M}",
                "end": f"{end:%H:%M}",
            },
            field="user",
            code="overlap",
        )


def notify_later(
    *, recipients: Iterable[Any], verb: str, title: str, body: str = "", link: str, key: str, community_id: int
) -> None:
    """Notify after the commit, once per recipient and ``key``."""
    people = [u for u in recipients if u is not None]
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


def when(shift: Shift) -> str:
    start = timezone.localtime(shift.starts_at)
    end = timezone.localtime(shift.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


MINE_LINK = "/duty/mine/"
