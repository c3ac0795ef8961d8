"""Generating bills from the fee standards: delivered houses only, the vacant rule from the status history,
a preview, idempotent, in bulk; bills entered by hand, reduced and cancelled."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import House, HouseStatus
from gongzhi.finance.models import Bill, BillStatus, Reduction
from gongzhi.finance.services import bill_cancel, bill_create, bill_reduce, bills_generate, fee_standard_set
from gongzhi.testing.factories import HouseFactory, PhaseFactory, UnitFactory, house_with_history

from .helpers import finance_state

pytestmark = pytest.mark.django_db
D = datetime.date
V, OC, R, U = HouseStatus.VACANT, HouseStatus.OCCUPIED, HouseStatus.RENOVATING, HouseStatus.UNDELIVERED


@pytest.fixture
def estate(world: Any, keeper: Any) -> dict[str, House]:
    """Compound A with the standards and houses the comments tell (world's own two houses removed from it).

    Standards: the compound ¥2.50 from 2024-01 (70% while vacant), ¥2.80 from 2025-07 (70%);
    phase 二期 ¥3.00 from 2024-01 (50% while vacant).
    """
    compound = world.compound_a
    House.objects.filter(pk__in=[world.house_a.pk, world.house_a2.pk]).update(delivered_on=None, status=U)
    phase = PhaseFactory.create(compound=compound, name="二期")
    fee_standard_set(actor=keeper, compound=compound, rate="2.50", vacant_percent=70, effective_from=D(2024, 1, 1))
    fee_standard_set(actor=keeper, compound=compound, rate="2.80", vacant_percent=70, effective_from=D(2025, 7, 1))
    fee_standard_set(
        actor=keeper, compound=compound, phase=phase, rate="3.00", vacant_percent=50, effective_from=D(2024, 1, 1)
    )
    unit = UnitFactory.create(building__compound=compound)

    def house(room: str, area: str, delivered: datetime.date | None, *history: tuple[str, datetime.date]) -> House:
        h = HouseFactory.create(
            unit=unit, room=room, floor=int(room[:-2]), area=Decimal(area), delivered_on=delivered, phase=None
        )
        return house_with_history(h, *history)

    houses = {
        "h1": house("101", "100.00", D(2023, 6, 30), (V, D(2023, 6, 30)), (OC, D(2023, 7, 1))),
        "h2": house("102", "100.00", D(2023, 6, 30), (V, D(2023, 6, 30))),
        "h3": house("103", "88.70", D(2025, 3, 15), (V, D(2025, 3, 15)), (OC, D(2025, 5, 1))),
        "h4": house("104", "100.00", D(2023, 6, 30), (OC, D(2023, 6, 30))),
        "h5": house("105", "100.00", None, (U, D(2023, 6, 30))),
        "h6": house("106", "100.00", D(2025, 12, 15), (V, D(2025, 12, 15))),
        "h7": house("107", "50.00", D(2023, 6, 30), (R, D(2023, 6, 30))),
        "h8": house("108", "100.00", D(2023, 6, 30)),  # no history recorded: its status (空置) holds
        "h9": house("109", "100.00", D(2023, 6, 30), (OC, D(2023, 6, 30)), (V, D(2025, 10, 1))),
    }
    House.objects.filter(pk=houses["h4"].pk).update(phase=phase)
    return houses


# Year 2025, per house (each month billed at the standard in force on its 1st, on the status that day):
#   h1 occupied all year:   100.00 × (6 × 2.50 + 6 × 2.80)                       = 100 × 31.80 = 3180.00
#   h2 vacant all year:     100.00 × (6 × 2.50 + 6 × 2.80) × 70%                 = 100 × 22.26 = 2226.00
#   h3 delivered 03-15 (March not billed: delivered after its 1st), vacant in April, occupied from May:
#                           88.70 × (2.50 × 70% + 2 × 2.50 + 6 × 2.80) = 88.70 × 23.55 = 2088.885 → 2088.89
#                           (half up; banker's rounding would give 2088.88)
#   h4 phase 二期, occupied: 100.00 × 12 × 3.00 (the phase's standard wins)       = 3600.00
#   h5 not delivered:       no bill
#   h6 delivered 12-15:     no month to bill → no bill
#   h7 renovating (装修中 is not 空置: full rate): 50.00 × 31.80                   = 1590.00
#   h8 vacant, no history:  like h2                                              = 2226.00
#   h9 occupied, vacant from 10-01: 100 × (6 × 2.50 + 3 × 2.80 + 3 × 2.80 × 70%) = 100 × 29.28 = 2928.00
EXPECTED_2025 = {
    "h1": ("3180.00", 12, 0),
    "h2": ("2226.00", 12, 12),
    "h3": ("2088.89", 9, 1),
    "h4": ("3600.00", 12, 0),
    "h7": ("1590.00", 12, 0),
    "h8": ("2226.00", 12, 12),
    "h9": ("2928.00", 12, 3),
}


def test_a_years_bills_follow_the_standards_and_each_houses_history(
    world: Any, keeper: Any, estate: dict[str, House]
) -> None:
    plan = bills_generate(actor=keeper, compound=world.compound_a, period="2025")
    by_house = {b.house_id: b for b in Bill.objects.filter(period="2025")}
    got = {name: by_house[h.pk] for name, h in estate.items() if h.pk in by_house}
    assert {n: (str(b.amount_due), b.months, b.vacant_months) for n, b in got.items()} == EXPECTED_2025
    assert plan.count == 7
    assert plan.not_billable == 4  # h5, h6 and the world's two undelivered houses
    assert plan.total == sum((Decimal(a) for a, _m, _v in EXPECTED_2025.values()), Decimal(0))
    assert all(b.status == BillStatus.UNPAID and b.period_end == D(2026, 1, 1) for b in got.values())
    assert got["h9"].basis == [
        {"from": "2025-01", "months": 6, "rate": "2.5000", "percent": 100},
        {"from": "2025-07", "months": 3, "rate": "2.8000", "percent": 100},
        {"from": "2025-10", "months": 3, "rate": "2.8000", "percent": 70},
    ]
    # every bill's creation is an audit event, written in bulk in the same transaction
    assert AuditEvent.objects.filter(verb="bill.generate").count() == 7
    event = AuditEvent.objects.get(verb="bill.generate", object_id=str(got["h1"].pk))
    assert (event.actor, event.object_type, event.community_id) == (keeper, "finance.bill", got["h1"].community_id)
    assert event.after == {"house": estate["h1"].pk, "period": "2025", "amount_due": "3180.00"}


def test_a_months_bill_uses_that_months_standard(world: Any, keeper: Any, estate: dict[str, House]) -> None:
    bills_generate(actor=keeper, compound=world.compound_a, period="2025-08")
    amounts = {b.house_id: str(b.amount_due) for b in Bill.objects.filter(period="2025-08")}
    assert amounts[estate["h1"].pk] == "280.00"  # 100 × 2.80
    assert amounts[estate["h2"].pk] == "196.00"  # 100 × 2.80 × 70%
    assert amounts[estate["h4"].pk] == "300.00"  # 100 × 3.00
    assert estate["h6"].pk not in amounts


def test_the_preview_writes_nothing(world: Any, keeper: Any, estate: dict[str, House]) -> None:
    before = finance_state()
    plan = bills_generate(actor=keeper, compound=world.compound_a, period="2025", dry_run=True)
    assert plan.count == 7 and plan.total == Decimal("17838.89")
    assert finance_state() == before


def test_generating_twice_creates_nothing_new(world: Any, keeper: Any, estate: dict[str, House]) -> None:
    bills_generate(actor=keeper, compound=world.compound_a, period="2025")
    before = finance_state()
    again = bills_generate(actor=keeper, compound=world.compound_a, period="2025")
    assert again.count == 0 and again.existing == 7
    assert finance_state() == before


def test_a_house_billed_by_hand_is_left_alone_by_the_generation(
    world: Any, keeper: Any, estate: dict[str, House]
) -> None:
    manual = bill_create(actor=keeper, house=estate["h1"], period="2025", amount_due="3000.00")
    plan = bills_generate(actor=keeper, compound=world.compound_a, period="2025")
    assert plan.existing == 1 and plan.count == 6
    manual.refresh_from_db()
    assert manual.amount_due == Decimal("3000.00")


def test_a_month_without_a_standard_refuses_the_whole_generation(world: Any, keeper: Any) -> None:
    # given compound B, whose first standard starts in March 2025, and a delivered house in it
    fee_standard_set(
        actor=world.users["superuser"], compound=world.compound_b, rate="2.00", effective_from=D(2025, 3, 1)
    )
    before = finance_state()
    # when the year 2025 is generated, then it is refused (January and February have no standard) …
    with pytest.raises(DomainError) as refused:
        bills_generate(actor=world.users["superuser"], compound=world.compound_b, period="2025")
    assert refused.value.code == "no_fee_standard" and "1 house" in refused.value.message
    assert finance_state() == before
    # … while March is fine
    plan = bills_generate(actor=world.users["superuser"], compound=world.compound_b, period="2025-03")
    assert plan.count == 1


def test_generation_takes_a_fixed_number_of_queries(world: Any, keeper: Any, estate: dict[str, House]) -> None:
    with CaptureQueriesContext(connection) as few:
        bills_generate(actor=keeper, compound=world.compound_a, period="2024")
    unit = estate["h1"].unit
    for i in range(20):
        house_with_history(
            HouseFactory.create(unit=unit, room=f"2{i:02d}", floor=2, delivered_on=D(2023, 6, 30)),
            (OC, D(2023, 7, 1)),
        )
    with CaptureQueriesContext(connection) as many:
        bills_generate(actor=keeper, compound=world.compound_a, period="2024-06")
    assert Bill.objects.filter(period="2024-06").count() == 26  # h1, h2, h4, h7, h8, h9 and the 20 new ones
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("period", ["2025Q1", "25", "2025-13", ""])
def test_a_bad_period_is_refused(world: Any, keeper: Any, standard: Any, period: str) -> None:
    before = finance_state()
    with pytest.raises(DomainError) as refused:
        bills_generate(actor=keeper, compound=world.compound_a, period=period)
    assert refused.value.field == "period"
    assert finance_state() == before


# --- Bills by hand ---------------------------------------------------------------------------------------------


def test_a_bill_for_an_undelivered_house_is_refused(world: Any, keeper: Any) -> None:
    undelivered = HouseFactory.create(unit=world.house_a.unit, room="301", floor=3, delivered_on=None, status=U)
    late = HouseFactory.create(unit=world.house_a.unit, room="302", floor=3, delivered_on=D(2026, 1, 1))
    before = finance_state()
    for house in (undelivered, late):
        with pytest.raises(DomainError) as refused:
            bill_create(actor=keeper, house=house, period="2025", amount_due="100.00")
        assert refused.value.code == "undelivered"
    assert finance_state() == before


@pytest.mark.parametrize("amount", ["-100", "abc", "1.234", ""])
def test_a_bill_with_a_bad_amount_is_refused(world: Any, keeper: Any, amount: str) -> None:
    before = finance_state()
    with pytest.raises(DomainError) as refused:
        bill_create(actor=keeper, house=world.house_a, period="2025", amount_due=amount)
    assert refused.value.field == "amount_due"
    assert finance_state() == before


def test_a_second_bill_for_the_same_house_and_period_is_refused(world: Any, keeper: Any, a_bill: Any) -> None:
    a_bill()
    before = finance_state()
    with pytest.raises(Conflict):
        bill_create(actor=keeper, house=world.house_a, period="2025", amount_due="5.00")
    assert finance_state() == before


# --- Reductions ------------------------------------------------------------------------------------------------


def test_a_reduction_lowers_what_is_receivable_and_names_its_approver(
    world: Any, keeper: Any, manager: Any, a_bill: Any
) -> None:
    bill = a_bill("1000.00")
    reduction = bill_reduce(actor=keeper, bill=bill, amount="200.00", reason="困难家庭", approver=manager)
    bill.refresh_from_db()
    assert (bill.reduction, bill.receivable, bill.outstanding) == (Decimal("200.00"), Decimal("800.00"), Decimal("800"))
    assert reduction.approver == manager and reduction.reason == "困难家庭"
    # reducing what is left to zero settles the bill
    bill_reduce(actor=keeper, bill=bill, amount="800", reason="减免", approver=manager)
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "x"}, "amount"),
        ({"amount": "1000.01"}, "amount"),  # more than remains due
        ({"reason": " "}, "reason"),
        ({"approver": "finance"}, "approver"),  # finance staff do not approve
        ({"approver": "secretary"}, "approver"),
        ({"approver": None}, "approver"),
        ({"approved_on": D(2999, 1, 1)}, "approved_on"),
    ],
)
def test_bad_reductions_are_refused_and_change_nothing(
    world: Any, keeper: Any, manager: Any, a_bill: Any, changes: dict[str, Any], field: str
) -> None:
    bill = a_bill("1000.00")
    args: dict[str, Any] = {"amount": "100", "reason": "减免", "approver": manager, **changes}
    if isinstance(args["approver"], str):
        args["approver"] = world.users[args["approver"]]
    before = finance_state()
    with pytest.raises(DomainError) as refused:
        bill_reduce(actor=keeper, bill=bill, **args)
    assert refused.value.field == field
    assert finance_state() == before


def test_a_reduction_of_a_bill_that_does_not_exist_is_not_found(world: Any, keeper: Any, manager: Any) -> None:
    with pytest.raises(NotFound):
        bill_reduce(actor=keeper, bill=987654, amount="1", reason="x", approver=manager)
    assert not Reduction.objects.exists()


# --- Cancelling ------------------------------------------------------------------------------------------------


def test_a_bill_issued_by_mistake_is_cancelled_and_stays_cancelled(world: Any, keeper: Any, a_bill: Any) -> None:
    bill = a_bill()
    bill_cancel(actor=keeper, bill=bill, reason="面积录错")
    bill.refresh_from_db()
    assert bill.status == BillStatus.CANCELLED
    with pytest.raises(Conflict):
        bill_cancel(actor=keeper, bill=bill, reason="again")
