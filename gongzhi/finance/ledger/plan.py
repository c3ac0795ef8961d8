"""Comparing fee rows with the stored bills and payments: what will be created, changed or left alone.

Rows are taken in file order, each against the bill as the rows before it left it, so a file may create a
bill and pay it in several rows. What is recorded stays: a reduction cannot be lowered, a recorded payment
(named by its 票据号, or matched by bill, amount, date and channel) cannot be changed, and a bill cannot be
made smaller than what is already reduced and paid. A payment larger than what remains due is a row error,
never an overpayment. Rows of one bill must agree on its 应收金额 and 减免金额.

Counts are of rows: "created" adds a bill or a payment, "updated" changes a bill's 应收金额 or 减免金额 only,
"unchanged" is already recorded.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from gongzhi.estates.ledger.errors import RowError
from gongzhi.estates.ledger.spec import Plan

from ..models import BillStatus
from ..money import ZERO, yuan_text
from ..periods import Period
from .rows import CHANNEL_LABELS, HEADER, FeeRow
from .state import Stored, StoredBill, StoredHouse

MAX_SAMPLES = 100
DUPLICATE_MSGID = gettext_noop("This row repeats row %(first)s: the same 票据号, or the same bill or payment.")


@dataclass
class BillState:
    """One bill as the rows leave it: the stored bill (None: the import creates it) and its amounts now."""

    house: StoredHouse
    house_text: str
    period: Period
    stored: StoredBill | None
    amount_due: Decimal = ZERO
    reduction: Decimal = ZERO
    paid: Decimal = ZERO
    due_row: int | None = None  # the first row that gave 应收金额
    reduction_row: int | None = None  # the first row that gave 减免金额

    @property
    def outstanding(self) -> Decimal:
        return self.amount_due - self.reduction - self.paid

    @property
    def exists(self) -> bool:
        """Stored, or created by an earlier row of the file."""
        return self.stored is not None or self.due_row is not None

    @property
    def changed(self) -> bool:
        s = self.stored
        return s is None or (s.amount_due, s.reduction, s.paid) != (self.amount_due, self.reduction, self.paid)

    def status(self) -> str:
        """The status the amounts say (as ``services.billing.bill_settle``)."""
        receivable = self.amount_due - self.reduction
        if self.paid <= 0 and receivable > 0:
            return BillStatus.UNPAID
        if self.paid >= receivable:
            return BillStatus.PAID
        return BillStatus.PARTIAL


@dataclass(frozen=True, slots=True)
class NewPayment:
    amount: Decimal
    paid_on: datetime.date
    channel: str
    receipt_no: str  # "": the compound's next receipt number is issued


@dataclass
class Outcome:
    """What one row does."""

    row: FeeRow
    bill: BillState
    creates_bill: bool = False
    due: tuple[Decimal, Decimal] | None = None  # 应收金额 (before, after) of a stored bill
    reduction: tuple[Decimal, Decimal] | None = None  # 减免金额 (before, after): a new reduction of the difference
    payment: NewPayment | None = None

    @property
    def created(self) -> bool:
        return self.creates_bill or self.payment is not None

    @property
    def updated(self) -> bool:
        return not self.created and (self.due is not None or self.reduction is not None)


class _Judge:
    """Judges one row against its bill's state; the state changes only when the row is good."""

    def __init__(self, row: FeeRow, state: BillState, stored: Stored, matched: set[int]) -> None:
        self.row = row
        self.state = state
        self.stored = stored
        self.matched = matched
        self.errors: list[RowError] = []
        self.outcome = Outcome(row=row, bill=state)

    def error(self, key: str, msgid: str, **params: Any) -> None:
        self.errors.append(RowError(self.row.row, HEADER[key], msgid, params))

    def run(self) -> Outcome | None:
        row, state, o = self.row, self.state, self.outcome
        due, reduction, paid = state.amount_due, state.reduction, state.paid
        if not state.exists:
            if row.amount_due is None:
                self.error(
                    "amount_due",
                    gettext_noop("There is no bill of %(period)s for this house: fill in 应收金额 to create it."),
                    period=row.period,
                )
                return None
            delivered = state.house.delivered_on
            if delivered is None or delivered >= state.period.end:
                self.error(
                    "period",
                    gettext_noop("This house was not delivered by the end of %(period)s; it cannot be billed."),
                    period=row.period,
                )
                return None
            o.creates_bill = True
            due = row.amount_due
        elif row.amount_due is not None:
            if state.due_row is not None and row.amount_due != state.amount_due:
                self.error(
                    "amount_due",
                    gettext_noop("应收金额 differs from row %(first)s of the same bill."),
                    first=state.due_row,
                )
            elif row.amount_due != state.amount_due:
                o.due = (state.amount_due, row.amount_due)
                due = row.amount_due
        if row.reduction is not None:
            if state.reduction_row is not None and row.reduction != state.reduction:
                self.error(
                    "reduction",
                    gettext_noop("减免金额 differs from row %(first)s of the same bill."),
                    first=state.reduction_row,
                )
            elif row.reduction < state.reduction:
                self.error(
                    "reduction",
                    gettext_noop("The bill already has reductions of %(amount)s; a ledger cannot lower them."),
                    amount=yuan_text(state.reduction),
                )
            elif row.reduction > state.reduction:
                o.reduction = (state.reduction, row.reduction)
                reduction = row.reduction
        if due - reduction < paid:
            if o.due is not None and due < state.reduction + paid:
                self.error(
                    "amount_due",
                    gettext_noop("应收金额 is less than what is already reduced and paid (%(amount)s)."),
                    amount=yuan_text(state.reduction + paid),
                )
            elif o.reduction is not None:
                self.error(
                    "reduction",
                    gettext_noop("The reduction is larger than what remains due (%(due)s)."),
                    due=yuan_text(max(due - state.reduction - paid, ZERO)),
                )
        if row.has_payment and not self.errors:
            paid += self._payment(due - reduction - paid)
        cancelled = state.stored is not None and state.stored.status == BillStatus.CANCELLED
        if cancelled and (o.due is not None or o.reduction is not None or o.payment is not None):
            self.error("period", gettext_noop("This bill is cancelled."))
        if self.errors:
            return None
        state.amount_due, state.reduction, state.paid = due, reduction, paid
        if row.amount_due is not None and state.due_row is None:
            state.due_row = row.row
        if row.reduction is not None and state.reduction_row is None:
            state.reduction_row = row.row
        return o

    def _payment(self, outstanding: Decimal) -> Decimal:
        """The row's payment: matched with a stored one (0 more paid) or new (checked against what is due)."""
        row, state = self.row, self.state
        amount, day, channel = row.amount_paid, row.paid_on, row.channel
        assert amount is not None and day is not None
        bill_id = state.stored.id if state.stored is not None else None
        if row.receipt_no:
            found = self.stored.by_receipt.get(row.receipt_no)
            if found is not None:
                same = (found.bill_id, found.amount, found.paid_on, found.channel) == (bill_id, amount, day, channel)
                if not same or found.id in self.matched:
                    self.error(
                        "receipt_no",
                        gettext_noop("Receipt number %(no)s is already used in this compound."),
                        no=row.receipt_no,
                    )
                self.matched.add(found.id)
                return ZERO
        else:
            for candidate in self.stored.by_bill.get(bill_id, []) if bill_id is not None else []:
                if candidate.id not in self.matched and (candidate.amount, candidate.paid_on, candidate.channel) == (
                    amount,
                    day,
                    channel,
                ):
                    self.matched.add(candidate.id)
                    return ZERO
        if amount > outstanding:
            self.error(
                "amount_paid",
                gettext_noop("The payment is larger than what remains due (%(due)s)."),
                due=yuan_text(max(outstanding, ZERO)),
            )
            return ZERO
        self.outcome.payment = NewPayment(amount=amount, paid_on=day, channel=channel, receipt_no=row.receipt_no)
        return amount


