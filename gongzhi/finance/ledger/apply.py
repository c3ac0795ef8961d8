"""Writing fee rows: bills, reductions, payments and their audit events in bulk, inside the caller's transaction.

The rows are judged again against what is stored now, loaded under row locks (``stored_load(lock=True)``):
a row that turned bad since the preview (a payment recorded on the platform meanwhile) rejects the whole
import. The number of queries grows with the number of batches, never with the number of rows.

- A new bill is written with its final amounts (``source`` = ledger); a stored bill that changed gets its new
  应收金额, reductions, paid amount and status in one grouped update.
- A reduction new to the platform is a ``Reduction`` of the difference, approved by the person who confirms
  the import, who must be a property manager of the compound (or a superuser); it counts from the start of
  its billing period (or today, if that is later), since the ledger has no date for it.
- A payment without 票据号 gets the compound's next receipt number of its year (``SJ2025-000124``), from the
  same gap-free counter as payments recorded on the platform, skipping numbers already taken.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from gongzhi.core.audit import audit_build
from gongzhi.core.models import AuditEvent
from gongzhi.estates.ledger.bulk import RowInserter, RowUpdater
from gongzhi.estates.ledger.errors import LedgerRejected, RowError
from gongzhi.estates.ledger.spec import Plan, Progress
from gongzhi.estates.models import Compound

from ..models import Bill, BillSource, Payment, ReceiptCounter, Reduction
from ..rules import may_approve_fees
from ..services.payments import receipt_format
from .plan import BillState, Outcome, outcomes
from .rows import HEADER, FeeRow
from .state import stored_load

BATCH = 1000
REDUCTION_REASON_MSGID = gettext_noop("From the fee ledger")
BILL_COLUMNS = (
    "community", "compound", "house", "period", "period_start", "period_end", "area", "months", "vacant_months",
    "basis", "amount_due", "reduction", "paid", "status", "source", "note", "created_by", "created_at", "updated_at",
)  # fmt: skip
BILL_UPDATE = ("amount_due", "reduction", "paid", "status", "updated_at")
REDUCTION_COLUMNS = (
    "community", "compound", "bill", "house", "amount", "reason", "approver", "approved_on", "recorded_by",
    "created_at",
)  # fmt: skip
PAYMENT_COLUMNS = (
    "community", "compound", "bill", "house", "amount", "channel", "receipt_no", "paid_on", "note", "recorded_by",
    "created_at",
)  # fmt: skip
AUDIT_COLUMNS = ("community", "actor", "verb", "object_type", "object_id", "before", "after", "at")


def _amounts(state: BillState) -> dict[str, Any]:
    return {"amount_due": state.amount_due, "reduction": state.reduction, "paid": state.paid, "status": state.status()}


class FeeWriter:
    def __init__(self, *, actor: Any, compound: Compound) -> None:
        self.actor = actor
        self.actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        self.compound = compound
        self.community_id = compound.community_id
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.audits: list[tuple[Any, ...]] = []

    def _audit(self, verb: str, object_type: str, object_id: int, before: Any, after: Any) -> None:
        event = audit_build(
            actor=self.actor,
            verb=verb,
            object_type=object_type,
            object_id=object_id,
            community_id=self.community_id,
            before=before,
            after=after,
        )
        self.audits.append(
            (
                event.community_id,
                event.actor_id,
                event.verb,
                event.object_type,
                event.object_id,
                event.before,
                event.after,
                self.now,
            )
        )

    def bills_write(self, states: list[BillState]) -> dict[int, int]:
        """Create the new bills and update the changed ones; returns id(state) → bill id."""
        ids: dict[int, int] = {}
        new = [s for s in states if s.stored is None]
        changed = [s for s in states if s.stored is not None and s.changed]
        for s in states:
            if s.stored is not None:
                ids[id(s)] = s.stored.id
        inserter = RowInserter(Bill, BILL_COLUMNS)
        for start in range(0, len(new), BATCH):
            batch = new[start : start + BATCH]
            values: list[tuple[Any, ...]] = [
                (
                    self.community_id,
                    self.compound.pk,
                    s.house.id,
                    s.period.label,
                    s.period.start,
                    s.period.end,
                    s.house.area,
                    0,
                    0,
                    [],
                    s.amount_due,
                    s.reduction,
                    s.paid,
                    s.status(),
                    BillSource.LEDGER,
                    "",
                    self.actor_id,
                    self.now,
                    self.now,
                )
                for s in batch
            ]
            for s, pk in zip(batch, inserter.insert(values, returning=True), strict=True):
                ids[id(s)] = pk
                after = {"house": s.house.id, "period": s.period.label, **_amounts(s)}
                self._audit("bill.ledger_create", "finance.bill", pk, None, after)
        updater = RowUpdater(Bill, BILL_UPDATE)
        for start in range(0, len(changed), BATCH):
            batch = changed[start : start + BATCH]
            rows = []
            for s in batch:
                stored = s.stored
                assert stored is not None
                status = s.status()
                rows.append((s.amount_due, s.reduction, s.paid, status, self.now, stored.id))
                before = {
                    "amount_due": stored.amount_due,
                    "reduction": stored.reduction,
                    "paid": stored.paid,
                    "status": stored.status,
                }
                self._audit("bill.ledger_update", "finance.bill", stored.id, before, _amounts(s))
            updater.update(rows)
        return ids

    def reductions_write(self, found: list[Outcome], bill_ids: dict[int, int]) -> None:
        reason = gettext(REDUCTION_REASON_MSGID)
        values: list[tuple[Any, ...]] = []
        for o in found:
            if o.reduction is None:
                continue
            amount = o.reduction[1] - o.reduction[0]
            approved_on = min(o.bill.period.start, self.today)
            values.append(
                (
                    self.community_id,
                    self.compound.pk,
                    bill_ids[id(o.bill)],
                    o.bill.house.id,
                    amount,
                    reason,
                    self.actor_id,
                    approved_on,
                    self.actor_id,
                    self.now,
                )
            )
        inserter = RowInserter(Reduction, REDUCTION_COLUMNS)
        for start in range(0, len(values), BATCH):
            inserter.insert(values[start : start + BATCH])

    def payments_write(self, found: list[Outcome], bill_ids: dict[int, int], progress: Progress) -> None:
        paying = [o for o in found if o.payment is not None]
        numbers = self._receipt_numbers(paying)
        inserter = RowInserter(Payment, PAYMENT_COLUMNS)
        for start in range(0, len(paying), BATCH):
            batch = paying[start : start + BATCH]
            rows: list[tuple[Any, ...]] = []
            for o in batch:
                p = o.payment
                assert p is not None
                rows.append(
                    (
                        self.community_id,
                        self.compound.pk,
                        bill_ids[id(o.bill)],
                        o.bill.house.id,
                        p.amount,
                        p.channel,
                        p.receipt_no or numbers[id(o)],
                        p.paid_on,
                        "",
                        self.actor_id,
                        self.now,
                    )
                )
            for o, row, pk in zip(batch, rows, inserter.insert(rows, returning=True), strict=True):
                after = {
                    "bill": row[2],
                    "amount": row[4],
                    "channel": row[5],
                    "receipt_no": row[6],
                    "paid_on": row[7],
                    "row": o.row.row,
                }
                self._audit("payment.ledger_record", "finance.payment", pk, None, after)
            progress(min(start + BATCH, len(paying)))

    def _receipt_numbers(self, paying: list[Outcome]) -> dict[int, str]:
        """The next free numbers of each year's counter (row-locked until the import commits: no gaps)."""
        wanted: dict[int, list[Outcome]] = defaultdict(list)
        for o in paying:
            assert o.payment is not None
            if not o.payment.receipt_no:
                wanted[o.payment.paid_on.year].append(o)
        given = {o.payment.receipt_no for o in paying if o.payment is not None and o.payment.receipt_no}
        numbers: dict[int, str] = {}
        scope = {"community_id": self.community_id, "compound_id": self.compound.pk}
        for year, need in sorted(wanted.items()):
            ReceiptCounter.objects.bulk_create([ReceiptCounter(**scope, year=year)], ignore_conflicts=True)
            counter = ReceiptCounter.objects.select_for_update().get(**scope, year=year)
            prefix = receipt_format(year, 0)[: -len("000000")]
            taken = given | set(
                Payment.objects.filter(**scope, receipt_no__startswith=prefix).values_list("receipt_no", flat=True)
            )
            number = counter.last
            for o in need:
                number += 1
                while receipt_format(year, number) in taken:
                    number += 1
                numbers[id(o)] = receipt_format(year, number)
            counter.last = number
            counter.save(update_fields=["last"])
        return numbers

    def audits_write(self) -> None:
        inserter = RowInserter(AuditEvent, AUDIT_COLUMNS)
        for start in range(0, len(self.audits), BATCH):
            inserter.insert(self.audits[start : start + BATCH])


