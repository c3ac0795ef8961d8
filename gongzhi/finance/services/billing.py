"""Bills: generated from the fee standards for every delivered house, entered by hand, reduced, cancelled.

How a bill is computed (``bill_plan``): each month of the billing period is billed when the house was
delivered by the month's first day and its status that day (from its status history) is not 未交付. A billed
month costs area × the rate in force on its first day of the standard for the house's type (住宅, 别墅, 商业:
the house's phase's standard of that type, else the compound's of that type), × the standard's vacant
percentage when the house was 空置 that day. The months are summed exactly and the sum rounded once
(money.py). A house with no month to bill gets no bill; a month to bill with no standard of the house's type
in force refuses the whole generation, so that no house is silently left out.
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.core.audit import audit_build, audit_record, snapshot
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.core.models import AuditEvent
from gongzhi.estates.ledger.bulk import RowInserter
from gongzhi.estates.models import Compound, House, HouseEvent, HouseStatus

from ..models import Bill, BillSource, BillStatus, FeeStandard, Reduction
from ..money import ZERO, money_parse, money_round
from ..periods import MONTH, YEAR, Period, month_label
from ..rules import may_approve_fees, may_keep_fees
from ._common import clean_text, move, not_in_future, require, today

HUNDRED = Decimal(100)
BILL_FIELDS = ["period", "amount_due", "reduction", "paid", "status"]


def billing_period(period: str | Period) -> Period:
    """A billing period: a year or a month (LEDGERS.md, 账期)."""
    return period if isinstance(period, Period) else Period.parse(period, kinds=(YEAR, MONTH))


def bill_for_update(bill: Bill | int) -> Bill:
    """The bill re-read under a row lock (concurrent payments wait, then see the new totals)."""
    pk = bill if isinstance(bill, int) else bill.pk
    found = Bill.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such bill."))
    return found


def bill_settle(bill: Bill) -> str:
    """Move the (locked) bill to the status its amounts say, along ``Bill.TRANSITIONS``; returns the old one."""
    receivable = bill.amount_due - bill.reduction
    if bill.paid <= 0 and receivable > 0:
        to = BillStatus.UNPAID
    elif bill.paid >= receivable:
        to = BillStatus.PAID
    else:
        to = BillStatus.PARTIAL
    return move(bill, to, transitions=Bill.TRANSITIONS, labels=BillStatus)


# --- The plan: what generating a period's bills would create --------------------------------------------------


@dataclass(frozen=True)
class PlannedBill:
    house_id: int
    area: Decimal
    months: int
    vacant_months: int
    amount: Decimal
    basis: list[dict[str, Any]]
    standard_id: int | None


@dataclass
class BillPlan:
    """The preview of a generation: bills to create, houses left alone and why."""

    compound: Compound
    period: Period
    new: list[PlannedBill] = field(default_factory=list)
    existing: int = 0  # houses that already have a bill for the period: left alone
    not_billable: int = 0  # houses not delivered (or not a whole month) in the period: no bill
    missing_standard: list[int] = field(default_factory=list)  # houses with a month and no standard in force

    @property
    def total(self) -> Decimal:
        return sum((b.amount for b in self.new), ZERO)

    @property
    def count(self) -> int:
        return len(self.new)


@dataclass(frozen=True)
class _Month:
    """The standard in force for one key (phase, house type) on one month's first day."""

    standard_id: int
    rate: Decimal
    percent: int


def _in_force(standards: list[FeeStandard], day: datetime.date) -> FeeStandard | None:
    for s in standards:
        if s.effective_from <= day and (s.effective_to is None or day < s.effective_to):
            return s
    return None


class _Rates:
    """For each (phase, house type): the standard in force on each month's first day (or None)."""

    def __init__(self, standards: list[FeeStandard], months: list[datetime.date]) -> None:
        self.months = months
        self.by_key: dict[tuple[int | None, str], list[FeeStandard]] = defaultdict(list)
        for s in standards:
            self.by_key[(s.phase_id, s.house_type)].append(s)
        self.cache: dict[tuple[int | None, str], list[_Month | None]] = {}

    def months_for(self, phase_id: int | None, house_type: str) -> list[_Month | None]:
        key = (phase_id, house_type)
        found = self.cache.get(key)
        if found is None:
            own = self.by_key.get(key, []) if phase_id is not None else []
            common = self.by_key.get((None, house_type), [])
            found = []
            for day in self.months:
                s = _in_force(own, day) or _in_force(common, day)
                found.append(None if s is None else _Month(s.pk, s.rate, s.vacant_percent))
            self.cache[key] = found
        return found


