"""Money is Decimal with two places and one rounding rule; periods are half-open date ranges."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from gongzhi.core.errors import DomainError
from gongzhi.finance.money import money_parse, money_round, rate_parse, yuan_text
from gongzhi.finance.periods import Period, statement_period_default

D = datetime.date


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("1234.5", "1234.50"), ("¥1,234.50", "1234.50"), (" 0.01 ", "0.01"), (Decimal("7"), "7.00"), (12, "12.00")],
)
def test_amounts_are_read_from_what_people_type(typed: object, expected: str) -> None:
    # given an amount as typed / as a Decimal / as an int, when read, then it is that Decimal with two places
    value = money_parse(typed)
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("abc", "invalid_amount"),
        ("12,3a", "invalid_amount"),
        ("", "invalid_amount"),
        ("NaN", "invalid_amount"),
        ("Infinity", "invalid_amount"),
        (None, "invalid_amount"),
        (True, "invalid_amount"),
        ("-5", "negative_amount"),
        (Decimal("-0.01"), "negative_amount"),
        ("0", "zero_amount"),
        ("1.005", "invalid_amount"),
        ("99999999999", "invalid_amount"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_error(typed: object, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        money_parse(typed, field="amount")
    assert refused.value.code == code
    assert refused.value.field == "amount"


def test_floats_are_a_programming_error_not_money() -> None:
    with pytest.raises(TypeError):
        money_parse(1.5)
    with pytest.raises(TypeError):
        money_round(1.5)  # type: ignore[arg-type]


def test_zero_is_allowed_only_where_asked() -> None:
    assert money_parse("0", allow_zero=True) == Decimal("0.00")


def test_the_one_rounding_rule_is_half_up_to_the_fen() -> None:
    # ROUND_HALF_UP, not banker's rounding: 0.125 → 0.13 and 0.135 → 0.14, −0.125 → −0.13
    assert money_round(Decimal("0.125")) == Decimal("0.13")
    assert money_round(Decimal("0.135")) == Decimal("0.14")
    assert money_round(Decimal("2.5049")) == Decimal("2.50")
    assert money_round(Decimal("-0.125")) == Decimal("-0.13")


def test_rates_have_up_to_four_decimals_and_are_positive() -> None:
    assert rate_parse("2.125") == Decimal("2.1250")
    for bad in ("0", "-1", "2.12345", "x"):
        with pytest.raises(DomainError):
            rate_parse(bad)


def test_money_is_shown_as_yuan_with_thousands() -> None:
    assert yuan_text(Decimal("1234.5")) == "¥1,234.50"


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2024", "2024", D(2024, 1, 1), D(2025, 1, 1)),  # a year ends (exclusive) on the next 1 January
        ("2025-03", "2025-03", D(2025, 3, 1), D(2025, 4, 1)),
        ("2025/3", "2025-03", D(2025, 3, 1), D(2025, 4, 1)),
        ("2025年3月", "2025-03", D(2025, 3, 1), D(2025, 4, 1)),
        ("2025-12", "2025-12", D(2025, 12, 1), D(2026, 1, 1)),
        ("2025Q4", "2025Q4", D(2025, 10, 1), D(2026, 1, 1)),
        ("2025-Q2", "2025Q2", D(2025, 4, 1), D(2025, 7, 1)),
    ],
)
def test_periods_are_half_open_ranges(text: str, label: str, start: datetime.date, end: datetime.date) -> None:
    p = Period.parse(text)
    assert (p.label, p.start, p.end) == (label, start, end)


@pytest.mark.parametrize("text", ["25", "2025-13", "2025-00", "2025Q5", "二〇二五", "1999", ""])
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(DomainError) as refused:
        Period.parse(text)
    assert refused.value.field == "period"


def test_a_billing_period_is_a_year_or_a_month() -> None:
    with pytest.raises(DomainError, match="A billing period is a year"):
        Period.parse("2025Q1", kinds=("year", "month"))


def test_statements_default_to_the_last_ended_quarter() -> None:
    assert statement_period_default(D(2025, 5, 20)).label == "2025Q1"
    assert statement_period_default(D(2025, 1, 3)).label == "2024Q4"
    assert Period.parse("2025-01").previous().label == "2024-12"
    assert Period.parse("2025Q1").year_before().label == "2024Q1"
    assert [d.month for d in Period.parse("2025Q2").month_starts()] == [4, 5, 6]