def approval_errors(actor: Any, compound: Compound, found: list[Outcome]) -> list[RowError]:
    """A reduction new to the platform needs an approver: the person applying the import, a property manager."""
    if actor is not None and may_approve_fees(actor, compound):
        return []
    return [
        RowError(
            o.row.row,
            HEADER["reduction"],
            gettext_noop(
                "A new reduction needs the approval of a property manager of the compound: a property manager "
                "confirms this import on the upload page."
            ),
        )
        for o in found
        if o.reduction is not None
    ]


def fees_apply(*, actor: Any, compound: Compound, rows: list[FeeRow], progress: Progress) -> Plan:
    """Apply checked rows to the compound (the caller holds the transaction and the import lock)."""
    stored = stored_load(compound, rows, lock=True)
    found, errors = outcomes(rows, stored)
    errors = errors or approval_errors(actor, compound, found)
    if errors:
        raise LedgerRejected(errors)
    plan = Plan()
    for o in found:
        if o.created:
            plan.created += 1
        elif o.updated:
            plan.updated += 1
        else:
            plan.unchanged += 1
    writer = FeeWriter(actor=actor, compound=compound)
    states = list({id(o.bill): o.bill for o in found if o.bill.changed}.values())
    bill_ids = writer.bills_write(states)
    writer.reductions_write(found, bill_ids)
    writer.payments_write(found, bill_ids, progress)
    writer.audits_write()
    progress(len(rows))
    return plan
