"""The "Upcoming" list above the month calendar: the next published activities the user may see, whatever month."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.activities.models import ActivityStatus, Audience
from gongzhi.testing.activities_factories import ActivityFactory, SignupFactory
from gongzhi.testing.factories import BuildingFactory, UserFactory

from .conftest import in_days

pytestmark = pytest.mark.django_db


def _upcoming(client: Any, **params: str) -> str:
    page = client.get(reverse("activities:index"), params)
    assert page.status_code == 200
    found = re.search(r'<section class="upcoming" id="upcoming".*?</section>', page.content.decode(), re.S)
    assert found is not None
    return found.group(0)


def _titles(section: str) -> list[str]:
    return re.findall(r"<strong>(.*?)</strong>", section)


def _at(days: int, hour: int = 9, **kw: Any) -> Any:
    return ActivityFactory.create(starts_at=in_days(days, hour), ends_at=in_days(days, hour + 2), **kw)


def test_the_upcoming_list_shows_the_residents_next_activities_in_order_whatever_the_month(
    world: Any, client_for: Callable[..., Any]
) -> None:
    # given: published activities of the resident's compound, made out of order, one of them under way
    a = world.compound_a
    _at(9, compound=a, title="第三场")
    _at(2, compound=a, title="第二场")
    now = timezone.now()
    ActivityFactory.create(
        compound=a,
        title="进行中",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=1),
    )
    # and ones the resident must not see there
    ActivityFactory.create(
        compound=a,
        title="已结束",
        starts_at=now - datetime.timedelta(hours=3),
        ends_at=now - datetime.timedelta(hours=1),
    )
    _at(3, compound=a, title="草稿", status=ActivityStatus.DRAFT, published_at=None)
    _at(4, compound=a, title="已取消", status=ActivityStatus.CANCELLED)
    _at(5, compound=a, title="已举办", status=ActivityStatus.HELD)
    _at(1, compound=world.compound_b, title="别的小区")
    other_building = BuildingFactory.create(compound=a)
    elsewhere = _at(1, compound=a, title="别的楼栋", audience=Audience.BUILDINGS)
    elsewhere.buildings.set([other_building])
    mine = _at(6, compound=a, title="本楼栋", audience=Audience.BUILDINGS)
    mine.buildings.set([world.house_a.building])
    # when: the resident opens the calendar on a month far away
    section = _upcoming(client_for(world.users["resident"]), month="2099-01")
    # then: the visible ones, soonest first, with time, place and places left, each linking to its page
    assert _titles(section) == ["进行中", "第二场", "本楼栋", "第三场"]
    assert "小区中心广场" in section and "20 places left" in section
    assert f'href="{reverse("activities:detail", args=[mine.pk])}"' in section
    assert timezone.localtime(mine.starts_at).strftime("%-m月%-d日") in section
    assert 'id="upcoming-empty"' not in section


def test_the_upcoming_list_keeps_the_next_five_and_marks_full_ones_as_waitlist(
    world: Any, client_for: Callable[..., Any]
) -> None:
    # given: seven upcoming activities, the first one full
    full = _at(1, compound=world.compound_a, title="满员", capacity=1)
    SignupFactory.create(activity=full, user=UserFactory.create())
    for day in range(2, 8):
        _at(day, compound=world.compound_a, title=f"第{day}天")
    # when
    section = _upcoming(client_for(world.users["resident"]))
    # then: five, the full one offering the waitlist
    assert _titles(section) == ["满员", "第2天", "第3天", "第4天", "第5天"]
    assert "Full: waitlist" in section


def test_the_upcoming_list_says_so_when_there_is_nothing_ahead(world: Any, client_for: Callable[..., Any]) -> None:
    # given: only a past and a cancelled activity
    _at(-2, compound=world.compound_a, title="上周", status=ActivityStatus.HELD)
    _at(3, compound=world.compound_a, title="已取消", status=ActivityStatus.CANCELLED)
    # when
    section = _upcoming(client_for(world.users["resident"]))
    # then
    assert _titles(section) == []
    assert 'id="upcoming-empty"' in section and "No upcoming activities." in section


def test_the_upcoming_list_follows_the_staffs_compound_filter(world: Any, client_for: Callable[..., Any]) -> None:
    # given: an activity in each compound, and staff who see both
    _at(1, compound=world.compound_a, title="A小区洗车")
    _at(2, compound=world.compound_b, title="B小区读书会")
    client = client_for(world.users["sub_district_supervisor"])
    # when / then: both without a filter, each compound's own with it
    assert _titles(_upcoming(client)) == ["A小区洗车", "B小区读书会"]
    assert _titles(_upcoming(client, compound=world.compound_b.code)) == ["B小区读书会"]
    assert _titles(_upcoming(client, compound=world.compound_a.code)) == ["A小区洗车"]


def test_the_upcoming_list_escapes_titles_and_places(world: Any, client_for: Callable[..., Any]) -> None:
    # given: an activity whose title and place hold markup
    _at(1, compound=world.compound_a, title="<script>alert(1)</script>", place="<b>广场</b>")
    # when
    section = _upcoming(client_for(world.users["resident"]))
    # then
    assert "<script>alert(1)</script>" not in section and "&lt;script&gt;" in section
    assert "<b>广场</b>" not in section