def outcomes(rows: list[FeeRow], stored: Stored) -> tuple[list[Outcome], list[RowError]]:
    """Every row's outcome in file order, or the errors that depend on what is stored (and on earlier rows)."""
    errors: list[RowError] = []
    result: list[Outcome] = []
    bills: dict[tuple[int, str], BillState] = {}
    matched: set[int] = set()  # stored payments a row has named already
    for row in rows:
        house = stored.houses.get(row.house_key)
        if house is None:
            errors.append(
                RowError(
                    row.row,
                    HEADER["room"],
                    gettext_noop("The compound has no house %(house)s."),
                    {"house": row.house_text},
                )
            )
            continue
        key = (house.id, row.period)
        state = bills.get(key)
        if state is None:
            found = stored.bills.get(key)
            state = BillState(house=house, house_text=row.house_text, period=Period.parse(row.period), stored=found)
            if found is not None:
                state.amount_due, state.reduction, state.paid = found.amount_due, found.reduction, found.paid
            bills[key] = state
        judge = _Judge(row, state, stored, matched)
        outcome = judge.run()
        if outcome is None:
            errors.extend(judge.errors)
        else:
            result.append(outcome)
    return result, errors


def _money(value: Decimal | None) -> str:
    return "" if value is None else yuan_text(value)


def sample(outcome: Outcome) -> dict[str, Any]:
    row, o = outcome.row, outcome
    changes: list[list[str]] = []
    if o.creates_bill:
        changes.append([HEADER["amount_due"], "", _money(row.amount_due)])
    if o.due is not None:
        changes.append([HEADER["amount_due"], _money(o.due[0]), _money(o.due[1])])
    if o.reduction is not None:
        changes.append([HEADER["reduction"], _money(o.reduction[0]), _money(o.reduction[1])])
    if o.payment is not None:
        p = o.payment
        detail = f"{_money(p.amount)} · {p.paid_on.isoformat()} · {CHANNEL_LABELS.get(p.channel, p.channel)}"
        changes.append([HEADER["amount_paid"], "", f"{detail} · {p.receipt_no}" if p.receipt_no else detail])
    return {
        "row": row.row,
        "house": row.house_text,
        "period": row.period,
        "action": "create" if o.created else "update",
        "changes": changes,
    }


def fees_plan(rows: list[FeeRow], stored: Stored) -> Plan:
    found, errors = outcomes(rows, stored)
    plan = Plan(errors=errors)
    for outcome in found:
        if outcome.created:
            plan.created += 1
        elif outcome.updated:
            plan.updated += 1
        else:
            plan.unchanged += 1
            continue
        if len(plan.samples) < MAX_SAMPLES:
            plan.samples.append(sample(outcome))
    return plan
