"""Hot topics and agenda candidates: the trend computed by hand, who sees what, the bounds."""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.core.errors import NotAllowed
from gongzhi.testing.factories import UserFactory
from gongzhi.testing.voices_factories import VoiceFactory
from gongzhi.testing.world import ALL_ROLES
from gongzhi.voices import selectors
from gongzhi.voices.models import MeToo, Status, Voice
from gongzhi.voices.selectors import Trend, agenda_overdue, topic_board, voice_queue
from gongzhi.voices.views.topics import SPARK_HEIGHT, sparkline

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# "Now": Friday 20 March 2026, 10:00 in Shanghai. The trend's 28 days run from 21 February to 20 March; this
# week is 14–20 March, last week 7–13 March.
NOW = datetime.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)
LIFT = "电梯坏了停运"
# Residents write differently; what they share is 电梯 (the lift).
LIFTS = [
    "电梯坏了停运",
    "电梯又坏了困人",
    "3栋电梯停运两天了",
    "电梯坏了没人修",
    "电梯故障停运",
    "电梯坏了停运",
    "电梯故障停运",
]
RUBBISH = "垃圾没人清运味道大"
RUBBISH2 = "楼下垃圾堆积没人清运"


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def voice(world: Any, text: str, when: datetime.datetime, **kw: Any) -> Voice:
    return VoiceFactory.create(compound=world.compound_a, text=text, submitted_at=when, **kw)


@pytest.fixture
def dataset(world: Any) -> dict[str, Any]:
    """Lift and rubbish voices of compound A at known times, and some that must not count."""
    lifts = [
        voice(world, LIFTS[6], at(3, 20, 8)),  # today
        voice(world, LIFTS[5], at(3, 20, 9)),  # today
        voice(world, LIFTS[4], at(3, 16)),  # this week
        voice(world, LIFTS[3], at(3, 14, 0, 30)),  # this week in Shanghai (13 March in UTC)
        voice(world, LIFTS[2], at(3, 12)),  # last week
        voice(world, LIFTS[1], at(3, 1)),  # in the 28 days, before last week
        voice(world, LIFTS[0], at(2, 1), is_public=True, me_too_count=1),  # 47 days ago: in the topic only
    ]
    rubbish = [voice(world, RUBBISH2, at(3, 18)), voice(world, RUBBISH, at(3, 10))]
    neighbour = UserFactory.create()
    MeToo.objects.create(community_id=lifts[-1].community_id, voice=lifts[-1], user=neighbour)
    MeToo.objects.filter(voice=lifts[-1]).update(at=at(3, 19, 20))  # a "me too" yesterday evening
    # never counted: older than 90 days, resolved, another compound, after "now"
    voice(world, LIFT, at(12, 1, year=2025))
    voice(world, LIFT, at(3, 19), status=Status.RESOLVED)
    VoiceFactory.create(compound=world.compound_b, text=LIFT, submitted_at=at(3, 19))
    voice(world, LIFT, at(3, 20, 11))
    return {"lifts": lifts, "rubbish": rubbish}


def _series(**days: int) -> list[int]:
    """28 daily counts from 21 February, given as d<month>_<day>=count."""
    series = [0] * 28
    start = datetime.date(2026, 2, 21)
    for key, count in days.items():
        month, day = (int(x) for x in key[1:].split("_"))
        series[(datetime.date(2026, month, day) - start).days] = count
    return series


