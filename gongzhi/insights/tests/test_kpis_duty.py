"""Volunteer hours (gongzhi/duty/kpis.py) on a small hand-computed March 2025, and pinned to the hours the
volunteers' certificates show (duty.selectors.volunteer_hours)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gongzhi.activities.models import ActivityStatus, CheckinMethod
from gongzhi.duty import selectors
from gongzhi.duty.kpis import hours_by_compound
from gongzhi.duty.models import NameDisplay, ServeKind, Volunteer, VolunteerStatus
from gongzhi.insights.engine import kpis_compute
from gongzhi.insights.periods import parse_period
from gongzhi.insights.registry import KpiContext, Measure, definition
from gongzhi.testing.activities_factories import ActivityFactory, SignupFactory
from gongzhi.testing.duty_factories import AssignmentFactory, DutyPostFactory, ShiftFactory, VolunteerFactory
from gongzhi.testing.factories import CompoundFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date
SH = ZoneInfo("Asia/Shanghai")
KEY = "duty_volunteer_hours"


def t(month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2025, month, day, hour, minute, tzinfo=SH)


def shift(post: Any, starts: datetime.datetime, minutes: int) -> Any:
    return ShiftFactory.create(post=post, starts_at=starts, ends_at=starts + datetime.timedelta(minutes=minutes))


def served(
    post: Any, user: Any, starts: datetime.datetime, minutes: int, came: Any, left: Any, kind: str = ServeKind.VOLUNTEER
) -> None:
    AssignmentFactory.create(
        shift=shift(post, starts, minutes), user=user, kind=kind, checked_in_at=came, checked_out_at=left
    )


def attended(compound: Any, users: list[Any], starts: datetime.datetime, hours: float, **kw: Any) -> None:
    a = ActivityFactory.create(
        compound=compound, starts_at=starts, ends_at=starts + datetime.timedelta(hours=hours), **kw
    )
    for u in users:
        SignupFactory.create(activity=a, user=u, checked_in_at=starts, checkin_method=CheckinMethod.QR)


@pytest.fixture
def march() -> dict[str, Any]:
    x, y, z = CompoundFactory.create(), CompoundFactory.create(), CompoundFactory.create()
    v1, v2, v3 = UserFactory.create(name="王小明"), UserFactory.create(name="李四"), UserFactory.create(name="赵六")
    officer, resident = UserFactory.create(), UserFactory.create()
    VolunteerFactory.create(compound=x, user=v1, name_display=NameDisplay.FULL)
    VolunteerFactory.create(compound=x, user=v3, status=VolunteerStatus.REFUSED)  # refused: not a volunteer
    # Z: a volunteer on the register since January, no hours
    z_volunteer = VolunteerFactory.create(compound=z, user=UserFactory.create())
    Volunteer.objects.filter(pk=z_volunteer.pk).update(created_at=t(1, 5, 9))
    post = DutyPostFactory.create(compound=x)
    # V1: 40 of a 40-minute shift (came early, left late: at most the shift), 20 minutes of another → 1.00 h
    served(post, v1, t(3, 3, 7, 20), 40, t(3, 3, 7, 15), t(3, 3, 8, 3))
    served(post, v1, t(3, 5, 7, 20), 40, t(3, 5, 7, 30), t(3, 5, 7, 50))
    # ... and a shift of 3-31 checked out only on 4-01 (40 minutes)
    served(post, v1, t(3, 31, 7, 20), 40, t(3, 31, 7, 20), t(4, 1, 9, 0))
    # ... and an April shift: not March
    served(post, v1, t(4, 2, 7, 20), 40, t(4, 2, 7, 20), t(4, 2, 8, 0))
    # V2 is not on the register but served as a resident volunteer: 1.00 h
    served(post, v2, t(3, 12, 16, 30), 60, t(3, 12, 16, 30), t(3, 12, 17, 30))
    # the officer's hours are not a volunteer's; nor is a shift checked in but never checked out
    served(post, officer, t(3, 4, 7, 20), 40, t(3, 4, 7, 20), t(3, 4, 8, 0), kind=ServeKind.OFFICER)
    served(post, v1, t(3, 7, 7, 20), 40, t(3, 7, 7, 20), None)
    # a 2-hour activity: V1 (2.00 h), a resident and the refused applicant (not volunteers) checked in
    attended(x, [v1, resident, v3], t(3, 10, 9), 2)
    # a 1.5-hour activity V1 checked in at, cancelled afterwards on 3-25
    attended(x, [v1], t(3, 20, 9), 1.5, status=ActivityStatus.CANCELLED, cancelled_at=t(3, 25, 9))
    return {"x": x, "y": y, "z": z, "v1": v1, "v2": v2}


def measures(compounds: list[Any], period: str, as_of: datetime.date | None = None) -> dict[Any, Any]:
    report = kpis_compute(compounds, parse_period(period), as_of=as_of, keys=[KEY])
    return {c: report.values(None if c is None else c.pk)[0] for c in [*compounds, None]}


def test_march_volunteer_hours_by_hand(march: dict[str, Any]) -> None:
    x, y, z = march["x"], march["y"], march["z"]
    k = measures([x, y, z], "2025-03")
    # as of 3-31: V1 1.00 + 2.00, V2 1.00 (the 3-31 shift was checked out on 4-01; the cancelled activity no more)
    assert k[x].now == Measure.count(Decimal("4.00"))
    # Y has no volunteer: no data; Z has one without hours: 0
    assert k[y].value is None
    assert k[z].now == Measure.count(0)
    # they add up; the year before, nobody had served yet: no data
    assert k[None].now == Measure.count(Decimal("4.00"))
    assert k[x].year_before.value is None


def test_as_of_counts_only_check_ins_recorded_and_activities_not_cancelled_by_then(march: dict[str, Any]) -> None:
    x = march["x"]
    # as of 3-22: V1 1.00 + 2.00 + 1.50 (the activity was not cancelled yet), V2 1.00
    assert measures([x], "2025-03", as_of=D(2025, 3, 22))[x].now == Measure.count(Decimal("5.50"))
    # as of 4-05: the 3-31 shift is checked out: V1 1.67 + 2.00, V2 1.00
    assert measures([x], "2025-03", as_of=D(2025, 4, 5))[x].now == Measure.count(Decimal("4.67"))
    # as of 3-02 nobody had served and the register's only volunteer was entered today: no data
    assert measures([x], "2025-03", as_of=D(2025, 3, 2))[x].value is None


def test_the_hours_are_those_of_the_certificates(march: dict[str, Any]) -> None:
    # given the whole of 2025 measured long after (everything recorded)
    x = march["x"]
    for since, until in (
        (D(2025, 3, 1), D(2025, 3, 31)),
        (D(2025, 1, 1), D(2025, 12, 31)),
        (D(2025, 3, 5), D(2025, 3, 5)),
    ):
        ctx = KpiContext([x.pk], [x], since, until + datetime.timedelta(days=1), D(2026, 1, 31))
        ours, _data = hours_by_compound(ctx)
        # then every volunteer's (duty, activity) hours are those volunteer_hours gives for the compound
        theirs = selectors.volunteer_hours(compound_ids=[x.pk], since=since, until=until)
        assert ours.get(x.pk, {}) == {u: theirs[u] for u in ours.get(x.pk, {})}
        assert set(ours.get(x.pk, {})) <= {march["v1"].pk, march["v2"].pk}


def test_the_kpi_takes_the_same_queries_for_one_compound_or_many(
    march: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for compounds in ([march["x"]], [march["x"], march["y"], march["z"], *CompoundFactory.create_batch(5)]):
        with django_assert_max_num_queries(8):  # four for the period, four for the year before
            kpis_compute(compounds, parse_period("2025-03"), keys=[KEY])


def test_the_drill_lists_the_volunteers_as_the_honour_board_names_them(march: dict[str, Any]) -> None:
    x = march["x"]
    drill = definition(KEY).drill
    assert drill is not None
    p = parse_period("2025-03")
    listed = drill(KpiContext([x.pk], [x], p.start, p.end, p.last_day))
    rows = [[str(c.value(r)) for c in listed.columns] for r in listed.rows]
    # V1 chose the full name; V2 (not on the register) is masked; the officer and the resident are not listed
    assert sorted(rows) == sorted([["王小明", "1.00", "2.00", "3.00"], ["李*", "1.00", "0.00", "1.00"]])
