"""The fee ledger (物业费台账): rows that are bills, payments or both; all rows or none; re-importing changes
nothing; an export imports back unchanged; every bad row is reported with its row, column and reason."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from gongzhi.core.models import AuditEvent
from gongzhi.estates.ledger.errors import LedgerRejected
from gongzhi.finance import services as s
from gongzhi.finance.models import Bill, BillSource, BillStatus, Channel, Payment, ReceiptCounter, Reduction
from gongzhi.testing.factories import HouseFactory

from .fee_ledger_files import (
    HEADERS,
    bill_only,
    counts,
    csv_bytes,
    export_bytes,
    fee,
    read_rows,
    run_import,
    xlsx_bytes,
)
from .helpers import finance_state

pytestmark = pytest.mark.django_db
D = datetime.date


def unchanged_but_the_import_recorded(before: dict[str, Any]) -> None:
    """Nothing changed but the audit event that records the import itself."""
    after = finance_state()
    assert [verb for verb, _id in after.pop("audit")[len(before["audit"]) :]] == ["ledger.import"]
    before = {k: v for k, v in before.items() if k != "audit"}
    assert after == before


def rejected(world: Any, rows: list[dict[str, Any]], actor: Any = None) -> list[tuple[int | None, str, str]]:
    """Import the rows, expecting a refusal; (row, column, message) of every error."""
    with pytest.raises(LedgerRejected) as info:
        run_import(world.compound_a, xlsx_bytes(rows), actor=actor)
    return [(e.row, e.column, e.message) for e in info.value.errors]


# --- Rows that are bills, payments, or both ----------------------------------------------------------------------


def test_a_row_creates_a_bill_and_its_payment(world):
    # given a row with a bill of ¥1,200.00 and a payment of ¥600.00
    plan = run_import(world.compound_a, xlsx_bytes([fee(world.house_a)]), actor=world.users["finance"])
    # then the bill exists, from the ledger, partly paid, and the payment keeps its receipt number
    assert counts(plan) == (1, 0, 0)
    bill = Bill.objects.get()
    assert (bill.house, bill.period, bill.period_start, bill.period_end) == (
        world.house_a,
        "2025",
        D(2025, 1, 1),
        D(2026, 1, 1),
    )
    assert (bill.amount_due, bill.paid, bill.status, bill.source) == (
        Decimal("1200.00"),
        Decimal("600.00"),
        BillStatus.PARTIAL,
        BillSource.LEDGER,
    )
    payment = Payment.objects.get()
    assert (payment.bill, payment.amount, payment.paid_on, payment.channel, payment.receipt_no) == (
        bill,
        Decimal("600.00"),
        D(2025, 1, 8),
        Channel.WECHAT,
        "SJ2025-900001",
    )
    # and each write is audited, by the importer
    verbs = sorted(AuditEvent.objects.filter(actor=world.users["finance"]).values_list("verb", flat=True))
    assert verbs == ["bill.ledger_create", "ledger.import", "payment.ledger_record"]


def test_several_rows_pay_one_bill_and_payments_without_receipt_get_the_next_numbers(world):
    # given SJ2025-000001 already used by a payment of the platform
    b = s.bill_create(actor=world.users["finance"], house=world.house_a2, period="2025", amount_due="100.00")
    s.payment_record(actor=world.users["finance"], bill=b, amount="10.00", channel="cash", paid_on=D(2025, 1, 2))
    rows = [
        bill_only(world.house_a, amount_due="1200.00", reduction=""),
        fee(world.house_a, amount_due="", amount_paid="500", receipt_no="", channel="", paid_on=D(2025, 2, 1)),
        fee(world.house_a, amount_due="1200", amount_paid=700, receipt_no="", channel="现金", paid_on=D(2025, 3, 1)),
    ]
    # when the ledger creates the bill and pays it in two payments without receipt numbers
    plan = run_import(world.compound_a, xlsx_bytes(rows), actor=world.users["finance"])
    # then the bill is paid, and the payments numbered after the platform's own
    assert counts(plan) == (3, 0, 0)
    bill = Bill.objects.get(house=world.house_a)
    assert (bill.paid, bill.status) == (Decimal("1200.00"), BillStatus.PAID)
    numbers = list(Payment.objects.filter(bill=bill).order_by("paid_on").values_list("receipt_no", "channel"))
    assert numbers == [("SJ2025-000002", Channel.OTHER), ("SJ2025-000003", Channel.CASH)]
    assert ReceiptCounter.objects.get(compound=world.compound_a, year=2025).last == 3


def test_a_row_without_payment_updates_the_amount_of_a_stored_bill(world):
    bill = s.bill_create(actor=world.users["finance"], house=world.house_a, period="2025-03", amount_due="100.00")
    plan = run_import(world.compound_a, xlsx_bytes([bill_only(world.house_a, period="2025-03", amount_due="120")]))
    assert counts(plan) == (0, 1, 0)
    bill.refresh_from_db()
    assert (bill.amount_due, bill.status) == (Decimal("120.00"), BillStatus.UNPAID)
    assert AuditEvent.objects.filter(verb="bill.ledger_update", object_id=str(bill.pk)).exists()


def test_reimporting_the_same_file_changes_nothing(world):
    rows = [fee(world.house_a), fee(world.house_a, amount_paid="100", receipt_no="", paid_on=D(2025, 4, 1))]
    data = xlsx_bytes(rows)
    run_import(world.compound_a, data, actor=world.users["finance"])
    before = finance_state()
    # when the same file is imported again
    plan = run_import(world.compound_a, data, actor=world.users["finance"])
    # then every row is already recorded (the payment without 票据号 is matched by bill, amount, date, channel)
    assert counts(plan) == (0, 0, 2)
    unchanged_but_the_import_recorded(before)


def test_an_export_imports_back_unchanged(world):
    # given bills with payments, a reduction, a bill without payment, and a cancelled bill
    keeper, manager = world.users["finance"], world.users["property_manager"]
    bill = s.bill_create(actor=keeper, house=world.house_a, period="2025", amount_due="1200.00")
    s.bill_reduce(actor=manager, bill=bill, amount="200.00", reason="困难家庭", approver=manager)
    s.payment_record(actor=keeper, bill=bill, amount="300.00", channel="alipay", paid_on=D(2025, 1, 5))
    s.payment_record(actor=keeper, bill=bill, amount="200.00", channel="bank", paid_on=D(2025, 2, 5))
    s.bill_create(actor=keeper, house=world.house_a2, period="2025-03", amount_due="99.50")
    cancelled = s.bill_create(actor=keeper, house=world.house_a2, period="2025-04", amount_due="1.00")
    s.bill_cancel(actor=keeper, bill=cancelled, reason="开错")
    # when the ledger is exported
    data = export_bytes(world.compound_a, actor=keeper)
    # then it has one row per payment and one for the unpaid bill, with the bill's amounts on each
    rows = read_rows(data)
    assert rows[0] == HEADERS
    b = world.house_a.building.name
    assert [(r + [None] * 10)[:9] for r in rows[1:]] == [
        [b, "1单元", "101", "2025", 1200, 200, 300, datetime.datetime(2025, 1, 5), "支付宝"],
        [b, "1单元", "101", "2025", 1200, 200, 200, datetime.datetime(2025, 2, 5), "银行转账"],
        [b, "1单元", "102", "2025-03", 99.5, 0, None, None, None],
    ]
    # and importing it back changes nothing
    before = finance_state()
    assert counts(run_import(world.compound_a, data, actor=keeper)) == (0, 0, 3)
    unchanged_but_the_import_recorded(before)


def test_csv_in_gb18030_and_amounts_written_many_ways_are_read(world):
    rows = [
        fee(world.house_a, amount_due="¥1,200", amount_paid="600.5元", paid_on="2025/1/8"),
        bill_only(world.house_a2, amount_due=" 1,000.00 ", period="2025年3月"),
    ]
    plan = run_import(world.compound_a, csv_bytes(rows, encoding="gb18030"), name="fees.csv")
    assert counts(plan) == (2, 0, 0)
    assert Bill.objects.get(house=world.house_a).paid == Decimal("600.50")
    assert Bill.objects.get(house=world.house_a2).period == "2025-03"


def test_a_month_that_excel_made_a_date_is_read_as_the_month(world):
    rows = [bill_only(world.house_a, period=datetime.datetime(2025, 3, 1))]
    run_import(world.compound_a, xlsx_bytes(rows))
    assert Bill.objects.get().period == "2025-03"


def test_a_dry_run_changes_nothing(world):
    before = finance_state()
    plan = run_import(world.compound_a, xlsx_bytes([fee(world.house_a)]), dry_run=True)
    assert counts(plan) == (1, 0, 0)
    assert finance_state() == before


# --- Reductions ---------------------------------------------------------------------------------------------------


def test_a_new_reduction_is_approved_by_the_property_manager_who_imports_it(world):
    rows = [bill_only(world.house_a, amount_due="1200.00", reduction="200.00")]
    run_import(world.compound_a, xlsx_bytes(rows), actor=world.users["property_manager"])
    reduction = Reduction.objects.get()
    assert (reduction.amount, reduction.approver, reduction.approved_on) == (
        Decimal("200.00"),
        world.users["property_manager"],
        D(2025, 1, 1),
    )
    bill = Bill.objects.get()
    assert (bill.reduction, bill.receivable) == (Decimal("200.00"), Decimal("1000.00"))


@pytest.mark.parametrize("actor", ["finance", None])
def test_a_new_reduction_without_a_property_managers_approval_is_refused(world, actor):
    before = finance_state()
    rows = [bill_only(world.house_a, amount_due="1200.00", reduction="200.00"), fee(world.house_a2)]
    errors = rejected(world, rows, actor=world.users[actor] if actor else None)
    assert errors == [
        (
            2,
            "减免金额",
            "A new reduction needs the approval of a property manager of the compound: a property manager "
            "confirms this import on the upload page.",
        )
    ]
    assert finance_state() == before


def test_a_recorded_reduction_cannot_be_lowered(world):
    manager = world.users["property_manager"]
    bill = s.bill_create(actor=manager, house=world.house_a, period="2025", amount_due="1200.00")
    s.bill_reduce(actor=manager, bill=bill, amount="200.00", reason="困难家庭", approver=manager)
    rows = [bill_only(world.house_a, amount_due="1200.00", reduction="100")]
    assert rejected(world, rows, actor=manager) == [
        (2, "减免金额", "The bill already has reductions of ¥200.00; a ledger cannot lower them.")
    ]


# --- Bad input: nothing imported ----------------------------------------------------------------------------------


def test_one_bad_row_imports_nothing_and_every_bad_row_is_listed(world):
    before = finance_state()
    rows = [
        fee(world.house_a),
        fee(world.house_a2, amount_due="-5", receipt_no="R2"),
        fee(world.house_a2, period="2025-04", amount_paid="abc", receipt_no="R3"),
        bill_only(world.house_a2, period="2025-05", amount_due="1.005"),
        bill_only(world.house_a2, period="2025Q1"),
        fee(world.house_a2, period="2025-06", paid_on="", receipt_no="R6"),
        fee(world.house_a2, period="2025-07", channel="刷卡", receipt_no="R7"),
        fee(world.house_a2, period="2025-08", paid_on=D(2099, 1, 1), receipt_no="R8"),
        bill_only(world.house_a2, period="2025-09", amount_due=""),
    ]
    with pytest.raises(LedgerRejected) as info:
        run_import(world.compound_a, xlsx_bytes(rows), actor=world.users["finance"])
    assert [(e.row, e.column, e.message) for e in info.value.errors] == [
        (3, "应收金额", "An amount cannot be negative."),
        (4, "实收金额", "Enter an amount in yuan, such as 1234.50."),
        (5, "应收金额", "An amount has at most two decimals (fen)."),
        (6, "账期", "A billing period is a year (2025) or a month (2025-03)."),
        (7, "缴费日期", "Fill in 缴费日期 for the payment in 实收金额."),
        (8, "缴费方式", "Write one of 微信, 支付宝, 银行转账, 现金, 其他."),
        (9, "缴费日期", "The payment date is in the future."),
        (10, "应收金额", "Fill in 应收金额 (a bill), 实收金额 (a payment) or both."),
    ]
    assert finance_state() == before


def test_a_payment_larger_than_what_remains_due_is_an_error(world):
    bill = s.bill_create(actor=world.users["finance"], house=world.house_a, period="2025", amount_due="1200.00")
    s.payment_record(actor=world.users["finance"], bill=bill, amount="1000.00", channel="cash", paid_on=D(2025, 1, 1))
    before = finance_state()
    rows = [fee(world.house_a, amount_due="", amount_paid="200.01")]
    assert rejected(world, rows) == [
        (2, "实收金额", "The payment is larger than what remains due (¥200.00)."),
    ]
    # also when the rows before it in the file already paid the bill
    rows = [fee(world.house_a2), fee(world.house_a2, amount_due="", amount_paid="600.01", receipt_no="R2")]
    assert rejected(world, rows) == [
        (3, "实收金额", "The payment is larger than what remains due (¥600.00)."),
    ]
    assert finance_state() == before


def test_a_duplicate_receipt_number_is_an_error(world):
    # in the file
    rows = [fee(world.house_a), fee(world.house_a2)]
    assert rejected(world, rows) == [
        (3, "", "This row repeats row 2: the same 票据号, or the same bill or payment."),
    ]
    # and already used by another payment of the compound
    bill = s.bill_create(actor=world.users["finance"], house=world.house_a2, period="2025", amount_due="100.00")
    s.payment_record(
        actor=world.users["finance"], bill=bill, amount="10.00", channel="cash", receipt_no="SJ2025-900001"
    )
    before = finance_state()
    assert rejected(world, [fee(world.house_a)]) == [
        (2, "票据号", "Receipt number SJ2025-900001 is already used in this compound."),
    ]
    assert finance_state() == before


def test_a_bill_for_an_undelivered_house_is_an_error(world):
    undelivered = HouseFactory.create(unit=world.house_a.unit, room="103", floor=1, delivered_on=None)
    late = HouseFactory.create(unit=world.house_a.unit, room="104", floor=1, delivered_on=D(2026, 1, 1))
    before = finance_state()
    assert rejected(world, [bill_only(undelivered), bill_only(late)]) == [
        (2, "账期", "This house was not delivered by the end of 2025; it cannot be billed."),
        (3, "账期", "This house was not delivered by the end of 2025; it cannot be billed."),
    ]
    assert finance_state() == before


def test_a_payment_for_a_bill_that_does_not_exist_is_an_error(world):
    assert rejected(world, [fee(world.house_a, amount_due="")]) == [
        (2, "应收金额", "There is no bill of 2025 for this house: fill in 应收金额 to create it."),
    ]


def test_an_unknown_house_and_another_compounds_house_are_errors(world):
    rows = [fee(world.house_a, room="9999"), fee(world.house_b, receipt_no="R2")]
    errors = rejected(world, rows)
    assert errors[0] == (2, "房号", f"The compound has no house {world.house_a.building.name}1单元9999.")
    assert errors[1][:2] == (3, "房号")


def test_rows_of_one_bill_must_agree_and_a_bill_cannot_fall_below_what_is_paid(world):
    bill = s.bill_create(actor=world.users["finance"], house=world.house_a2, period="2025", amount_due="1200.00")
    s.payment_record(actor=world.users["finance"], bill=bill, amount="1000.00", channel="cash", paid_on=D(2025, 1, 1))
    rows = [
        fee(world.house_a),
        fee(world.house_a, amount_due="1300.00", amount_paid="1", receipt_no="R2"),
        bill_only(world.house_a2, amount_due="999.99"),
    ]
    assert rejected(world, rows) == [
        (3, "应收金额", "应收金额 differs from row 2 of the same bill."),
        (4, "应收金额", "应收金额 is less than what is already reduced and paid (¥1,000.00)."),
    ]


def test_a_cancelled_bill_cannot_be_paid_by_a_ledger(world):
    bill = s.bill_create(actor=world.users["finance"], house=world.house_a, period="2025", amount_due="1200.00")
    s.bill_cancel(actor=world.users["finance"], bill=bill, reason="开错")
    assert rejected(world, [fee(world.house_a)]) == [(2, "账期", "This bill is cancelled.")]
    # a row that only repeats it changes nothing and is no error
    assert counts(run_import(world.compound_a, xlsx_bytes([bill_only(world.house_a)]))) == (0, 0, 1)


def test_a_payment_recorded_since_the_preview_rejects_the_apply(world):
    # given a preview that pays ¥1,200.00 of a stored bill
    from gongzhi.finance.ledger import FEES
    from gongzhi.finance.ledger.rows import parse_fee_row

    bill = s.bill_create(actor=world.users["finance"], house=world.house_a, period="2025", amount_due="1200.00")
    rows = [fee(world.house_a, amount_due="", amount_paid="1200.00")]
    assert counts(run_import(world.compound_a, xlsx_bytes(rows), dry_run=True)) == (1, 0, 0)
    # when a payment is recorded on the platform before the import is applied
    s.payment_record(actor=world.users["finance"], bill=bill, amount="1.00", channel="cash")
    before = finance_state()
    # then applying the previewed rows is refused, and nothing changed
    from gongzhi.estates.ledger.errors import ErrorList
    from gongzhi.estates.ledger.spec import RowContext

    ctx = RowContext(today=datetime.date.today(), now=datetime.datetime.now(datetime.UTC))
    values = {k: v for k, v in rows[0].items() if v not in ("", None)}
    row = parse_fee_row(2, values, ErrorList(), ctx)
    assert row is not None
    with pytest.raises(LedgerRejected) as info:
        FEES.apply(
            actor=world.users["finance"], compound=world.compound_a, rows=[row], present=frozenset(), progress=print
        )
    assert info.value.errors[0].message == "The payment is larger than what remains due (¥1,199.00)."
    assert finance_state() == before