def test_trend_is_counted_by_local_day_as_computed_by_hand(world: Any, dataset: dict[str, Any]) -> None:
    # given the dataset, seen by the community secretary at NOW
    board = topic_board(user=world.users["secretary"], compound=world.compound_a, now=NOW)
    # then two topics, the lift first (7 voices + 1 me too), then rubbish (2 voices)
    lift, rubbish = board.topics
    assert lift.words[0] == "电梯" and rubbish.words[0] == "垃圾"
    assert {v.pk for v in lift.voices} == {v.pk for v in dataset["lifts"]}
    assert (lift.count, lift.me_too, lift.weight) == (7, 1, 8)
    assert (rubbish.count, rubbish.me_too, rubbish.weight) == (2, 0, 2)
    # the lift's days: 1 March, 12 March, 14 March (00:30 Shanghai), 16 March, the me too of 19 March, 2 today
    assert lift.trend.days[0] == datetime.date(2026, 2, 21) and lift.trend.days[-1] == datetime.date(2026, 3, 20)
    assert lift.trend.counts == _series(d3_1=1, d3_12=1, d3_14=1, d3_16=1, d3_19=1, d3_20=2)
    assert (lift.trend.this_week, lift.trend.last_week, lift.trend.change) == (5, 1, 4)
    assert rubbish.trend.counts == _series(d3_10=1, d3_18=1)
    assert (rubbish.trend.this_week, rubbish.trend.last_week, rubbish.trend.change) == (1, 1, 0)
    assert board.considered == 9 and not board.truncated
    assert board.today == datetime.date(2026, 3, 20)


def test_page_shows_topics_trend_and_agenda_at_that_time(world: Any, client_for: Any, dataset: dict[str, Any]) -> None:
    # given the dataset; when the secretary opens compound A's hot topics at NOW
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.users["secretary"]).get(reverse("voices:topics", args=["aaa"]))
    html = response.content.decode()
    # then the counts, the weeks compared, the sparkline and a link to the queue's text filter are there
    assert response.status_code == 200
    assert "7 voices" in html and "1 me too" in html
    assert "This week: 5" in html and "Last week: 1" in html and "↑ 4 more" in html
    assert "→ no change" in html  # rubbish: 1 and 1
    assert html.count('class="bar this-week"') == 14 and html.count('class="bar last-week"') == 14
    assert re.search(r'href="/voices/queue/\?q=%E7%94%B5%E6%A2%AF"', html)  # 电梯: in every lift voice
    # the agenda lists the overdue voices with their text, and the copy-ready text
    assert "Agenda candidates for the next joint meeting" in html
    assert f'href="/voices/{dataset["lifts"][-1].pk}/"' in html
    assert "Hot topics:" in html and "this week 5, last week 1" in html


def test_representatives_see_aggregates_only(world: Any, client_for: Any, dataset: dict[str, Any]) -> None:
    # given the residents' representative of compound A
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.users["representative"]).get(reverse("voices:topics", args=["aaa"]))
    html = response.content.decode()
    # then topics, counts and trends, but no voice text, no link to a voice or to the queue
    assert response.status_code == 200
    assert "7 voices" in html and "This week: 5" in html
    assert not any(text in html for text in [*LIFTS, RUBBISH, RUBBISH2])  # the words are shown, never the text
    assert not re.search(r'href="/voices/\d+/"', html)
    assert "/voices/queue/" not in html
    assert "you see the topics and counts" in html


TOPIC_VIEWERS = {
    "secretary",
    "grid_worker",
    "community_staff",
    "property_manager",
    "customer_service",
    "technician",
    "representative",
    "sub_district_supervisor",
    "district_supervisor",
    "superuser",
}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_sees_hot_topics_exactly_where_it_may(world: Any, client_for: Any, role: str) -> None:
    voice(world, LIFT, at(3, 19))
    client = client_for(world.users[role])
    with time_machine.travel(NOW, tick=False):
        got = {code: client.get(reverse("voices:topics", args=[code])).status_code for code in ("aaa", "bbb")}
    allowed_b = {"sub_district_supervisor", "district_supervisor", "superuser"}
    if role == "anonymous":
        assert got == {"aaa": 302, "bbb": 302}
    else:
        assert got == {"aaa": 200 if role in TOPIC_VIEWERS else 403, "bbb": 200 if role in allowed_b else 403}


def test_selectors_refuse_outsiders(world: Any) -> None:
    for role in ("resident", "liaison", "finance", "stranger"):
        with pytest.raises(NotAllowed):
            topic_board(user=world.users[role], compound=world.compound_a)
        with pytest.raises(NotAllowed):
            agenda_overdue(user=world.users[role], compound=world.compound_a)


