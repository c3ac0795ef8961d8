from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gongzhi.estates.models import Compound
from gongzhi.testing.factories import CompoundFactory, HouseFactory


@pytest.fixture(autouse=True)
def media_tmp(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Uploaded and exported files go to a temporary media root, never into the working tree."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield settings.MEDIA_ROOT


@pytest.fixture
def compound(db: Any) -> Compound:
    """A compound with building 3栋 and its house 3栋 1单元 1702."""
    compound = CompoundFactory.create()
    HouseFactory.create(unit__building__compound=compound, unit__building__name="3栋", room="1702", floor=17)
    return compound
