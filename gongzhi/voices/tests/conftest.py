from __future__ import annotations

from typing import Any

import pytest

from gongzhi.testing.voices_factories import category
from gongzhi.voices.models import Kind, LocationKind
from gongzhi.voices.services import voice_submit


@pytest.fixture
def submit(world: Any) -> Any:
    """``submit(**overrides)``: the world's resident raises a voice in compound A."""

    def make(**kw: Any) -> Any:
        args: dict[str, Any] = {
            "author": world.users["resident"],
            "compound": world.compound_a,
            "kind": Kind.REPAIR,
            "category": category("设施维修"),
            "text": "3栋电梯坏了，停了两天",
            "location_kind": LocationKind.PUBLIC_AREA,
            "is_public": True,
        }
        args.update(kw)
        return voice_submit(**args)

    return make
