from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.activities import services as s
from gongzhi.activities.models import Activity, ActivityCategory


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Every test writes its uploads under its own MEDIA_ROOT."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    yield root


def in_days(days: int, hour: int = 9) -> datetime.datetime:
    """A local (Asia/Shanghai) time ``days`` from today."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@pytest.fixture
def organise(world: Any) -> Callable[..., Activity]:
    """``organise(**fields)``: a published activity of compound A in two days, 9:00–11:00, made by the secretary."""

    def make(**kw: Any) -> Activity:
        args: dict[str, Any] = {
            "title": "便民洗车",
            "category": ActivityCategory.SERVICE,
            "starts_at": in_days(2),
            "ends_at": in_days(2, 11),
            "place": "中心广场",
            "capacity": 10,
            "publish": True,
        }
        args.update(kw)
        return s.activity_create(actor=world.users["secretary"], compound=world.compound_a, **args)

    return make
