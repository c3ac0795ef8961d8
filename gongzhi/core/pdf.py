"""Chinese PDF documents (receipts, minutes, agreements, certificates): fpdf2 in the system's Noto CJK font.

fpdf2 embeds only the glyphs used (a subset of the font), with a ToUnicode map, so a document is small, prints
the same everywhere and its text can be searched and copied. Documents are always in the site's language
(``settings.LANGUAGE_CODE``, Chinese), whatever the language of the page they were downloaded from: callers draw
inside ``translation.override(settings.LANGUAGE_CODE)``.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from fpdf import FPDF

# Where Debian's fonts-noto-cjk puts its fonts; ``settings.PDF_FONT`` (a .ttc/.otf/.ttf path) comes first.
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)
FONT = "cjk"
# fontTools reports every step of subsetting a font at INFO: one document would write a page of log.
logging.getLogger("fontTools").setLevel(logging.WARNING)
Document = TypeVar("Document", bound=FPDF)


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int  # the face inside a font collection (.ttc): the Simplified Chinese one


def _simplified_chinese_face(path: str) -> int:
    """The index of the "… SC" face (not the monospaced one) in a collection; 0 for a single font."""
    if not path.lower().endswith(".ttc"):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    try:
        for i, font in enumerate(collection.fonts):
            name = str(font["name"].getDebugName(1) or "")
            if name.endswith(" SC") and "Mono" not in name:
                return i
    finally:
        collection.close()
    return 0


@functools.cache
def cjk_font() -> FontFile:
    """The one face documents are drawn in (each embedded face costs about a second of parsing and subsetting);
    ImproperlyConfigured when no CJK font is installed."""
    configured = str(getattr(settings, "PDF_FONT", "") or "")
    for candidate in [configured, *FONT_CANDIDATES] if configured else FONT_CANDIDATES:
        if Path(candidate).is_file():
            return FontFile(candidate, _simplified_chinese_face(candidate))
    raise ImproperlyConfigured(
        "No Chinese font for PDF documents: install Debian's fonts-noto-cjk (scripts/system-deps.sh) or set PDF_FONT."
    )


def chinese_pdf(pdf: Document, *, title: str) -> Document:
    """Prepare a new document: the CJK font registered as ``FONT`` and selected, title, creator and language set."""
    font = cjk_font()
    pdf.add_font(FONT, fname=font.path, collection_font_number=font.index)
    pdf.set_title(title)
    pdf.set_creator(str(_("Gongzhi")))
    pdf.set_lang("zh-CN")
    pdf.set_font(FONT, size=11)
    return pdf
