"""Checking a voucher upload by its content (DESIGN rule 7): PDF, JPEG or PNG, at most 10 MB.

The uploaded name and the declared type are not trusted. Photos are re-encoded (which drops EXIF, including
the location); PDFs are kept as they are, after checking they look like a PDF.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

MAX_VOUCHER_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    original_name: str


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def _reencoded(data: bytes, content_type: str) -> bytes:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise DomainError(_("This picture is too large."), field="file", code="invalid_file")
            image.load()
            out = io.BytesIO()
            if content_type == JPEG:
                image.convert("RGB").save(out, format="JPEG", quality=90)
            else:
                image.save(out, format="PNG")
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError(_("This picture cannot be read."), field="file", code="invalid_file") from None


def voucher_check(fileobj: IO[bytes], name: str) -> CheckedFile:
    """The file's content, its real type and a safe original name; a DomainError on ``file`` when refused."""
    data = fileobj.read(MAX_VOUCHER_BYTES + 1)
    if not data:
        raise DomainError(_("The file is empty."), field="file", code="invalid_file")
    if len(data) > MAX_VOUCHER_BYTES:
        raise DomainError(_("A voucher may be at most 10 MB."), field="file", code="too_large")
    content_type = _sniff(data[:16])
    if content_type is None:
        raise DomainError(_("A voucher is a PDF, JPEG or PNG file."), field="file", code="invalid_file")
    if content_type == PDF:
        if b"%%EOF" not in data[-2048:]:
            raise DomainError(_("This PDF is incomplete."), field="file", code="invalid_file")
    else:
        data = _reencoded(data, content_type)
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    return CheckedFile(content=data, content_type=content_type, original_name=base or "voucher")
