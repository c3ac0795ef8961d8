"""The engine: periods, as-of, the registry's definitions on the hand-computed datasets, year-on-year, no data."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from gongzhi.core.errors import DomainError
from gongzhi.finance.tests.test_kpis import dataset  # noqa: F401  (the fee dataset, hand-computed there)
from gongzhi.insights.engine import KpiValue, as_of_check, kpis_compute
from gongzhi.insights.periods import default_as_of, parse_date, parse_period
from gongzhi.insights.registry import RATE, Measure, definition, definitions
from gongzhi.insights.tests.test_kpis_voices import voices  # noqa: F401  (the March 2026 voices)
from gongzhi.testing.factories import CompoundFactory

D = datetime.date


def by_key(report: Any, compound_id: int) -> dict[str, KpiValue]:
    return {v.definition.key: v for v in report.values(compound_id)}


# --- periods -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025", D(2025, 1, 1), D(2026, 1, 1)),
        ("2025Q1", D(2025, 1, 1), D(2025, 4, 1)),
        ("2025q4", D(2025, 10, 1), D(2026, 1, 1)),
        ("2025-03", D(2025, 3, 1), D(2025, 4, 1)),
        ("2025-12", D(2025, 12, 1), D(2026, 1, 1)),
        ("2024-02-29", D(2024, 2, 29), D(2024, 3, 1)),
    ],
)
def test_a_period_parses_into_a_half_open_range(text, start, end):
    p = parse_period(text)
    assert (p.start, p.end) == (start, end)
    assert parse_period(p.code) == p


@pytest.mark.parametrize(
    "text",
    ["", "25", "2025Q5", "2025Q0", "2025-13", "2025-00", "2025-3", "2025-02-30", "1899", "<b>2025</b>", "2025 Q1"],
)
def test_a_period_that_does_not_parse_is_a_clear_error(text):
    with pytest.raises(DomainError) as e:
        parse_period(text)
    assert e.value.field == "period" and e.value.code == "bad_period"


def test_the_year_before_of_each_grain():
    assert parse_period("2025Q2").year_before() == parse_period("2024Q2")
    assert parse_period("2025-03").year_before() == parse_period("2024-03")
    assert parse_period("2024-02-29").year_before() == parse_period("2023-02-28")


def test_the_default_as_of_is_the_last_day_or_today_while_running():
    p = parse_period("2025")
    assert default_as_of(p, now=D(2026, 5, 1)) == D(2025, 12, 31)
    assert default_as_of(p, now=D(2025, 6, 30)) == D(2025, 6, 30)
    assert default_as_of(p, now=D(2024, 6, 30)) == D(2025, 1, 1)  # not begun: its first day


def test_a_date_that_does_not_parse_is_a_clear_error():
    with pytest.raises(DomainError) as e:
        parse_date("2025-06-31")
    assert e.value.field == "as_of" and e.value.code == "bad_date"


# --- the registry ----------------------------------------------------------------------------------------------


def test_every_kpi_is_registered_once_with_a_label_and_a_unit():
    keys = [d.key for d in definitions()]
    assert len(keys) == len(set(keys))
    assert {
        "estates_occupancy_rate", "estates_permanent_residents", "voices_complaint", "voices_praise",
        "voices_response_rate", "voices_on_time_resolution_rate", "voices_resolution_rate",
        "voices_satisfaction_rate", "voices_mean_hours_to_resolve", "voices_reopen_rate", "fees_collection_rate",
        "fees_arrears", "fees_arrears_recovered", "fees_arrears_recovery_rate", "meetings_joint_held",
        "meetings_actions_done", "meetings_actions_on_time_rate",
    } <= set(keys)  # fmt: skip
    assert all(str(d.label) and d.unit in ("rate", "count", "amount", "hours") for d in definitions())


# --- the definitions, on the datasets hand-computed in test_kpis_voices.py and finance/tests/test_kpis.py ------


@pytest.mark.django_db
def test_the_voice_kpis_of_march_2026_through_the_engine(voices):  # noqa: F811
    # given: the March 2026 voices (see test_kpis_voices.py for how each figure is counted), as of 2026-04-30
    compound = voices.first().compound
    report = kpis_compute([compound], parse_period("2026-03"), as_of=D(2026, 4, 30))
    k = by_key(report, compound.pk)
    # then: the same numerators and denominators as the kpis.py functions
    assert [k[f"voices_{kind}"].now.numerator for kind in ("complaint", "repair", "praise", "enquiry")] == [1] * 4
    assert (k["voices_response_rate"].now.numerator, k["voices_response_rate"].now.denominator) == (2, 5)
    assert (k["voices_on_time_resolution_rate"].now.numerator, k["voices_on_time_resolution_rate"].now.denominator) == (
        2,
        5,
    )
    assert (k["voices_resolution_rate"].now.numerator, k["voices_resolution_rate"].now.denominator) == (2, 5)
    assert (k["voices_satisfaction_rate"].now.numerator, k["voices_satisfaction_rate"].now.denominator) == (2, 3)
    assert (k["voices_reopen_rate"].now.numerator, k["voices_reopen_rate"].now.denominator) == (1, 4)
    # 48 + 168 + 96 = 312 hours over 3 voices = 104 h
    assert k["voices_mean_hours_to_resolve"].now == Measure.ratio(312, 3)
    assert k["voices_mean_hours_to_resolve"].value == Decimal(104)


@pytest.mark.django_db
def test_the_voice_kpis_as_of_a_day_inside_the_period(voices):  # noqa: F811
    # given: as of 2026-03-14 (events up to the end of that day)
    compound = voices.first().compound
    k = by_key(kpis_compute([compound], parse_period("2026-03"), as_of=D(2026, 3, 14)), compound.pk)
    # then: submitted by 3-14: V1 complaint, V2 repair, V4 praise (V5 and V6 were rejected/merged: never counted)
    assert (k["voices_complaint"].now.numerator, k["voices_suggestion"].now.numerator) == (1, 0)
    # response: V1 (on time), V2 (late) → 1/2; V8 and V9 not submitted yet
    assert (k["voices_response_rate"].now.numerator, k["voices_response_rate"].now.denominator) == (1, 2)
    # resolution as of 3-15 00:00: V1 resolved 3-04, V2 resolved 3-14 08:00 (reopened only on 3-15) → 2/2
    assert (k["voices_resolution_rate"].now.numerator, k["voices_resolution_rate"].now.denominator) == (2, 2)
    # ratings by then: V1 satisfied, V2 dissatisfied (3-14), V7 dissatisfied → 1/3
    assert (k["voices_satisfaction_rate"].now.numerator, k["voices_satisfaction_rate"].now.denominator) == (1, 3)
    # reopen: resolved by then V1, V2, V4, V7; V2's reopen is on 3-15 → 0/4
    assert (k["voices_reopen_rate"].now.numerator, k["voices_reopen_rate"].now.denominator) == (0, 4)


@pytest.mark.django_db
def test_the_fee_kpis_of_2025_and_the_change_on_2024(dataset):  # noqa: F811
    # given: the fee dataset of finance/tests/test_kpis.py (its comments count each figure)
    compound = dataset["compound"]
    k = by_key(kpis_compute([compound], parse_period("2025")), compound.pk)
    # then: collection 1550/3150 against 1600/3200 a year before: −0.79 pp, relative (0.4921 − 0.5) / 0.5
    c = k["fees_collection_rate"]
    assert (c.now.numerator, c.now.denominator, c.year_before.numerator, c.year_before.denominator) == (
        1550, 3150, 1600, 3200,
    )  # fmt: skip
    assert round(c.change_pp or 0, 2) == Decimal("-0.79")
    assert round(c.change or 0, 4) == Decimal("-0.0159")
    # arrears 2700 (a year before 2100: +28.6%, an amount has no pp); recovered 900 (200: +350%)
    assert k["fees_arrears"].value == Decimal(2700) and k["fees_arrears"].year_before.value == Decimal(2100)
    assert round(k["fees_arrears"].change or 0, 3) == Decimal("0.286") and k["fees_arrears"].change_pp is None
    assert k["fees_arrears_recovered"].value == Decimal(900) and k["fees_arrears_recovered"].change == Decimal("3.5")
    r = k["fees_arrears_recovery_rate"]
    assert (r.now.numerator, r.now.denominator) == (900, 2100)
    assert round(r.change_pp or 0, 2) == Decimal("14.29")


@pytest.mark.django_db
def test_fee_kpis_as_of_mid_year_count_only_payments_made_by_then(dataset):  # noqa: F811
    # given: 2025 as of 2025-06-30 (payments before 2025-07-01)
    compound = dataset["compound"]
    k = by_key(kpis_compute([compound], parse_period("2025"), as_of=D(2025, 6, 30)), compound.pk)
    # then: collection 1150/3150 (test_figures_as_of_a_date_inside_the_period); recovered by then:
    # hC 2023's 500 (2-01) + hB 2024's 400 (3-01) = 900
    c = k["fees_collection_rate"]
    assert (c.now.numerator, c.now.denominator) == (1150, 3150)
    assert k["fees_arrears_recovered"].value == Decimal(900)
    # and as of 2025-01-31 only hC 2023's 500 was not yet paid (2-01): recovered 0
    k = by_key(kpis_compute([compound], parse_period("2025"), as_of=D(2025, 1, 31)), compound.pk)
    assert k["fees_arrears_recovered"].value == Decimal(0)


# --- year on year, no data ----------------------------------------------------------------------------------------


def test_year_on_year_relative_and_pp_changes():
    rate = definition("voices_satisfaction_rate")
    # 0.55 against 0.50: +10% relative, +5.0 pp
    v = KpiValue(rate, Measure.ratio(55, 100), Measure.ratio(50, 100))
    assert v.change == Decimal("0.1") and v.change_pp == Decimal("5.0")
    # complaints 39 against 198: −80.3% (the case's figure), no pp for a count
    count = definition("voices_complaint")
    v = KpiValue(count, Measure.count(39), Measure.count(198))
    assert round(v.change or 0, 3) == Decimal("-0.803") and v.change_pp is None
    # from zero there is no relative change; without data on either side, none at all
    assert KpiValue(count, Measure.count(5), Measure.count(0)).change is None
    assert KpiValue(rate, Measure.ratio(1, 2), Measure.ratio(0, 0)).change_pp is None
    assert rate.unit == RATE


@pytest.mark.django_db
def test_a_compound_with_no_data_has_every_kpi_no_data():
    # given: a compound with nothing recorded
    compound = CompoundFactory.create()
    report = kpis_compute([compound], parse_period("2025"))
    # then: every KPI and its year before are "no data" — never 0% or 100%
    values = report.values(compound.pk)
    assert len(values) == len(definitions())
    assert all(v.value is None and v.value_year_before is None and v.change is None for v in values)


@pytest.mark.django_db
def test_an_as_of_date_before_the_compound_existed_is_a_clear_error():
    compound = CompoundFactory.create(delivered_on=D(2023, 6, 30))
    with pytest.raises(DomainError) as e:
        as_of_check(compound, parse_period("2023"), D(2023, 6, 29))
    assert e.value.field == "as_of" and e.value.code == "before_compound"
    assert as_of_check(compound, parse_period("2023"), D(2023, 6, 30)) == D(2023, 6, 30)


@pytest.mark.django_db
def test_an_as_of_date_before_the_period_starts_is_a_clear_error():
    compound = CompoundFactory.create(delivered_on=D(2020, 1, 1))
    with pytest.raises(DomainError) as e:
        as_of_check(compound, parse_period("2025"), D(2024, 12, 31))
    assert e.value.code == "before_period"
