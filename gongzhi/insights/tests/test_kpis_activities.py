"""Activities held and their participants (gongzhi/activities/kpis.py) on a small hand-computed March 2025."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gongzhi.activities.models import ActivityCategory, ActivityStatus, CheckinMethod
from gongzhi.insights.engine import kpis_compute
from gongzhi.insights.periods import parse_period
from gongzhi.insights.registry import KpiContext, Measure, definition
from gongzhi.testing.activities_factories import ActivityFactory, SignupFactory
from gongzhi.testing.factories import CompoundFactory

pytestmark = pytest.mark.django_db
D = datetime.date
SH = ZoneInfo("Asia/Shanghai")
KEYS = ["activities_held", "activities_participants"]


def t(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2025, month, day, hour, tzinfo=SH)


def activity(compound: Any, starts: datetime.datetime, status: str, **kw: Any) -> Any:
    return ActivityFactory.create(
        compound=compound, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), status=status, **kw
    )


def checked_in(a: Any, at: datetime.datetime | None, n: int = 1) -> None:
    for _ in range(n):
        SignupFactory.create(activity=a, checked_in_at=at, checkin_method=CheckinMethod.QR if at else "")


@pytest.fixture
def march() -> dict[str, Any]:
    """Compound X's activities around March 2025; Y has none; Z has one in February only."""
    x, y, z = CompoundFactory.create(), CompoundFactory.create(), CompoundFactory.create()
    held = ActivityStatus.HELD
    # A1 held on 3-05, festival: two check-ins and a sign-up that never came
    a1 = activity(x, t(3, 5), held, held_at=t(3, 5, 12), category=ActivityCategory.FESTIVAL)
    checked_in(a1, t(3, 5, 10), n=2)
    checked_in(a1, None)
    # A2 on 3-28, marked held only on 4-02 (one check-in on the day)
    a2 = activity(x, t(3, 28), held, held_at=t(4, 2))
    checked_in(a2, t(3, 28, 10))
    # A3 cancelled, A4 published but never marked held: not counted
    activity(x, t(3, 10), ActivityStatus.CANCELLED, cancelled_at=t(3, 8))
    a4 = activity(x, t(3, 15), ActivityStatus.PUBLISHED)
    checked_in(a4, t(3, 15, 10))
    # A6 held on 3-20; its one attendee marked present by staff only on 4-03
    a6 = activity(x, t(3, 20), held, held_at=t(3, 20, 12), category=ActivityCategory.ELDERLY)
    SignupFactory.create(activity=a6, checked_in_at=t(4, 3), checkin_method=CheckinMethod.STAFF, party_size=3)
    # A5 held in February (not March); Z's only activity, also February
    activity(x, t(2, 20), held, held_at=t(2, 20, 12))
    activity(z, t(2, 21), held, held_at=t(2, 21, 12))
    return {"x": x, "y": y, "z": z}


def measures(compounds: list[Any], period: str, as_of: datetime.date | None = None) -> dict[Any, dict[str, Any]]:
    report = kpis_compute(compounds, parse_period(period), as_of=as_of, keys=KEYS)
    return {c: {v.definition.key: v for v in report.values(None if c is None else c.pk)} for c in [*compounds, None]}


def test_march_activities_held_and_check_ins_by_hand(march: dict[str, Any]) -> None:
    x, y, z = march["x"], march["y"], march["z"]
    k = measures([x, y, z], "2025-03")
    # X as of 3-31: A1 and A6 held (A2 marked held in April, A3 cancelled, A4 never held); check-ins: A1's two
    # (A6's attendee was marked present in April)
    assert k[x]["activities_held"].now == Measure.count(2)
    assert k[x]["activities_participants"].now == Measure.count(2)
    # Y recorded no activity: no data, not 0; Z recorded one (in February): 0 in March
    assert k[y]["activities_held"].value is None and k[y]["activities_participants"].value is None
    assert k[z]["activities_held"].now == Measure.count(0)
    # the year before (March 2024): X had recorded nothing yet
    assert k[x]["activities_held"].year_before.value is None
    # the three compounds add up
    assert k[None]["activities_held"].now == Measure.count(2)
    assert k[None]["activities_participants"].now == Measure.count(2)


def test_as_of_counts_only_what_was_recorded_by_then(march: dict[str, Any]) -> None:
    x = march["x"]
    # as of 3-10: A1 only (A6 starts on 3-20)
    k = measures([x], "2025-03", as_of=D(2025, 3, 10))[x]
    assert (k["activities_held"].now, k["activities_participants"].now) == (Measure.count(1), Measure.count(2))
    # as of 4-05: A2 marked held on 4-02 and A6's late check-in now count for March: 3 held, 2 + 1 + 1 check-ins
    k = measures([x], "2025-03", as_of=D(2025, 4, 5))[x]
    assert (k["activities_held"].now, k["activities_participants"].now) == (Measure.count(3), Measure.count(4))
    # as of 2025-02-01 X had recorded nothing: no data
    k = measures([x], "2025-02", as_of=D(2025, 2, 1))[x]
    assert k["activities_held"].value is None


def test_a_compound_with_nothing_is_no_data(march: dict[str, Any]) -> None:
    empty = CompoundFactory.create()
    k = measures([empty], "2025")[empty]
    assert all(k[key].value is None for key in KEYS)


def test_the_kpis_take_the_same_queries_for_one_compound_or_many(
    march: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    # one query for both counts, one for "recorded" — for any number of compounds (and the year before)
    for compounds in ([march["x"]], [march["x"], march["y"], march["z"], *CompoundFactory.create_batch(5)]):
        with django_assert_max_num_queries(4):
            kpis_compute(compounds, parse_period("2025-03"), keys=KEYS)


def _ctx(compound: Any, period: str, as_of: datetime.date | None = None) -> KpiContext:
    p = parse_period(period)
    return KpiContext([compound.pk], [compound], p.start, p.end, as_of or p.last_day)


def test_the_drills_list_the_activities_and_check_ins_behind_the_figures(march: dict[str, Any]) -> None:
    x = march["x"]
    drill = definition("activities_held").drill
    assert drill is not None
    held = drill(_ctx(x, "2025-03"))
    rows = list(held.rows)
    # the two activities counted, with their category and check-ins; each links to its page
    assert [[c.value(r) for c in held.columns][2:] for r in rows] == [
        ["Festivals and culture", "小区中心广场", 2],
        ["Care for the elderly", "小区中心广场", 0],
    ]
    assert held.link is not None and held.link(rows[0]) == f"/activities/{rows[0].pk}/"
    people = definition("activities_participants").drill
    assert people is not None
    checks = people(_ctx(x, "2025-03", D(2025, 4, 5)))
    assert checks.rows.count() == 4
    # who checked in is not listed: no column holds a user's name
    names = {s.user.name for s in checks.rows}
    assert not names & {str(c.value(s)) for s in checks.rows for c in checks.columns}