def _runs(parts: list[tuple[datetime.date, Decimal, int]]) -> list[dict[str, Any]]:
    """Consecutive billed months at one rate and percentage, as the bill's ``basis``."""
    runs: list[dict[str, Any]] = []
    for day, rate, percent in parts:
        last = runs[-1] if runs else None
        if last is not None and last["rate"] == str(rate) and last["percent"] == percent and last["_next"] == day:
            last["months"] += 1
        else:
            last = {"from": month_label(day), "months": 1, "rate": str(rate), "percent": percent}
            runs.append(last)
        nxt = day.replace(year=day.year + 1, month=1) if day.month == 12 else day.replace(month=day.month + 1)
        last["_next"] = nxt
    for run in runs:
        del run["_next"]
    return runs


class _Computer:
    """Computes one house's bill. Houses whose status does not change in the period share a sum precomputed
    per (phase, house type, vacant): most houses cost one multiplication and one rounding."""

    def __init__(self, rates: _Rates, period: Period) -> None:
        self.rates = rates
        self.period = period
        self.months = period.month_starts()
        self.constant: dict[tuple[int | None, str, bool], tuple[Decimal, int, list[dict[str, Any]], int | None]] = {}

    def _parts(
        self, table: list[_Month | None], vacant_by_month: list[bool | None]
    ) -> tuple[list[tuple[datetime.date, Decimal, int]], int | None, bool]:
        """(billed months as (day, rate, percent), the last standard, whether a billed month lacks one)."""
        parts: list[tuple[datetime.date, Decimal, int]] = []
        standard_id: int | None = None
        missing = False
        for day, month, vacant in zip(self.months, table, vacant_by_month, strict=True):
            if vacant is None:  # not billed this month
                continue
            if month is None:
                missing = True
                continue
            parts.append((day, month.rate, month.percent if vacant else 100))
            standard_id = month.standard_id
        return parts, standard_id, missing

    @staticmethod
    def _sum(parts: list[tuple[datetime.date, Decimal, int]]) -> Decimal:
        return sum((rate * percent / HUNDRED for _day, rate, percent in parts), Decimal(0))

    def constant_sum(
        self, phase_id: int | None, house_type: str, vacant: bool
    ) -> tuple[Decimal, int, list[dict[str, Any]], int | None] | None:
        key = (phase_id, house_type, vacant)
        found = self.constant.get(key)
        if found is None:
            table = self.rates.months_for(phase_id, house_type)
            parts, standard_id, missing = self._parts(table, [vacant] * len(self.months))
            if missing:
                return None
            found = (self._sum(parts), len(parts), _runs(parts), standard_id)
            self.constant[key] = found
        return found

    def varying(
        self, phase_id: int | None, house_type: str, vacant_by_month: list[bool | None]
    ) -> tuple[Decimal, int, int, list[dict[str, Any]], int | None] | None:
        table = self.rates.months_for(phase_id, house_type)
        parts, standard_id, missing = self._parts(table, vacant_by_month)
        if missing:
            return None
        vacant_months = sum(1 for v in vacant_by_month if v)
        return self._sum(parts), len(parts), vacant_months, _runs(parts), standard_id


def _status_on(dates: list[datetime.date], statuses: list[str], day: datetime.date, fallback: str) -> str:
    i = bisect_right(dates, day)
    return statuses[i - 1] if i else fallback


