"""Rollups of the later apps' KPIs (activities, volunteer hours, mediation) equal the direct computation for every
grain built; the rebuild builds only the grains and days asked for; the sweep sees those apps' records."""

from __future__ import annotations

import datetime
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from gongzhi.activities.models import ActivityStatus, CheckinMethod
from gongzhi.duty.models import ServeKind, Volunteer
from gongzhi.insights.engine import kpis_compute
from gongzhi.insights.models import KpiRollup
from gongzhi.insights.periods import DAY, MONTH, QUARTER, YEAR, parse_period, today
from gongzhi.insights.rollups import kpis_from_rollups, rollups_recompute, touched_since
from gongzhi.insights.tests.test_kpis_mediation import _case
from gongzhi.insights.tests.test_rollups import same
from gongzhi.mediation.models import CaseEvent, Outcome
from gongzhi.testing.activities_factories import ActivityFactory, SignupFactory
from gongzhi.testing.duty_factories import AssignmentFactory, DutyPostFactory, ShiftFactory, VolunteerFactory
from gongzhi.testing.factories import CompoundFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date
SH = ZoneInfo("Asia/Shanghai")
TODAY = D(2026, 4, 30)
JOINT = ["activities_held", "activities_participants", "duty_volunteer_hours", "mediation_success_rate"]


