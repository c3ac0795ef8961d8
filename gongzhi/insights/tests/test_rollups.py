"""Rollups equal the direct computation (every KPI, several grains and periods), and the sweep keeps them so."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from gongzhi.finance.tests.test_kpis import dataset  # noqa: F401  (fees of compound A, 2023-2026)
from gongzhi.insights.engine import kpis_compute
from gongzhi.insights.models import KpiRollup, KpiRollupToDate
from gongzhi.insights.periods import DAY, MONTH, QUARTER, YEAR, parse_period
from gongzhi.insights.rollups import kpis_from_rollups, rollups_recompute, rollups_sweep, touched_since
from gongzhi.insights.tests.test_kpis_estate import five_houses  # noqa: F401  (house histories)
from gongzhi.insights.tests.test_kpis_voices import voices  # noqa: F401  (voices of March 2026)
from gongzhi.meetings.models import ActionStatus, ActionUpdate, MeetingKind, MeetingStatus
from gongzhi.testing.factories import ResidentFactory
from gongzhi.testing.meetings_factories import ActionItemFactory, MeetingFactory
from gongzhi.testing.voices_factories import VoiceFactory, event
from gongzhi.voices.models import Kind

pytestmark = pytest.mark.django_db
D = datetime.date
SH = ZoneInfo("Asia/Shanghai")
TODAY = D(2026, 4, 30)


def same(compounds: list[Any], period: str, as_of: datetime.date | None = None) -> None:
    p = parse_period(period)
    direct = kpis_compute(compounds, p, as_of=as_of)
    rolled = kpis_from_rollups(compounds, p, today=TODAY)
    assert rolled.as_of == direct.as_of and rolled.year_before_as_of == direct.year_before_as_of
    for c in [*(c.pk for c in compounds), None]:
        pairs = list(zip(rolled.values(c), direct.values(c), strict=True))
        assert [(r.definition.key, r.now, r.year_before) for r, _d in pairs] == [
            (d.definition.key, d.now, d.year_before) for _r, d in pairs
        ], period


def _joint_work(compound: Any) -> None:
    """A few meetings and action items in early 2026 (and one a year before), as in test_kpis_joint_work.py."""

    def t(y: int, m: int, d: int) -> datetime.datetime:
        return datetime.datetime(y, m, d, 10, tzinfo=SH)

    for starts, closed in ((t(2026, 3, 5), t(2026, 3, 6)), (t(2026, 1, 8), t(2026, 1, 9)), (t(2025, 3, 3), None)):
        MeetingFactory.create(
            compound=compound, kind=MeetingKind.JOINT, starts_at=starts, ends_at=starts + datetime.timedelta(hours=1),
            status=MeetingStatus.CLOSED if closed else MeetingStatus.HELD, closed_at=closed,
        )  # fmt: skip
    for due, done in ((D(2026, 3, 10), t(2026, 3, 9)), (D(2026, 2, 1), t(2026, 3, 14)), (D(2025, 3, 1), t(2025, 3, 2))):
        item = ActionItemFactory.create(compound=compound, due_on=due, status=ActionStatus.DONE)
        ActionUpdate.objects.create(
            community_id=compound.community_id, action_item=item, status_before=ActionStatus.PLANNED,
            status_after=ActionStatus.DONE, progress_after=100, at=done,
        )  # fmt: skip


@pytest.fixture
def rolled(dataset: Any, voices: Any, world: Any, five_houses: Any) -> list[Any]:  # noqa: F811
    """Fees (compound A), voices and joint work (the voices' compound), house histories and residents (a third),
    and compound B with a single bill."""
    _joint_work(voices.first().compound)
    ResidentFactory.create(house=five_houses[3], moved_in_on=D(2024, 3, 1))
    compounds = [dataset["compound"], voices.first().compound, world.compound_b, five_houses[0].compound]
    # months, quarters and years from 2025 (the year before of 2026); days around 14 March of both years
    # (only the periods the tests read, to keep them quick)
    rollups_recompute(compounds, D(2025, 1, 1), D(2025, 4, 30), today=TODAY, grains=(MONTH, QUARTER, YEAR))
    rollups_recompute(compounds, D(2026, 1, 1), TODAY, today=TODAY, grains=(MONTH, QUARTER, YEAR))
    rollups_recompute(compounds, D(2025, 3, 13), D(2025, 3, 15), today=TODAY, grains=(DAY,))
    rollups_recompute(compounds, D(2026, 3, 13), D(2026, 3, 15), today=TODAY, grains=(DAY,))
    return compounds


def test_rollups_equal_the_direct_computation(rolled: list[Any]) -> None:
    # closed periods of every grain, as of their last day (fees 2025, voices March 2026), each with its year before
    for period in ("2026-03", "2026Q1", "2026-03-14", "2026-01", "2026-02"):
        same(rolled, period)
    # the running year and quarter, as of the last day rolled up
    same(rolled, "2026", as_of=TODAY)
    same(rolled, "2026Q2", as_of=TODAY)


def test_reading_rollups_takes_one_query_however_many_compounds(
    rolled: list[Any], django_assert_num_queries: Any
) -> None:
    # a closed period: the period and its year before, for every compound, in one query
    with django_assert_num_queries(1):
        report = kpis_from_rollups(rolled, parse_period("2026-03"), today=TODAY)
    keys = {v.definition.key: v for v in report.values(None)}
    assert keys["voices_complaint"].value == 1 and keys["meetings_joint_held"].value == 1
    assert keys["estates_occupancy_rate"].value is not None


def test_a_period_not_rolled_up_reads_as_no_data(rolled: list[Any]) -> None:
    report = kpis_from_rollups(rolled, parse_period("2025-07"), today=TODAY)
    assert all(v.value is None for v in report.values(None))


def test_the_sweep_recomputes_what_was_recorded_since_its_last_run(voices: Any) -> None:  # noqa: F811
    # given: the marks are taken on 2026-02-12, then a complaint of 2026-02-10 is entered late (backdated)
    now = datetime.datetime(2026, 2, 12, 2, tzinfo=SH)
    touched_since(now=now)
    compound = voices.first().compound
    at = datetime.datetime(2026, 2, 10, 9, tzinfo=SH)
    v = VoiceFactory.create(compound=compound, kind=Kind.COMPLAINT, submitted_at=at, resolved_at=at, status="resolved")
    event(v, "resolve", at)
    # when: the sweep runs
    counts = rollups_sweep(now=now + datetime.timedelta(hours=1))
    # then: the days from 2-10, February, Q1 and the year are recomputed and equal the direct computation
    assert counts["touched"] == 1
    day = D(2026, 2, 12)
    for period in ("2026-02-10", "2026-02-11"):
        p = parse_period(period)
        rolled = kpis_from_rollups([compound], p, today=day).values(compound.pk)
        assert [x.now for x in rolled] == [x.now for x in kpis_compute([compound], p).values(compound.pk)]
    for period in ("2026-02", "2026Q1", "2026"):
        p = parse_period(period)
        rolled = kpis_from_rollups([compound], p, today=day).values(compound.pk)
        direct = kpis_compute([compound], p, as_of=day).values(compound.pk)
        assert [(x.now, x.year_before) for x in rolled] == [(x.now, x.year_before) for x in direct], period
        assert {x.definition.key: x.value for x in rolled}["voices_complaint"] == 1


def test_the_rebuild_command_writes_rollups_for_one_compound(dataset: Any) -> None:  # noqa: F811
    # when
    call_command("kpi_rollups_rebuild", "--compound", dataset["compound"].code, "--since", "2026-11-01")
    # then: rows for that compound only, every KPI of each period
    rows = KpiRollup.objects.all()
    assert rows and {r.compound_id for r in rows} == {dataset["compound"].pk}
    assert rows.filter(grain="month", start=D(2026, 11, 1)).count() == len({r.key for r in rows})


def test_the_rebuild_command_refuses_bad_input(world: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No compound"):
        call_command("kpi_rollups_rebuild", "--compound", "nope")
    with pytest.raises(CommandError, match="not a date"):
        call_command("kpi_rollups_rebuild", "--since", "2025-13-01")
    assert not KpiRollup.objects.exists()


def test_the_periodic_job_runs_once_a_period(world: Any) -> None:
    from gongzhi.insights.tasks import rollup_sweep_run

    # given: the world's two compounds; when: the job runs, and again at once (a double)
    now = datetime.datetime(2026, 4, 30, 2, tzinfo=SH)
    first = rollup_sweep_run(now=now, reschedule=False)
    second = rollup_sweep_run(now=now + datetime.timedelta(minutes=5), reschedule=False)
    # then: the first wrote yesterday's and today's rollups (2 days, their month, quarter, year) for both
    assert first is not None and first["compounds"] == 2
    assert KpiRollup.objects.filter(grain="day", start=D(2026, 4, 30)).values("compound").distinct().count() == 2
    assert KpiRollup.objects.filter(grain="year", start=D(2026, 1, 1)).exists()
    assert second is None


def test_the_sweep_command_runs_the_job(world: Any) -> None:
    import io

    out = io.StringIO()
    call_command("kpi_rollups_sweep", stdout=out)
    assert "'compounds': 2" in out.getvalue()


def test_a_running_period_reads_its_year_before_to_date_from_the_rollups(
    rolled: list[Any], django_assert_num_queries: Any
) -> None:
    # given the running year rolled up today (its year before kept to the same day by the recompute)
    assert KpiRollupToDate.objects.filter(grain=YEAR, start=D(2025, 1, 1), as_of=D(2025, 4, 30)).exists()
    # when a page reads it
    with django_assert_num_queries(2):
        report = kpis_from_rollups(rolled, parse_period("2026"), today=TODAY)
    # then the year before is the one measured to 30 April 2025, as the direct computation has it
    direct = kpis_compute(rolled, parse_period("2026"), as_of=TODAY)
    assert [(v.definition.key, v.year_before) for v in report.values(None)] == [
        (v.definition.key, v.year_before) for v in direct.values(None)
    ]


def test_a_running_period_not_swept_today_measures_its_year_before_directly(rolled: list[Any]) -> None:
    # given the rollups of 30 April, read on 1 May before any sweep: the kept year before is a day old
    tomorrow = TODAY + datetime.timedelta(days=1)
    # when a page reads the running year
    report = kpis_from_rollups(rolled, parse_period("2026"), today=tomorrow)
    # then its year before is measured to 1 May 2025, not read stale
    direct = kpis_compute(rolled, parse_period("2026"), as_of=tomorrow)
    assert report.year_before_as_of == D(2025, 5, 1)
    assert [v.year_before for v in report.values(None)] == [v.year_before for v in direct.values(None)]
