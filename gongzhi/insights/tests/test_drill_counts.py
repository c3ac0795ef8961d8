"""Every drill-down lists exactly what its figure counts: on small hand-computed datasets, the rows of each
KPI's drill equal its numerator (counts, rates of records), its denominator (the mean time to resolve averages
its rows), or add up to it (fee amounts)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from gongzhi.finance.tests.test_kpis import dataset  # noqa: F401  (fees of compound A, 2023-2026)
from gongzhi.insights.engine import kpis_compute
from gongzhi.insights.periods import default_as_of, parse_period
from gongzhi.insights.registry import AMOUNT, HOURS, KpiContext, definition, definitions
from gongzhi.insights.tests.test_kpis_estate import five_houses  # noqa: F401  (house histories)
from gongzhi.insights.tests.test_kpis_voices import voices  # noqa: F401  (voices of March 2026)
from gongzhi.testing.factories import ResidentFactory

from .dashboard_data import build

pytestmark = pytest.mark.django_db
D = datetime.date
MINE = ("estates_", "voices_", "fees_", "meetings_")


def ctx_for(compound: Any, period: str) -> KpiContext:
    p = parse_period(period)
    return KpiContext(compound_ids=[compound.pk], compounds=[compound], start=p.start, end=p.end,
                      as_of=default_as_of(p))  # fmt: skip


def figure(compound: Any, key: str, period: str) -> Any:
    return kpis_compute([compound], parse_period(period), keys=[key]).values(compound.pk)[0].now


def rows_match(compound: Any, key: str, period: str) -> int:
    """Assert the drill's rows are what the figure counts; return how many rows."""
    d = definition(key)
    assert d.drill is not None, key
    drill = d.drill(ctx_for(compound, period))
    rows = list(drill.rows)
    m = figure(compound, key, period)
    if d.unit == HOURS:  # a mean: its rows are the records averaged
        assert Decimal(len(rows)) == m.denominator, (key, period)
    elif key in ("fees_collection_rate",):
        paid = drill.columns[-1]
        receivable = next(c for c in drill.columns if str(c.label) == "Receivable")
        assert sum((paid.value(r) for r in rows), Decimal(0)) == m.numerator, (key, period)
        assert sum((receivable.value(r) for r in rows), Decimal(0)) == m.denominator, (key, period)
    elif d.unit == AMOUNT or key == "fees_arrears_recovery_rate":
        last = drill.columns[-1]
        assert sum((last.value(r) for r in rows), Decimal(0)) == m.numerator, (key, period)
    else:
        assert Decimal(len(rows)) == m.numerator, (key, period)
    for r in rows:  # every cell renders; every link is a path
        for c in drill.columns:
            c.value(r)
        assert drill.link is None or drill.link(r).startswith("/")
    return len(rows)


def test_every_kpi_of_the_first_apps_has_a_drill() -> None:
    mine = [d for d in definitions() if d.key.startswith(MINE)]
    assert mine and all(d.drill is not None for d in mine)


def test_voice_drills_list_the_voices_counted(voices: Any) -> None:  # noqa: F811
    # given: the hand-computed voices of March 2026 (test_kpis_voices.py)
    compound = voices.first().compound
    # then: each voice KPI's rows are its numerator: one of each kind, 1 responded on time, 2 resolved on time,
    # 2 resolved, 2 satisfied, 1 reopened; the mean time to resolve averages 3 voices (V8, accepted on 04-01, is not
    # accepted yet as of 03-31: 1 responded on time)
    expected = {
        "voices_complaint": 1, "voices_repair": 1, "voices_suggestion": 1, "voices_praise": 1, "voices_request": 1,
        "voices_enquiry": 1, "voices_response_rate": 1, "voices_on_time_resolution_rate": 2,
        "voices_resolution_rate": 2, "voices_satisfaction_rate": 2, "voices_reopen_rate": 1,
        "voices_mean_hours_to_resolve": 3,
    }  # fmt: skip
    for key, n in expected.items():
        assert rows_match(compound, key, "2026-03") == n, key
    assert {d.key for d in definitions() if d.section == "voices"} == set(expected)


def test_voice_drills_of_other_periods_match_too(voices: Any) -> None:  # noqa: F811
    compound = voices.first().compound
    for period in ("2026-02", "2026Q1", "2026", "2026-04", "2026-03-17"):
        for d in definitions():
            if d.section == "voices":
                rows_match(compound, d.key, period)


def test_the_occupancy_drill_lists_the_houses_occupied_on_the_day(five_houses: Any) -> None:  # noqa: F811
    compound = five_houses[0].compound
    ResidentFactory.create(house=five_houses[3], moved_in_on=D(2024, 3, 1))
    for period in ("2024", "2024-06", "2025", "2023Q3", "2024-03-01"):
        rows_match(compound, "estates_occupancy_rate", period)
        rows_match(compound, "estates_permanent_residents", period)
    assert rows_match(compound, "estates_permanent_residents", "2025") == 1


def test_fee_drills_add_up_to_the_figures(dataset: Any) -> None:  # noqa: F811
    # given: the hand-computed fees of compound A (finance/tests/test_kpis.py)
    compound = dataset["compound"]
    # then: for every period, the bills listed add up to the numerator (and the receivable to the denominator)
    for period in ("2024", "2025", "2026", "2025Q1", "2025-03", "2025-06"):
        for key in ("fees_collection_rate", "fees_arrears", "fees_arrears_recovered", "fees_arrears_recovery_rate"):
            rows_match(compound, key, period)
    # and some rows are there at all (not a vacuous sum): 2025's bills, its arrears and recoveries
    assert rows_match(compound, "fees_collection_rate", "2025") == 4
    assert rows_match(compound, "fees_arrears_recovered", "2025") >= 1
    assert rows_match(compound, "fees_arrears", "2025") >= 1


def test_joint_work_drills_list_the_meetings_and_items_counted(world: Any) -> None:
    # given: the dashboard dataset (one joint meeting, two items done — one on time — in 2025)
    data = build(world, rollups=False)
    c = data["compound"]
    assert rows_match(c, "meetings_joint_held", "2025") == 1
    assert rows_match(c, "meetings_actions_done", "2025") == 2
    assert rows_match(c, "meetings_actions_on_time_rate", "2025") == 1
    for period in ("2025-03", "2025-04", "2025-05", "2024"):
        for key in ("meetings_joint_held", "meetings_actions_done", "meetings_actions_on_time_rate"):
            rows_match(c, key, period)


def test_the_dashboard_dataset_drills_match_for_every_kpi(world: Any) -> None:
    data = build(world, rollups=False)
    c = data["compound"]
    for period in ("2025", "2025-03", "2024"):
        for d in definitions():
            if d.key.startswith(MINE):
                rows_match(c, d.key, period)