def bill_plan(*, compound: Compound, period: str | Period) -> BillPlan:
    """What generating ``period``'s bills for the compound would create (no permission check; see
    ``bills_generate``). Five queries whatever the number of houses."""
    p = billing_period(period)
    plan = BillPlan(compound=compound, period=p)
    cid = compound.community_id
    standards = list(FeeStandard.objects.filter(community_id=cid, compound=compound).order_by("effective_from"))
    computer = _Computer(_Rates(standards, p.month_starts()), p)
    existing = set(
        Bill.objects.filter(community_id=cid, compound=compound, period=p.label).values_list("house_id", flat=True)
    )
    houses = (
        House.objects.filter(community_id=cid, compound=compound)
        .order_by("id")
        .values_list("id", "phase_id", "house_type", "area", "delivered_on", "status")
    )
    history: dict[int, tuple[list[datetime.date], list[str]]] = {}
    events = (
        HouseEvent.objects.filter(community_id=cid, house__compound=compound, effective_on__lt=p.end)
        .order_by("house_id", "effective_on", "id")
        .values_list("house_id", "effective_on", "status")
    )
    for house_id, on, status in events.iterator(chunk_size=20000):
        dates, statuses = history.setdefault(house_id, ([], []))
        dates.append(on)
        statuses.append(status)
    start, end, months = p.start, p.end, computer.months
    vacant_status, undelivered = HouseStatus.VACANT, HouseStatus.UNDELIVERED
    for house_id, phase_id, house_type, area, delivered_on, status in houses:
        if house_id in existing:
            plan.existing += 1
            continue
        if delivered_on is None or delivered_on >= end:
            plan.not_billable += 1
            continue
        dates, statuses = history.get(house_id, ([], []))
        # Status before any recorded event: the house's own when it has no history, else 空置 (delivered).
        fallback = status if not dates else vacant_status
        changes_inside = bool(dates) and dates[-1] > start
        if delivered_on <= start and not changes_inside:
            current = _status_on(dates, statuses, start, fallback)
            if current == undelivered:
                plan.not_billable += 1
                continue
            vacant = current == vacant_status
            constant = computer.constant_sum(phase_id, house_type, vacant)
            if constant is None:
                plan.missing_standard.append(house_id)
                continue
            total, n, basis, standard_id = constant
            amount = money_round(area * total)
            plan.new.append(PlannedBill(house_id, area, n, n if vacant else 0, amount, basis, standard_id))
            continue
        by_month: list[bool | None] = []
        for day in months:
            on_day = _status_on(dates, statuses, day, fallback)
            by_month.append(None if day < delivered_on or on_day == undelivered else on_day == vacant_status)
        if all(v is None for v in by_month):
            plan.not_billable += 1
            continue
        varying = computer.varying(phase_id, house_type, by_month)
        if varying is None:
            plan.missing_standard.append(house_id)
            continue
        total, n, vacant_months, basis, standard_id = varying
        plan.new.append(PlannedBill(house_id, area, n, vacant_months, money_round(area * total), basis, standard_id))
    return plan


@transaction.atomic
def bills_generate(*, actor: Any, compound: Compound, period: str | Period, dry_run: bool = False) -> BillPlan:
    """Generate the period's bills for every delivered house of the compound that has none yet.

    ``dry_run``: the preview only, nothing written. Generating twice creates nothing new (houses with a bill
    for the period are left alone). All bills and their audit events are written in bulk in this transaction;
    two generations of one compound run one after the other (row lock on the compound).
    """
    require(may_keep_fees(actor, compound), _("You may not bill this compound."))
    p = billing_period(period)
    if not dry_run:
        Compound.objects.select_for_update().only("pk").get(pk=compound.pk)
    plan = bill_plan(compound=compound, period=p)
    if plan.missing_standard:
        n = len(plan.missing_standard)
        raise DomainError(
            ngettext(
                "%(n)d house has a month in %(period)s with no fee standard in force; set a standard first.",
                "%(n)d houses have a month in %(period)s with no fee standard in force; set a standard first.",
                n,
            )
            % {"n": n, "period": p.label},
            field="period",
            code="no_fee_standard",
        )
    if dry_run or not plan.new:
        return plan
    _write_bills(actor=actor, compound=compound, period=p, planned=plan.new)
    return plan


BILL_COLUMNS = (
    "community", "compound", "house", "period", "period_start", "period_end", "area", "months", "vacant_months",
    "basis", "standard", "amount_due", "reduction", "paid", "status", "source", "note", "created_by",
    "created_at", "updated_at",
)  # fmt: skip
AUDIT_COLUMNS = ("community", "actor", "verb", "object_type", "object_id", "before", "after", "at")


def _write_bills(*, actor: Any, compound: Compound, period: Period, planned: list[PlannedBill]) -> None:
    """The bills and one audit event each, in bulk (COPY on PostgreSQL, multi-row INSERT elsewhere: the ledger
    import's inserter), inside the caller's transaction."""
    cid, label = compound.community_id, period.label
    creator_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    start, end = period.start, period.end

    def row(b: PlannedBill) -> tuple[Any, ...]:
        status = BillStatus.UNPAID if b.amount > 0 else BillStatus.PAID
        return (
            cid,
            compound.pk,
            b.house_id,
            label,
            start,
            end,
            b.area,
            b.months,
            b.vacant_months,
            b.basis,
            b.standard_id,
            b.amount,
            ZERO,
            ZERO,
            status,
            BillSource.GENERATED,
            "",
            creator_id,
            now,
            now,
        )

    ids = RowInserter(Bill, BILL_COLUMNS).insert((row(b) for b in planned), returning=True)
    # One audit event per bill; the event is built once (actor, verb, type) and its values repeated per row.
    head = audit_build(actor=actor, verb="bill.generate", object_type="finance.bill", community_id=cid)
    audits = (
        (
            cid,
            head.actor_id,
            head.verb,
            head.object_type,
            str(bill_id),
            None,
            {"house": b.house_id, "period": label, "amount_due": str(b.amount)},
            now,
        )
        for bill_id, b in zip(ids, planned, strict=True)
    )
    RowInserter(AuditEvent, AUDIT_COLUMNS).insert(audits)


