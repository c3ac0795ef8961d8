"""当期收缴率, 旧欠, 旧欠回收额 and 旧欠清缴率 on a hand-computed dataset (KPIS.md, "Property fees")."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from gongzhi.finance import selectors
from gongzhi.finance.models import BillStatus
from gongzhi.insights.kpis import AmountRatio, fee_figures
from gongzhi.testing.factories import CompoundFactory, HouseFactory, PhaseFactory, UnitFactory
from gongzhi.testing.finance_factories import BillFactory, bill, pay, reduce, refund_paid

pytestmark = pytest.mark.django_db
D = datetime.date


def R(n: str, d: str) -> AmountRatio:
    return AmountRatio(Decimal(n), Decimal(d))


@pytest.fixture
def dataset(world: Any) -> dict[str, Any]:
    """Compound A's three houses: hA and hB in building 1 (phase 一期), hC in building 2 (no phase).

    Bills (due), reductions (approved on), payments (paid on), refunds (paid out on):
      hA 2023   1000   paid 1000 on 2023-03-01
      hC 2023   1200   reduction 200 on 2023-12-01; paid 300 on 2023-06-01, 200 on 2024-05-10, 500 on 2025-02-01
      hA 2024   1000   paid 1000 on 2024-01-15
      hB 2024   1000   paid 600 on 2024-06-01, 400 on 2025-03-01
      hC 2024   1200   reduction 100 on 2025-06-01; nothing paid
      hA 2025   1100   paid 1100 on 2024-12-20 (paid in advance)
      hB 2025   1100   paid 500 on 2025-07-01, 100 of it refunded on 2025-08-01; paid 300 on 2026-01-05
      hC 2025   1200   reduction 300 on 2025-04-01; nothing paid
      hA 2025-03  50   paid 50 on 2025-03-10 (a month's bill inside the year)
      hB 2025-06 999   cancelled: counts nowhere
      hA 2026   1200   paid 600 on 2025-12-31 (next year's bill, paid in advance)
    and, in compound B (outside what is measured), a 2024 bill of 5000 paid 1000 in 2025.
    """
    compound = world.compound_a
    phase = PhaseFactory.create(compound=compound, name="一期")
    u1 = UnitFactory.create(building__compound=compound, building__phase=phase)
    u2 = UnitFactory.create(building__compound=compound)
    hA = HouseFactory.create(unit=u1, room="101", floor=1, phase=phase)
    hB = HouseFactory.create(unit=u1, room="102", floor=1, phase=phase)
    hC = HouseFactory.create(unit=u2, room="101", floor=1, phase=None)

    b = bill(hA, "2023", "1000")
    pay(b, "1000", D(2023, 3, 1))
    b = bill(hC, "2023", "1200")
    reduce(b, "200", D(2023, 12, 1))
    pay(b, "300", D(2023, 6, 1))
    pay(b, "200", D(2024, 5, 10))
    pay(b, "500", D(2025, 2, 1))
    b = bill(hA, "2024", "1000")
    pay(b, "1000", D(2024, 1, 15))
    b = bill(hB, "2024", "1000")
    pay(b, "600", D(2024, 6, 1))
    pay(b, "400", D(2025, 3, 1))
    b = bill(hC, "2024", "1200")
    reduce(b, "100", D(2025, 6, 1))
    b = bill(hA, "2025", "1100")
    pay(b, "1100", D(2024, 12, 20))
    b = bill(hB, "2025", "1100")
    refund_paid(pay(b, "500", D(2025, 7, 1)), "100", D(2025, 8, 1))
    pay(b, "300", D(2026, 1, 5))
    b = bill(hC, "2025", "1200")
    reduce(b, "300", D(2025, 4, 1))
    b = bill(hA, "2025-03", "50")
    pay(b, "50", D(2025, 3, 10))
    BillFactory.create(house=hB, period="2025-06", amount_due=Decimal("999"), status=BillStatus.CANCELLED)
    b = bill(hA, "2026", "1200")
    pay(b, "600", D(2025, 12, 31))
    elsewhere = bill(world.house_b, "2024", "5000")
    pay(elsewhere, "1000", D(2025, 5, 1))
    return {"compound": compound, "phase": phase, "b1": u1.building_id, "b2": u2.building_id}


def test_the_compounds_figures_for_2025_match_the_hand_computation(
    dataset: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(4):  # bills, reductions, payments, refunds
        figures = fee_figures([dataset["compound"]], start=D(2025, 1, 1), end=D(2026, 1, 1))
    now = figures[dataset["compound"].pk].now
    # 当期收缴率 2025 as of 2026-01-01. P's bills: hA 2025, hB 2025, hC 2025, hA 2025-03 (not the cancelled one,
    # not 2026). Receivable = 1100 + 1100 + 1200 + 50 − 300 (hC's reduction) = 3150. Paid before 2026-01-01:
    # 1100 (hA, in advance) + 500 − 100 (hB, less the refund; the 300 of 2026-01-05 is too late) + 50 = 1550.
    assert now.collection == R("1550", "3150")
    # 旧欠 at 2026-01-01, over the bills of 2023, 2024 and 2025 (periods ended by then):
    #   due 2200 + 3200 + 3450 = 8850; reductions 200 + 100 + 300 = 600;
    #   paid 1000 + 1000 (hC 2023) + 1000 + 1000 (hB 2024) + 1550 = 5550 → 8850 − 600 − 5550 = 2700
    #   (= hC 2024 1100 + hB 2025 700 + hC 2025 900)
    assert now.arrears == Decimal("2700.00")
    # 旧欠 at 2025-01-01 (bills of 2023 and 2024; hC 2024's reduction comes later):
    #   5400 − 200 − (1000 + 300 + 200 + 1000 + 600) = 2100 (= hC 2023 500 + hB 2024 400 + hC 2024 1200)
    assert now.arrears_at_start == Decimal("2100.00")
    # 旧欠回收额 2025: paid in 2025 for bills ended by 2025-01-01: hC 2023 500 + hB 2024 400 = 900
    # (not hA 2026's 600 paid on 2025-12-31: that bill's period has not ended)
    assert now.recovered == Decimal("900.00")
    assert now.recovery == R("900", "2100")


def test_the_year_before_and_the_changes_match_the_hand_computation(dataset: dict[str, Any]) -> None:
    figures = fee_figures([dataset["compound"]], start=D(2025, 1, 1), end=D(2026, 1, 1))[dataset["compound"].pk]
    then = figures.year_before
    # 2024 as of 2025-01-01: receivable 3200 (hC 2024's reduction is not approved yet); paid 1000 + 600 = 1600
    assert then.collection == R("1600", "3200")
    assert then.arrears == Decimal("2100.00")
    # 旧欠 at 2024-01-01: hA 2023 paid; hC 2023 1200 − 200 − 300 = 700. Recovered in 2024: hC 2023's 200.
    assert (then.arrears_at_start, then.recovered, then.recovery) == (
        Decimal("700.00"),
        Decimal("200.00"),
        R("200", "700"),
    )
    # changes: 1550/3150 − 50% = −0.79 pp; 900/2100 − 200/700 = +14.29 pp; arrears +28.6%; recovered +350%
    assert figures.collection_change_pp is not None and round(figures.collection_change_pp, 2) == Decimal("-0.79")
    assert figures.recovery_change_pp is not None and round(figures.recovery_change_pp, 2) == Decimal("14.29")
    assert figures.arrears_change is not None and round(figures.arrears_change, 3) == Decimal("0.286")
    assert figures.recovered_change == Decimal("3.5")


def test_figures_by_building_and_by_phase(dataset: dict[str, Any], django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(4):
        by_building = fee_figures([dataset["compound"]], start=D(2025, 1, 1), end=D(2026, 1, 1), by="building")
    b1, b2 = by_building[dataset["b1"]], by_building[dataset["b2"]]
    # building 1 (hA, hB): receivable 1100 + 1100 + 50 = 2250, paid 1100 + 400 + 50 = 1550; arrears hB 2025 700;
    # at the start hB 2024 400, all recovered in 2025
    assert (b1.now.collection, b1.now.arrears, b1.now.recovered, b1.now.recovery) == (
        R("1550", "2250"),
        Decimal("700.00"),
        Decimal("400.00"),
        R("400", "400"),
    )
    # building 2 (hC): receivable 900, nothing paid (0%, not "no data"); arrears 1100 + 900 = 2000;
    # at the start 500 + 1200 = 1700, of which 500 recovered
    assert (b2.now.collection, b2.now.arrears, b2.now.recovered, b2.now.recovery) == (
        R("0", "900"),
        Decimal("2000.00"),
        Decimal("500.00"),
        R("500", "1700"),
    )
    # a year before, building 1 owed nothing at the start of 2024: its recovery rate is "no data", not 0%
    assert b1.year_before.recovery == R("0", "0") and b1.year_before.recovery.value is None
    assert b1.recovery_change_pp is None
    assert b2.year_before.collection == R("0", "1200")
    by_phase = fee_figures([dataset["compound"]], start=D(2025, 1, 1), end=D(2026, 1, 1), by="phase")
    assert set(by_phase) == {dataset["phase"].pk, None}
    assert by_phase[dataset["phase"].pk].now == b1.now and by_phase[None].now == b2.now
    total = fee_figures([dataset["compound"]], start=D(2025, 1, 1), end=D(2026, 1, 1), by=None)[None]
    assert total.now.arrears == b1.now.arrears + b2.now.arrears


def test_figures_as_of_a_date_inside_the_period(dataset: dict[str, Any]) -> None:
    figures = fee_figures([dataset["compound"]], start=D(2025, 1, 1), end=D(2026, 1, 1), at=D(2025, 7, 1))
    now = figures[dataset["compound"].pk].now
    # before 2025-07-01: receivable 3450 − 300 = 3150; paid 1100 + 50 (hB's 500 is paid on the 1st itself)
    assert now.collection == R("1150", "3150")
    # 旧欠 at 2025-07-01 over 2023, 2024 and 2025-03 (ended 2025-04-01): 5450 − 300 − (3100 + 500 + 400 + 50)
    assert now.arrears == Decimal("1100.00")


def test_a_period_with_nothing_billed_is_no_data(dataset: dict[str, Any]) -> None:
    figures = fee_figures([dataset["compound"]], start=D(2027, 1, 1), end=D(2028, 1, 1), by=None)[None]
    assert figures.now.collection.value is None
    assert figures.collection_change_pp is None


def test_collection_figures_are_read_through_the_selector(world: Any, dataset: dict[str, Any]) -> None:
    result = selectors.collection_figures(
        user=world.users["representative"], compounds=[dataset["compound"]], period="2025"
    )
    assert result.at == D(2026, 1, 1)
    assert result.groups[dataset["compound"].pk].now.collection == R("1550", "3150")
    # the other compound's own figures are its own
    other = fee_figures([world.compound_b], start=D(2025, 1, 1), end=D(2026, 1, 1))[world.compound_b.pk]
    assert (other.now.arrears_at_start, other.now.recovered) == (Decimal("5000.00"), Decimal("1000.00"))


def test_many_compounds_take_the_same_four_queries(
    world: Any, dataset: dict[str, Any], django_assert_num_queries: Any
) -> None:
    more = [CompoundFactory.create() for _ in range(3)]
    for c in more:
        pay(bill(HouseFactory.create(unit__building__compound=c), "2025", "10"), "10", D(2025, 1, 2))
    with django_assert_num_queries(4):
        figures = fee_figures([dataset["compound"], *more], start=D(2025, 1, 1), end=D(2026, 1, 1))
    assert len(figures) == 4 and all(figures[c.pk].now.collection == R("10", "10") for c in more)
