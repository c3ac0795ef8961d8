from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.notices import services as s
from gongzhi.notices.models import Notice, NoticeKind


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Every test writes its uploads under its own MEDIA_ROOT."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    yield root


def in_hours(hours: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


@pytest.fixture
def secretary(world: Any) -> Any:
    return world.users["secretary"]


@pytest.fixture
def write(world: Any, secretary: Any) -> Callable[..., Notice]:
    """``write(publish=True, by=secretary, **fields)``: a notice of compound A shown from an hour ago."""

    def make(*, publish: bool = True, by: Any = None, **fields: Any) -> Notice:
        actor = by or secretary
        args: dict[str, Any] = {
            "compound": world.compound_a,
            "kind": NoticeKind.NOTICE,
            "title": "停水通知",
            "body": "因管网维修，周六停水。\n\n请提前储水。",
            "published_from": in_hours(-1),
        }
        args.update(fields)
        notice = s.notice_create(actor=actor, **args)
        if publish:
            s.notice_publish(actor=actor, notice=notice)
        notice.refresh_from_db()
        return notice

    return make