def test_unknown_compound_is_404_and_index_redirects_or_lists(world: Any, client_for: Any) -> None:
    assert client_for(world.users["superuser"]).get(reverse("voices:topics", args=["nope"])).status_code == 404
    one = client_for(world.users["representative"]).get(reverse("voices:topics_index"))
    assert one.status_code == 302 and one["Location"] == reverse("voices:topics", args=["aaa"])
    several = client_for(world.users["district_supervisor"]).get(reverse("voices:topics_index"))
    assert len(re.findall(r'href="/voices/topics/\w+/"', several.content.decode())) == 2
    assert client_for(world.users["officer"]).get(reverse("voices:topics_index")).status_code == 403


def test_agenda_overdue_matches_the_overdue_queue(world: Any, dataset: dict[str, Any]) -> None:
    # given the dataset (every voice raised more than 24 h before NOW is past its response deadline)
    secretary = world.users["secretary"]
    overdue, total = agenda_overdue(user=secretary, compound=world.compound_a, now=NOW)
    queue = voice_queue(user=secretary, overdue_only=True, now=NOW).filter(compound=world.compound_a)
    # then the agenda holds exactly the overdue queue of the compound, oldest first
    assert {v.pk for v in overdue} == set(queue.values_list("pk", flat=True))
    assert total == len(overdue) == 8  # 5 lifts and 2 rubbish within 90 days + the 2025 lift
    assert [v.submitted_at for v in overdue] == sorted(v.submitted_at for v in overdue)


def test_computation_is_bounded_and_says_so(world: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # given more open voices than the bound (lowered to 3 for the test)
    monkeypatch.setattr(selectors, "TOPIC_MAX_VOICES", 3)
    made = [voice(world, LIFT, at(3, d)) for d in (10, 11, 12, 13, 14)]
    # then the newest 3 are grouped and the page says the oldest were left out
    board = topic_board(user=world.users["secretary"], compound=world.compound_a, now=NOW)
    assert board.truncated and board.considered == 3
    assert {v.pk for v in board.topics[0].voices} == {v.pk for v in made[-3:]}
    with time_machine.travel(NOW, tick=False):
        html = client_for(world.users["secretary"]).get(reverse("voices:topics", args=["aaa"])).content.decode()
    assert "There are more open voices than 3" in html


def test_query_count_does_not_grow_with_the_voices(world: Any) -> None:
    secretary = world.users["secretary"]
    voice(world, LIFT, at(3, 19))
    topic_board(user=secretary, compound=world.compound_a, now=NOW)  # memberships cached on the user
    with CaptureQueriesContext(connection) as few:
        topic_board(user=secretary, compound=world.compound_a, now=NOW)
    for d in range(1, 20):
        voice(world, LIFT if d % 2 else RUBBISH, at(3, d))
    with CaptureQueriesContext(connection) as many:
        topic_board(user=secretary, compound=world.compound_a, now=NOW)
    assert len(many.captured_queries) == len(few.captured_queries) <= 3


def test_empty_compound_has_an_empty_state(world: Any, client_for: Any) -> None:
    html = client_for(world.users["secretary"]).get(reverse("voices:topics", args=["aaa"])).content.decode()
    assert "No open voices in this period, so no hot topics." in html
    assert "No overdue voices." in html


def test_sparkline_bars_scale_to_the_busiest_day() -> None:
    days = [datetime.date(2026, 3, 1) + datetime.timedelta(days=i) for i in range(28)]
    counts = [0] * 26 + [1, 4]
    spark = sparkline(Trend(days=days, counts=counts))
    heights = [b.height for b in spark.bars]
    assert heights[-1] == SPARK_HEIGHT and heights[-2] == SPARK_HEIGHT // 4 and heights[0] == 0
    assert [b.period for b in spark.bars].count("this-week") == 7
    assert all(b.y + b.height == SPARK_HEIGHT for b in spark.bars)
    assert sparkline(Trend(days=days, counts=[0] * 28)).bars[0].height == 0  # no division by zero
