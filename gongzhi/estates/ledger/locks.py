"""One import at a time per compound: an ``ImportLock`` row committed before the apply transaction starts.

The row is created in its own transaction so that a second worker sees it at once; the unique compound
makes the second insert fail. A lock older than ``STALE_AFTER`` belongs to a crashed worker and is taken
over.
"""

from __future__ import annotations

import datetime
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.estates.models import Compound, ImportLock

from .errors import ImportLocked

STALE_AFTER = datetime.timedelta(hours=1)
LOCKED_MSGID = gettext_noop("Another import of this compound is running. Wait until it has finished, then try again.")


def import_lock_held(compound: Compound) -> bool:
    """A live (not stale) lock exists for the compound."""
    return ImportLock.objects.filter(compound=compound, taken_at__gte=timezone.now() - STALE_AFTER).exists()


def import_locked_error() -> ImportLocked:
    return ImportLocked(_(LOCKED_MSGID), code="import_locked")


@contextmanager
def import_lock(compound: Compound, *, holder: str = "") -> Iterator[ImportLock]:
    """Hold the compound's import lock for the duration of the block; refuse if another import holds it."""
    holder = (holder or f"{socket.gethostname()}:{os.getpid()}")[:100]
    try:
        with transaction.atomic():
            ImportLock.objects.filter(compound=compound, taken_at__lt=timezone.now() - STALE_AFTER).delete()
            lock = ImportLock.objects.create(compound=compound, community_id=compound.community_id, holder=holder)
    except IntegrityError:
        raise import_locked_error() from None
    try:
        yield lock
    finally:
        ImportLock.objects.filter(pk=lock.pk).delete()
