"""Checking a meeting attachment by its content (DESIGN rule 7): a PDF, a photo, or a Word / Excel / PowerPoint
file (Office Open XML), at most 20 MB.

The uploaded name and the declared type are not trusted. Photos go through the voices' photo check
(``gongzhi.voices.photos.photo_prepare``: content, size and decompression-bomb limits) and are stored re-encoded
as JPEG without EXIF. PDFs must look whole. Office files must be real Office Open XML packages: no macros
(``vbaProject.bin``), no encryption, and a bounded unpacked size and entry count (a zip bomb is refused from
its directory, before anything is unpacked). Old binary Office formats (.doc, .xls) are refused.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.voices.photos import photo_prepare

FIELD = "file"
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 5000
PDF = "application/pdf"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
OFFICE_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", DOCX: "docx", XLSX: "xlsx", PPTX: "pptx"}


@dataclass(frozen=True)
class CheckedAttachment:
    content: bytes
    content_type: str
    original_name: str


def _refuse(message: str, code: str = "invalid_file") -> DomainError:
    return DomainError(message, field=FIELD, code=code)


def _office_type(data: bytes) -> str:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(_("This file is damaged.")) from None
    with package:
        entries = package.infolist()
        if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
            raise _refuse(_("This file is too large once unpacked."))
        names = [e.filename for e in entries]
        if any(e.flag_bits & 0x1 for e in entries):
            raise _refuse(_("Password-protected files are not accepted."))
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise _refuse(_("Files with macros are not accepted."), "macros")
        if "[Content_Types].xml" not in names:
            raise _refuse(_("An attachment is a PDF, a photo, or a Word, Excel or PowerPoint file."))
        for prefix, content_type in OFFICE_PARTS.items():
            if any(n.startswith(prefix) for n in names):
                return content_type
    raise _refuse(_("An attachment is a PDF, a photo, or a Word, Excel or PowerPoint file."))


def _safe_name(name: str, content_type: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = "".join(ch for ch in base if ch.isprintable())[:150]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem or 'attachment'}.{EXTENSIONS[content_type]}"


def attachment_check(fileobj: IO[bytes] | Any, name: str) -> CheckedAttachment:
    """The file's content, its real type and a safe name; a DomainError on ``file`` when refused."""
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    data = fileobj.read(MAX_ATTACHMENT_BYTES + 1)
    if not data:
        raise _refuse(_("The file is empty."))
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise _refuse(_("An attachment may be at most 20 MB."), "too_large")
    head = bytes(data[:16])
    if head.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise _refuse(_("This PDF is incomplete."))
        content_type, content = PDF, bytes(data)
    elif head.startswith(b"PK\x03\x04"):
        content_type, content = _office_type(bytes(data)), bytes(data)
    elif head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        try:
            prepared = photo_prepare(io.BytesIO(bytes(data)))
        except DomainError as refused:
            raise _refuse(refused.message, refused.code) from None
        content_type, content = JPEG, prepared.data
    else:
        raise _refuse(_("An attachment is a PDF, a photo, or a Word, Excel or PowerPoint file."))
    return CheckedAttachment(content=content, content_type=content_type, original_name=_safe_name(name, content_type))
