from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.accounts.roles import OrgKind
from gongzhi.meetings import services as s
from gongzhi.meetings.models import ActionItem, Meeting, MeetingKind


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Every test writes its uploads under its own MEDIA_ROOT."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    yield root


def in_days(days: int, hour: int = 10) -> datetime.datetime:
    """A local (Asia/Shanghai) time ``days`` from today."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@pytest.fixture
def secretary(world: Any) -> Any:
    return world.users["secretary"]


@pytest.fixture
def convene(world: Any, secretary: Any) -> Callable[..., Meeting]:
    """``convene(publish=True, private=False, **fields)``: a three-party joint meeting of compound A in two
    days, inviting A's property company and residents' representatives, with one agenda item."""

    def make(*, publish: bool = True, private: bool = False, **fields: Any) -> Meeting:
        args: dict[str, Any] = {
            "kind": MeetingKind.JOINT,
            "title": "三方联席会议：大堂门禁",
            "starts_at": in_days(2),
            "ends_at": in_days(2, 12),
            "place": "社区党群服务中心",
            "is_private": private,
        }
        args.update(fields)
        meeting = s.meeting_create(actor=secretary, compound=world.compound_a, **args)
        s.meeting_invite(
            actor=secretary,
            meeting=meeting,
            organizations=[world.orgs[OrgKind.PROPERTY], world.orgs[OrgKind.RESIDENTS]],
        )
        s.agenda_item_add(actor=secretary, meeting=meeting, title="大堂电动门")
        if publish:
            s.meeting_publish(actor=secretary, meeting=meeting)
        meeting.refresh_from_db()
        return meeting

    return make


@pytest.fixture
def held(convene: Callable[..., Meeting], secretary: Any) -> Callable[..., Meeting]:
    """``held(**convene_args)``: a published meeting marked held (``now`` an hour after its start)."""

    def make(**kw: Any) -> Meeting:
        meeting = convene(**kw)
        s.meeting_hold(actor=secretary, meeting=meeting, now=meeting.starts_at + datetime.timedelta(minutes=5))
        meeting.refresh_from_db()
        return meeting

    return make


@pytest.fixture
def action(world: Any, secretary: Any) -> Callable[..., ActionItem]:
    """``action(**fields)``: an action item of compound A for A's property company, due in 30 days."""

    def make(**kw: Any) -> ActionItem:
        args: dict[str, Any] = {
            "compound": world.compound_a,
            "title": "大堂照明改造",
            "due_on": timezone.localdate() + datetime.timedelta(days=30),
            "responsible_organization": world.orgs[OrgKind.PROPERTY],
            "budget": "12000.00",
        }
        args.update(kw)
        return s.action_item_create(actor=secretary, **args)

    return make
