"""A notice's text is plain text: paragraphs separated by blank lines, never HTML (it is escaped wherever shown)."""

from __future__ import annotations

import re

_BLANK_LINES = re.compile(r"\n\s*\n")
# Control characters other than tab and newline have no place in a notice (a NUL breaks PostgreSQL).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize(text: str) -> str:
    """Line ends as \\n, trailing spaces gone, at most one blank line between paragraphs."""
    text = str(text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text or ""))


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a text (a line break inside one is kept as a space for the lobby screen)."""
    return [" ".join(p.split("\n")).strip() for p in _BLANK_LINES.split(normalize(text)) if p.strip()]
