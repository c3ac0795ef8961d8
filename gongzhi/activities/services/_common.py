"""What the activity and care services share: checks, text, time, notifications after the commit, photos."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict
from gongzhi.core.services import now_or as now_or
from gongzhi.core.services import require as require
from gongzhi.core.services import text_clean
from gongzhi.core.services import user_or_none as user_or_none
from gongzhi.notifications.services import notify
from gongzhi.voices.photos import PreparedPhoto, thumb_name

logger = logging.getLogger("gongzhi.activities")

REASON_MAX = 200

# The app's texts: at most REASON_MAX characters unless a caller says otherwise.
clean_text = functools.partial(text_clean, max_length=REASON_MAX)


def transition(obj: Any, target: str) -> None:
    """Refuse a move its ``TRANSITIONS`` table does not allow (Conflict, 409)."""
    if target not in obj.TRANSITIONS.get(obj.status, frozenset()):
        raise Conflict(
            _("This cannot be done in the current state (%(state)s).") % {"state": obj.get_status_display()},
            code="bad_transition",
        )


def notify_later(
    *,
    recipients: Iterable[Any],
    verb: str,
    title: str,
    body: str = "",
    link: str,
    key: str,
    community_id: int,
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


def photos_store(
    *, model: type[models.Model], prepared: Sequence[PreparedPhoto], fields: dict[str, Any]
) -> list[models.Model]:
    """Rows for checked photos; the files are written once the transaction commits (rows removed if that fails)."""
    rows: list[models.Model] = []
    items: list[tuple[int, str, PreparedPhoto]] = []
    field: Any = model._meta.get_field("image")
    for p in prepared:
        row = model(width=p.width, height=p.height, **fields)
        row.image.name = field.upload_to(row, "photo.jpg")  # type: ignore[attr-defined]
        row.save()
        rows.append(row)
        items.append((row.pk, row.image.name, p))  # type: ignore[attr-defined]
    storage = field.storage

    def write() -> None:
        written: list[str] = []
        try:
            for pk, name, photo in items:
                saved = storage.save(name, ContentFile(photo.data))
                written.append(saved)
                if saved != name:
                    model._default_manager.filter(pk=pk).update(image=saved)
                written.append(storage.save(thumb_name(saved), ContentFile(photo.thumb)))
        except Exception:
            logger.exception("Photos could not be written; their rows are removed.")
            for name in written:
                try:
                    storage.delete(name)
                except OSError:
                    logger.exception("Could not remove %s", name)
            model._default_manager.filter(pk__in=[pk for pk, _n, _p in items]).delete()

    transaction.on_commit(write)
    return rows