def t(y: int, m: int, d: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(y, m, d, hour, tzinfo=SH)


def _joint_work(world: Any) -> list[Any]:
    """Compound X: activities and volunteer hours in March 2026 and March 2025; compound A (the world's): cases
    closed in both Marches; compound B: nothing."""
    x = CompoundFactory.create()
    volunteer = UserFactory.create()
    Volunteer.objects.filter(pk=VolunteerFactory.create(compound=x, user=volunteer).pk).update(
        created_at=t(2024, 12, 1)
    )
    post = DutyPostFactory.create(compound=x)
    for year in (2025, 2026):
        a = ActivityFactory.create(
            compound=x, starts_at=t(year, 3, 5), ends_at=t(year, 3, 5, 12), status=ActivityStatus.HELD,
            held_at=t(year, 3, 5, 12),
        )  # fmt: skip
        for user in (volunteer, UserFactory.create()):
            SignupFactory.create(activity=a, user=user, checked_in_at=t(year, 3, 5), checkin_method=CheckinMethod.QR)
        shift = ShiftFactory.create(post=post, starts_at=t(year, 3, 3, 7), ends_at=t(year, 3, 3, 8))
        AssignmentFactory.create(
            shift=shift, user=volunteer, kind=ServeKind.VOLUNTEER, checked_in_at=t(year, 3, 3, 7),
            checked_out_at=t(year, 3, 3, 8),
        )  # fmt: skip
    _case(world, t(2026, 3, 1), t(2026, 3, 5), Outcome.AGREEMENT)
    _case(world, t(2026, 3, 2), t(2026, 3, 12), Outcome.WITHDRAWN)
    _case(world, t(2025, 3, 1), t(2025, 3, 6), Outcome.AGREEMENT)
    return [world.compound_a, world.compound_b, x]


def test_joint_work_rollups_equal_the_direct_computation_for_every_grain(world: Any) -> None:
    compounds = _joint_work(world)
    # given months, quarters and years of both years, and the days of early March 2026
    for first, last in ((D(2025, 1, 1), D(2025, 4, 30)), (D(2026, 1, 1), TODAY)):
        rollups_recompute(compounds, first, last, today=TODAY, grains=(MONTH, QUARTER, YEAR))
    rollups_recompute(compounds, D(2026, 3, 1), D(2026, 3, 6), today=TODAY, grains=(DAY,))
    # then every grain reads what the engine computes (the day's year before is older than the daily window:
    # computed directly)
    for period in ("2026-03", "2026Q1", "2026-03-05", "2026-03-03"):
        same(compounds, period)
    same(compounds, "2026", as_of=TODAY)
    # and the figures are the hand-computed ones: 1 activity, 2 check-ins, 3.00 hours, 1 of 2 cases
    report = kpis_from_rollups(compounds, parse_period("2026-03"), keys=JOINT, today=TODAY)
    values = {v.definition.key: v for v in report.values(None)}
    assert [values[k].value for k in JOINT] == [1, 2, 3, 0.5]
    assert [values[k].value_year_before for k in JOINT] == [1, 2, 3, 1]


def test_the_rebuild_builds_only_the_grains_asked_for_and_they_equal_the_direct_computation(world: Any) -> None:
    compounds = _joint_work(world)
    # when: only what the area dashboard reads
    out = io.StringIO()
    call_command("kpi_rollups_rebuild", "--since", "2025-01-01", "--grains", "month,year", stdout=out)
    # then: months and years only, and they read as the engine computes them
    assert set(KpiRollup.objects.values_list("grain", flat=True).distinct()) == {MONTH, YEAR}
    assert "rollup rows written in" in out.getvalue()
    this_month = parse_period(today().strftime("%Y-%m"))
    # (periods whose year before is rolled up too: a period before --since reads "no data")
    for period in (parse_period("2026-03"), this_month):
        direct = kpis_compute(compounds, period)
        rolled = kpis_from_rollups(compounds, period)
        for c in [*(c.pk for c in compounds), None]:
            assert [(v.now, v.year_before) for v in rolled.values(c)] == [
                (v.now, v.year_before) for v in direct.values(c)
            ], period


def test_daily_rollups_are_built_only_for_the_days_asked_for(world: Any) -> None:
    # when: all grains of March-April 2026 with a daily window of 10 days
    compounds = [world.compound_a, world.compound_b]
    rollups_recompute(compounds, D(2026, 3, 1), TODAY, today=TODAY, days=datetime.timedelta(days=10))
    days = set(KpiRollup.objects.filter(grain=DAY).values_list("start", flat=True))
    # then: the days from 4-20 to 4-30 only; months, quarters and the year all there
    assert days == {D(2026, 4, 20) + datetime.timedelta(days=i) for i in range(11)}
    assert set(KpiRollup.objects.filter(grain=MONTH).values_list("start", flat=True)) == {D(2026, 3, 1), D(2026, 4, 1)}
    assert KpiRollup.objects.filter(grain=QUARTER).exists() and KpiRollup.objects.filter(grain=YEAR).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--grains", "week"], "--grains"),
        (["--grains", ""], "--grains"),
        (["--grains", "month,<script>"], "--grains"),
        (["--days", "-1"], "--days"),
        (["--days", "ten"], "--days"),
        (["--days", "99999999"], "--days"),
    ],
)
def test_the_rebuild_refuses_bad_grains_and_days(world: Any, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("kpi_rollups_rebuild", *args)
    assert not KpiRollup.objects.exists()


def test_the_sweep_sees_backdated_joint_work(world: Any) -> None:
    # given: the marks are taken (an hour ahead, past the world's own rows), then a case and a duty shift are
    # entered with earlier dates
    now = timezone.now() + datetime.timedelta(hours=1)
    touched_since(now=now)
    case = _case(world, t(2026, 1, 20), t(2026, 2, 10), Outcome.AGREEMENT)
    x = CompoundFactory.create()
    shift = ShiftFactory.create(
        post=DutyPostFactory.create(compound=x), starts_at=t(2026, 2, 3, 7), ends_at=t(2026, 2, 3, 8)
    )
    AssignmentFactory.create(shift=shift, checked_in_at=t(2026, 2, 3, 7), checked_out_at=t(2026, 2, 3, 8))
    # when / then: the case's compound is touched from the case's first event, X from the shift's day
    touched = touched_since(now=now + datetime.timedelta(hours=1), advance=False)
    first = CaseEvent.objects.filter(case=case).order_by("at").first()
    assert first is not None
    assert touched[case.compound_id] == first.at.astimezone(SH).date() == D(2026, 1, 20)
    assert touched[x.pk] == D(2026, 2, 3)


def test_a_full_rebuild_starts_the_sweep_from_now(world: Any) -> None:
    from django.db.models import Max

    from gongzhi.duty.models import Assignment
    from gongzhi.insights.models import RollupMark

    # given: a case closed last month, recorded before the rebuild
    _case(world, t(2026, 3, 1), t(2026, 3, 5), Outcome.AGREEMENT)
    # when: every compound is rebuilt (years only, to be quick)
    call_command("kpi_rollups_rebuild", "--grains", "year", stdout=io.StringIO())
    # then: the sweep's marks have moved past what the rebuild read: its next run does not redo all history
    assert RollupMark.objects.get(source="case_event").last_id == CaseEvent.objects.aggregate(m=Max("pk"))["m"]
    assert RollupMark.objects.get(source="activity").last_run_at is not None
    # but a rebuild of one compound leaves them (other compounds' news stays for the sweep)
    x = CompoundFactory.create()
    AssignmentFactory.create(shift=ShiftFactory.create(post=DutyPostFactory.create(compound=x)))
    call_command("kpi_rollups_rebuild", "--compound", x.code, "--grains", "year", stdout=io.StringIO())
    assert RollupMark.objects.get(source="assignment").last_id < Assignment.objects.aggregate(m=Max("pk"))["m"]
