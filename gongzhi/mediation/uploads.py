"""Evidence uploads, checked by content (never by the file name or the declared type).

A photo (JPEG, PNG, WebP; HEIC when supported) goes through voices' ``photo_prepare``: size, decompression-bomb
and content checks, re-encoded without EXIF (no location), with a thumbnail. A document is a PDF: it must start
like one, end like one and be at most ``MEDIATION_EVIDENCE_MAX_BYTES`` (10 MB). Anything else is refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.voices.photos import HEIF_BRANDS, photo_prepare

from .models import EvidenceKind

FIELD = "file"
PDF = "application/pdf"
JPEG = "image/jpeg"


def max_document_bytes() -> int:
    return int(getattr(settings, "MEDIATION_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


@dataclass(frozen=True)
class CheckedEvidence:
    kind: str
    content: bytes
    thumb: bytes
    content_type: str
    original_name: str


def _looks_like_photo(head: bytes) -> bool:
    return (
        head.startswith(b"\xff\xd8\xff")
        or head.startswith(b"\x89PNG\r\n\x1a\n")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
        or (head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS)
    )


def safe_name(name: str, default: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()[:200]
    return base or default


def evidence_check(upload: Any) -> CheckedEvidence:
    """The checked file (a re-encoded photo or a PDF as it is); a DomainError on ``file`` when refused."""
    if upload is None:
        raise DomainError(_("Choose a file."), field=FIELD, code="required")
    name = str(getattr(upload, "name", "") or "")
    if hasattr(upload, "seek"):
        upload.seek(0)
    head = upload.read(16)
    if hasattr(upload, "seek"):
        upload.seek(0)
    if not head:
        raise DomainError(_("The file is empty."), field=FIELD, code="empty")
    if head.startswith(b"%PDF-"):
        limit = max_document_bytes()
        size = getattr(upload, "size", None)
        data = b"" if isinstance(size, int) and size > limit else upload.read(limit + 1)
        if not data or len(data) > limit:
            raise DomainError(
                _("A document may be at most %(max)d MB.") % {"max": limit // (1024 * 1024)},
                field=FIELD,
                code="too_large",
            )
        if b"%%EOF" not in data[-2048:]:
            raise DomainError(_("This PDF is incomplete."), field=FIELD, code="invalid_file")
        return CheckedEvidence(EvidenceKind.DOCUMENT, bytes(data), b"", PDF, safe_name(name, "document.pdf"))
    if not _looks_like_photo(head):
        raise DomainError(
            _("Evidence is a photo (JPEG, PNG or WebP) or a PDF document."), field=FIELD, code="invalid_type"
        )
    try:
        prepared = photo_prepare(upload)
    except DomainError as exc:
        raise DomainError(exc.message, field=FIELD, code=exc.code) from None
    return CheckedEvidence(EvidenceKind.PHOTO, prepared.data, prepared.thumb, JPEG, safe_name(name, "photo.jpg"))
