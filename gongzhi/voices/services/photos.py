"""Attaching photos to a voice: by the author when raising it, by staff when resolving it.

Uploads are checked and re-encoded (``gongzhi.voices.photos``) before the transaction starts — decoding is
the slow part and holds no lock. The rows are written in the transaction; the files only once it commits
(``transaction.on_commit``), so a transaction that fails — here or in a caller's — leaves no file behind. If
writing a file fails after the commit, the rows of that batch are removed again and the failure is logged.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Conflict

from ..models import OPEN_STATUSES, PhotoStage, Status, Voice, VoicePhoto, photo_path
from ..photos import PreparedPhoto, photos_prepare, thumb_name, too_many
from ..rules import is_author, may_handle_voice
from ._common import lock, now_or, require
from .workflow import voice_resolve

logger = logging.getLogger(__name__)


def photo_storage() -> Storage:
    """Where voice photos live: the model field's storage (MEDIA_ROOT, never served as static files)."""
    storage: Storage = VoicePhoto._meta.get_field("image").storage
    return storage


def _may_attach(actor: Any, voice: Voice, stage: str) -> bool:
    if stage == PhotoStage.RAISED:
        return bool(is_author(actor, voice))
    if stage == PhotoStage.RESOLVED:
        return bool(may_handle_voice(actor, voice))
    return False


def _write_on_commit(items: list[tuple[int, str, PreparedPhoto]]) -> None:
    """Write the files after the commit; on a failure, remove what was written and the rows that lack files."""
    storage = photo_storage()

    def write() -> None:
        written: list[str] = []
        try:
            for pk, name, prepared in items:
                saved = storage.save(name, ContentFile(prepared.data))
                written.append(saved)
                if saved != name:  # the storage chose another name: the row follows it
                    VoicePhoto.objects.filter(pk=pk).update(image=saved)
                written.append(storage.save(thumb_name(saved), ContentFile(prepared.thumb)))
        except Exception:
            logger.exception("Voice photos could not be written; their rows are removed.")
            for name in written:
                try:
                    storage.delete(name)
                except OSError:
                    logger.exception("Could not remove %s", name)
            VoicePhoto.objects.filter(pk__in=[pk for pk, _name, _p in items]).delete()

    transaction.on_commit(write)


def photos_store(
    *, actor: Any, voice: Voice, prepared: Sequence[PreparedPhoto], stage: str, at: datetime.datetime
) -> list[VoicePhoto]:
    """Rows for checked photos of a locked voice, files written on commit, one audit event. Call inside a
    transaction, after the permission check. More than ``MAX_PER_VOICE`` at this stage is refused."""
    if not prepared:
        return []
    already = VoicePhoto.objects.filter(community_id=voice.community_id, voice=voice, stage=stage).count()
    if already + len(prepared) > VoicePhoto.MAX_PER_VOICE:
        raise too_many(already=already, adding=len(prepared))
    uploader = actor if getattr(actor, "is_authenticated", False) else None
    photos: list[VoicePhoto] = []
    items: list[tuple[int, str, PreparedPhoto]] = []
    for p in prepared:
        photo = VoicePhoto(
            community_id=voice.community_id,
            voice=voice,
            stage=stage,
            width=p.width,
            height=p.height,
            size=len(p.data),
            uploaded_by=uploader,
            created_at=at,
        )
        photo.image.name = photo_path(photo, "photo.jpg")  # a random name; the uploaded one is never used
        photo.save()
        photos.append(photo)
        items.append((photo.pk, photo.image.name, p))
    _write_on_commit(items)
    audit_record(
        actor=actor,
        verb="voice.photos_add",
        obj=voice,
        community_id=voice.community_id,
        after={"stage": stage, "photos": [p.pk for p in photos], "bytes": sum(p.size for p in photos)},
    )
    return photos


def photos_attach(
    *,
    actor: Any,
    voice: Voice,
    files: Sequence[Any],
    stage: str,
    now: datetime.datetime | None = None,
) -> list[VoicePhoto]:
    """Add photos to a voice: the author to an open voice (``raised``), staff who may handle it to a
    resolved one (``resolved``). At most ``VoicePhoto.MAX_PER_VOICE`` per stage; bad files are refused
    with a clear message and nothing is changed."""
    require(_may_attach(actor, voice, stage), _("You may not add photos to this voice."))
    prepared = photos_prepare(files)  # before the transaction: slow, and needs no lock
    return _photos_attach(actor=actor, voice=voice, prepared=prepared, stage=stage, now=now)


@transaction.atomic
def _photos_attach(
    *, actor: Any, voice: Voice, prepared: list[PreparedPhoto], stage: str, now: datetime.datetime | None
) -> list[VoicePhoto]:
    voice = lock(voice)
    require(_may_attach(actor, voice, stage), _("You may not add photos to this voice."))
    wanted = OPEN_STATUSES if stage == PhotoStage.RAISED else frozenset({Status.RESOLVED})
    if voice.status not in wanted:
        raise Conflict(
            _("This voice is %(status)s: photos cannot be added now.") % {"status": Status(voice.status).label},
            code="illegal_transition",
        )
    return photos_store(actor=actor, voice=voice, prepared=prepared, stage=stage, at=now_or(now))


def voice_resolve_with_photos(
    *, actor: Any, voice: Voice, reply: str, photos: Sequence[Any] = (), now: datetime.datetime | None = None
) -> Voice:
    """办结 with a reply and photos of the result, in one transaction: both happen or neither."""
    if photos:
        require(may_handle_voice(actor, voice), _("You may not resolve this voice."))
    prepared = photos_prepare(photos)
    return _resolve_with_photos(actor=actor, voice=voice, reply=reply, prepared=prepared, now=now)


@transaction.atomic
def _resolve_with_photos(
    *,
    actor: Any,
    voice: Voice,
    reply: str,
    prepared: list[PreparedPhoto],
    now: datetime.datetime | None,
) -> Voice:
    at = now_or(now)
    voice = voice_resolve(actor=actor, voice=voice, reply=reply, now=at)
    photos_store(actor=actor, voice=voice, prepared=prepared, stage=PhotoStage.RESOLVED, at=at)
    return voice