def _check_billable(house: House, p: Period) -> None:
    if house.delivered_on is None or house.delivered_on >= p.end:
        raise DomainError(
            _("This house was not delivered by the end of %(period)s; it cannot be billed.") % {"period": p.label},
            field="house",
            code="undelivered",
        )


@transaction.atomic
def bill_create(
    *, actor: Any, house: House, period: str | Period, amount_due: object, note: str = "", source: str = "manual"
) -> Bill:
    """One bill entered by hand (or from the fee ledger): a delivered house, a period without a bill yet."""
    require(may_keep_fees(actor, house.compound), _("You may not bill this compound."))
    p = billing_period(period)
    amount = money_parse(amount_due, field="amount_due", allow_zero=True)
    note = clean_text(note, field="note", required=False)
    if source not in BillSource.values:
        raise DomainError(_("Unknown source."), field="source")
    _check_billable(house, p)
    if Bill.objects.filter(community_id=house.community_id, house=house, period=p.label).exists():
        raise Conflict(
            _("This house already has a bill for %(period)s.") % {"period": p.label}, field="period", code="duplicate"
        )
    bill = Bill.objects.create(
        community_id=house.community_id,
        compound_id=house.compound_id,
        house=house,
        period=p.label,
        period_start=p.start,
        period_end=p.end,
        area=house.area,
        amount_due=amount,
        status=BillStatus.UNPAID if amount > 0 else BillStatus.PAID,
        source=source,
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        verb="bill.create",
        obj=bill,
        community_id=bill.community_id,
        after={"house": house.pk, **snapshot(bill, ["period", "amount_due", "source"])},
    )
    return bill


@transaction.atomic
def bill_cancel(*, actor: Any, bill: Bill | int, reason: str) -> Bill:
    """Cancel a bill issued by mistake: only while nothing has been paid or reduced on it. Final."""
    bill = bill_for_update(bill)
    require(may_keep_fees(actor, bill), _("You may not change this compound's bills."))
    reason = clean_text(reason, field="reason")
    if bill.status == BillStatus.UNPAID and (bill.paid or bill.reduction or bill.payments.exists()):
        raise Conflict(_("A bill with payments or reductions cannot be cancelled."), code="illegal_transition")
    before = move(bill, BillStatus.CANCELLED, transitions=Bill.TRANSITIONS, labels=BillStatus)
    bill.note = reason
    bill.save(update_fields=["status", "note", "updated_at"])
    audit_record(
        actor=actor,
        verb="bill.cancel",
        obj=bill,
        community_id=bill.community_id,
        before={"status": before},
        after={"status": bill.status, "reason": reason},
    )
    return bill


@transaction.atomic
def bill_reduce(
    *,
    actor: Any,
    bill: Bill | int,
    amount: object,
    reason: str,
    approver: Any,
    approved_on: datetime.date | None = None,
) -> Reduction:
    """A reduction (减免) of a bill with its reason, approved by the compound's property manager.

    At most what remains due (a reduction never creates an overpayment); a cancelled bill cannot be reduced.
    """
    bill = bill_for_update(bill)
    require(may_keep_fees(actor, bill), _("You may not change this compound's bills."))
    value = money_parse(amount)
    reason = clean_text(reason, field="reason")
    if approver is None or not may_approve_fees(approver, bill):
        raise DomainError(
            _("The approver must be a property manager of this compound."), field="approver", code="invalid_approver"
        )
    day = not_in_future(approved_on or today(), field="approved_on")
    if bill.status == BillStatus.CANCELLED:
        raise Conflict(_("This bill is cancelled."), code="illegal_transition")
    if value > bill.outstanding:
        raise DomainError(
            _("The reduction is larger than what remains due (%(due)s).") % {"due": f"¥{bill.outstanding:,.2f}"},
            field="amount",
            code="too_much",
        )
    before = snapshot(bill, BILL_FIELDS)
    bill.reduction += value
    bill_settle(bill)
    bill.save(update_fields=["reduction", "status", "updated_at"])
    reduction = Reduction.objects.create(
        community_id=bill.community_id,
        compound_id=bill.compound_id,
        bill=bill,
        house_id=bill.house_id,
        amount=value,
        reason=reason,
        approver=approver,
        approved_on=day,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        verb="bill.reduce",
        obj=bill,
        community_id=bill.community_id,
        before=before,
        after={
            **snapshot(bill, BILL_FIELDS),
            "reduction_id": reduction.pk,
            "amount": value,
            "reason": reason,
            "approver": approver.pk,
            "approved_on": day,
        },
    )
    return reduction
