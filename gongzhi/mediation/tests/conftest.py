from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Every test writes its uploads under its own MEDIA_ROOT."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    yield root
