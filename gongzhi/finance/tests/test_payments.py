"""Payments (partial, never more than is due, receipt numbers unique per compound) and refunds that need
approval."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.finance.models import BillStatus, Channel, Payment, RefundStatus
from gongzhi.finance.services import (
    bill_cancel,
    payment_record,
    refund_decide,
    refund_pay,
    refund_request,
)
from gongzhi.testing.factories import HouseFactory

from .helpers import finance_state

pytestmark = pytest.mark.django_db
D = datetime.date


def test_partial_payments_add_up_to_paid(world: Any, keeper: Any, a_bill: Any) -> None:
    # given a bill of ¥1,000
    bill = a_bill("1000.00")
    # when ¥400.50 and then ¥599.50 are paid
    first = payment_record(actor=keeper, bill=bill, amount="400.50", channel=Channel.WECHAT, paid_on=D(2025, 1, 8))
    bill.refresh_from_db()
    assert (bill.status, bill.paid, bill.outstanding) == (BillStatus.PARTIAL, Decimal("400.50"), Decimal("599.50"))
    payment_record(actor=keeper, bill=bill.pk, amount="599.50", channel=Channel.CASH, paid_on=D(2025, 2, 1))
    # then the bill is paid, with two numbered receipts of the year paid
    bill.refresh_from_db()
    assert (bill.status, bill.paid, bill.outstanding) == (BillStatus.PAID, Decimal("1000.00"), Decimal("0"))
    assert first.receipt_no == "SJ2025-000001"
    assert list(Payment.objects.order_by("id").values_list("receipt_no", flat=True)) == [
        "SJ2025-000001",
        "SJ2025-000002",
    ]


def test_receipt_numbers_run_per_compound_and_year_and_skip_numbers_taken(world: Any, keeper: Any, a_bill: Any) -> None:
    su = world.users["superuser"]
    bill = a_bill("1000.00")
    other = a_bill("1000.00", house=world.house_a2)
    in_b = a_bill("1000.00", house=world.house_b)  # compound B's own numbering
    # a paper receipt entered by hand took the number the counter would issue second
    payment_record(
        actor=keeper, bill=bill, amount="1", channel="cash", paid_on=D(2025, 3, 1), receipt_no="SJ2025-000002"
    )
    numbers = [
        payment_record(actor=keeper, bill=bill, amount="1", channel="cash", paid_on=D(2025, 3, 1)).receipt_no,
        payment_record(actor=keeper, bill=other, amount="1", channel="cash", paid_on=D(2025, 3, 1)).receipt_no,
        payment_record(actor=keeper, bill=other, amount="1", channel="cash", paid_on=D(2024, 12, 31)).receipt_no,
        payment_record(actor=su, bill=in_b, amount="1", channel="cash", paid_on=D(2025, 3, 1)).receipt_no,
    ]
    assert numbers == ["SJ2025-000001", "SJ2025-000003", "SJ2024-000001", "SJ2025-000001"]


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"amount": "-10"}, "amount", DomainError),
        ({"amount": "ten yuan"}, "amount", DomainError),
        ({"amount": "0"}, "amount", DomainError),
        ({"amount": "1000.01"}, "amount", DomainError),  # more than remains due
        ({"channel": "bitcoin"}, "channel", DomainError),
        ({"paid_on": D(2999, 1, 1)}, "paid_on", DomainError),
        ({"receipt_no": "SJ2025-000001"}, "receipt_no", Conflict),  # already used in the compound
        ({"receipt_no": "x" * 41}, "receipt_no", DomainError),
    ],
)
def test_bad_payments_are_refused_and_change_nothing(
    world: Any, keeper: Any, a_bill: Any, changes: dict[str, Any], field: str, error: type[Exception]
) -> None:
    bill = a_bill("1000.00")
    other = a_bill("50.00", house=world.house_a2)
    payment_record(actor=keeper, bill=other, amount="50.00", channel="wechat", paid_on=D(2025, 1, 1))
    args: dict[str, Any] = {"amount": "100", "channel": Channel.WECHAT, "paid_on": D(2025, 1, 8), **changes}
    before = finance_state()
    with pytest.raises(error) as refused:
        payment_record(actor=keeper, bill=bill, **args)
    assert isinstance(refused.value, DomainError) and refused.value.field == field
    assert finance_state() == before


def test_a_payment_larger_than_what_remains_is_refused_after_a_partial_one(
    world: Any, keeper: Any, a_bill: Any
) -> None:
    bill = a_bill("1000.00")
    payment_record(actor=keeper, bill=bill, amount="700", channel="wechat", paid_on=D(2025, 1, 8))
    before = finance_state()
    with pytest.raises(DomainError) as refused:
        payment_record(actor=keeper, bill=bill, amount="300.01", channel="wechat", paid_on=D(2025, 1, 9))
    assert refused.value.code == "overpayment" and "¥300.00" in refused.value.message
    assert finance_state() == before


def test_a_payment_for_a_bill_that_does_not_exist_is_refused(world: Any, keeper: Any) -> None:
    before = finance_state()
    with pytest.raises(NotFound):
        payment_record(actor=keeper, bill=424242, amount="10", channel="cash", paid_on=D(2025, 1, 8))
    assert finance_state() == before


def test_a_cancelled_bill_takes_no_payment(world: Any, keeper: Any, a_bill: Any) -> None:
    bill = a_bill("1000.00")
    bill_cancel(actor=keeper, bill=bill, reason="录错")
    before = finance_state()
    with pytest.raises(Conflict):
        payment_record(actor=keeper, bill=bill, amount="10", channel="cash", paid_on=D(2025, 1, 8))
    assert finance_state() == before


def test_a_paid_bill_cannot_be_cancelled(world: Any, keeper: Any, a_bill: Any) -> None:
    bill = a_bill("100.00")
    payment_record(actor=keeper, bill=bill, amount="10", channel="cash", paid_on=D(2025, 1, 8))
    before = finance_state()
    with pytest.raises(Conflict):
        bill_cancel(actor=keeper, bill=bill, reason="录错")
    assert finance_state() == before


# --- Refunds ---------------------------------------------------------------------------------------------------


@pytest.fixture
def paid(world: Any, keeper: Any, a_bill: Any) -> Payment:
    """¥1,000 billed and paid in full on 2025-01-08."""
    bill = a_bill("1000.00")
    return payment_record(actor=keeper, bill=bill, amount="1000", channel="bank", paid_on=D(2025, 1, 8))


def test_a_refund_is_requested_approved_by_someone_else_and_paid_out(
    world: Any, keeper: Any, manager: Any, paid: Payment
) -> None:
    refund = refund_request(actor=keeper, payment=paid, amount="300", reason="重复缴费")
    assert refund.status == RefundStatus.REQUESTED
    refund_decide(actor=manager, refund=refund, approve=True)
    refund_pay(actor=keeper, refund=refund, paid_on=D(2025, 2, 1))
    refund.refresh_from_db()
    paid.bill.refresh_from_db()
    assert refund.status == RefundStatus.PAID and refund.paid_on == D(2025, 2, 1)
    # the bill is open again for what was given back
    assert (paid.bill.status, paid.bill.paid, paid.bill.outstanding) == (
        BillStatus.PARTIAL,
        Decimal("700.00"),
        Decimal("300.00"),
    )


def test_a_refund_without_approval_is_not_paid_out(world: Any, keeper: Any, paid: Payment) -> None:
    refund = refund_request(actor=keeper, payment=paid, amount="300", reason="重复缴费")
    before = finance_state()
    with pytest.raises(Conflict) as refused:
        refund_pay(actor=keeper, refund=refund, paid_on=D(2025, 2, 1))
    assert refused.value.code == "not_approved"
    assert finance_state() == before


def test_a_refused_refund_is_never_paid_and_frees_the_amount(
    world: Any, keeper: Any, manager: Any, paid: Payment
) -> None:
    refund = refund_request(actor=keeper, payment=paid, amount="1000", reason="重复缴费")
    with pytest.raises(DomainError) as no_reason:
        refund_decide(actor=manager, refund=refund, approve=False)
    assert no_reason.value.field == "note"
    refund_decide(actor=manager, refund=refund, approve=False, note="并未重复")
    with pytest.raises(Conflict):
        refund_pay(actor=keeper, refund=refund)
    # the refused amount is free to be asked for again
    assert refund_request(actor=keeper, payment=paid, amount="1000", reason="再次申请").amount == Decimal("1000.00")


def test_nobody_approves_their_own_refund(world: Any, manager: Any, paid: Payment) -> None:
    refund = refund_request(actor=manager, payment=paid, amount="10", reason="多收")
    before = finance_state()
    with pytest.raises(DomainError) as refused:
        refund_decide(actor=manager, refund=refund, approve=True)
    assert refused.value.code == "same_person"
    assert finance_state() == before


@pytest.mark.parametrize(("amount", "field"), [("-1", "amount"), ("abc", "amount"), ("700.01", "amount")])
def test_a_refund_is_at_most_what_is_left_of_the_payment(
    world: Any, keeper: Any, paid: Payment, amount: str, field: str
) -> None:
    refund_request(actor=keeper, payment=paid, amount="300", reason="多收")  # 700 left
    before = finance_state()
    with pytest.raises(DomainError) as refused:
        refund_request(actor=keeper, payment=paid, amount=amount, reason="多收")
    assert refused.value.field == field
    assert finance_state() == before


def test_a_refund_of_a_payment_that_does_not_exist_is_not_found(world: Any, keeper: Any) -> None:
    with pytest.raises(NotFound):
        refund_request(actor=keeper, payment=999999, amount="1", reason="x")


def test_a_refund_is_paid_out_once(world: Any, keeper: Any, manager: Any, paid: Payment) -> None:
    refund = refund_request(actor=keeper, payment=paid, amount="10", reason="多收")
    refund_decide(actor=manager, refund=refund, approve=True)
    refund_pay(actor=keeper, refund=refund)
    before = finance_state()
    with pytest.raises(Conflict):
        refund_pay(actor=keeper, refund=refund)
    assert finance_state() == before


def test_payments_elsewhere_use_their_own_houses(world: Any, keeper: Any, a_bill: Any) -> None:
    # a house of compound A added later is billed and paid like any other
    house = HouseFactory.create(unit=world.house_a.unit, room="201", floor=2)
    bill = a_bill("10.00", house=house)
    payment = payment_record(actor=keeper, bill=bill, amount="10", channel="alipay", paid_on=D(2025, 1, 1))
    assert payment.house_id == house.pk and payment.compound_id == world.compound_a.pk
