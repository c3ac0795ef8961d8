"""Every template obeys the Content-Security-Policy: no inline script, no inline event handlers, no style attributes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted(
    p for p in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("gongzhi/*/templates/**/*.html")] if p.is_file()
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.I)
STYLE_TAG = re.compile(r"<style[\s>]", re.I)


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_inline_script_or_style(path: Path):
    text = path.read_text(encoding="utf-8")
    for name, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("on…= handler", HANDLER),
        ("style attribute", STYLE_ATTR),
        ("<style> element", STYLE_TAG),
    ]:
        assert not pattern.search(text), f"{name} in {path.relative_to(ROOT)}"
