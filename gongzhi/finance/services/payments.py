"""Payments against bills, receipt numbers, and refunds (requested → approved or refused → paid out)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, DomainError, NotFound

from ..models import Bill, BillStatus, Channel, Payment, ReceiptCounter, Refund, RefundStatus
from ..money import ZERO, money_parse
from ..rules import may_approve_fees, may_keep_fees
from ._common import clean_text, move, not_in_future, require, today
from .billing import BILL_FIELDS, bill_for_update, bill_settle

RECEIPT_MAX = 40


def receipt_format(year: int, number: int) -> str:
    """The platform's receipt numbers: SJ2025-000123 (收据), sequential per compound and year."""
    return f"SJ{year}-{number:06d}"


def receipt_number_next(*, community_id: int, compound_id: int, year: int) -> str:
    """The next free receipt number of the compound and year. Call inside the payment's transaction: the
    counter row stays locked until it commits (concurrent payments wait), and a rollback gives the number
    back, so the numbers have no gaps. Numbers already taken (entered by hand or imported) are skipped."""
    ReceiptCounter.objects.bulk_create(
        [ReceiptCounter(community_id=community_id, compound_id=compound_id, year=year)], ignore_conflicts=True
    )
    counter = ReceiptCounter.objects.select_for_update().get(
        community_id=community_id, compound_id=compound_id, year=year
    )
    number = counter.last + 1
    taken = Payment.objects.filter(community_id=community_id, compound_id=compound_id)
    while taken.filter(receipt_no=receipt_format(year, number)).exists():
        number += 1
    counter.last = number
    counter.save(update_fields=["last"])
    return receipt_format(year, number)


def _clean_receipt(receipt_no: str) -> str:
    text = (receipt_no or "").strip()
    if len(text) > RECEIPT_MAX:
        raise DomainError(
            _("A receipt number has at most %(max)d characters.") % {"max": RECEIPT_MAX},
            field="receipt_no",
            code="too_long",
        )
    return text


@transaction.atomic
def payment_record(
    *,
    actor: Any,
    bill: Bill | int,
    amount: object,
    channel: str,
    paid_on: datetime.date | None = None,
    receipt_no: str = "",
    note: str = "",
) -> Payment:
    """Record money received against a bill (partial payments welcome).

    Refused: a bill that does not exist (NotFound), a cancelled bill (Conflict), an amount that is not a
    positive number of yuan or is more than what remains due, an unknown channel, a date in the future, a
    receipt number already used in the compound (Conflict). Without ``receipt_no`` the next number of the
    compound and year is issued (``receipt_number_next``).
    """
    locked = bill_for_update(bill)
    require(may_keep_fees(actor, locked), _("You may not record payments for this compound."))
    value = money_parse(amount)
    if channel not in Channel.values:
        raise DomainError(_("Choose how it was paid."), field="channel", code="invalid_channel")
    day = not_in_future(paid_on or today(), field="paid_on")
    receipt = _clean_receipt(receipt_no)
    note = clean_text(note, field="note", required=False)
    if locked.status == BillStatus.CANCELLED:
        raise Conflict(_("This bill is cancelled."), code="illegal_transition")
    if value > locked.outstanding:
        raise DomainError(
            _("The payment is larger than what remains due (%(due)s).") % {"due": f"¥{locked.outstanding:,.2f}"},
            field="amount",
            code="overpayment",
        )
    taken = Payment.objects.filter(community_id=locked.community_id, compound_id=locked.compound_id)
    if receipt and taken.filter(receipt_no=receipt).exists():
        raise Conflict(
            _("Receipt number %(no)s is already used in this compound.") % {"no": receipt},
            field="receipt_no",
            code="duplicate_receipt",
        )
    if not receipt:
        receipt = receipt_number_next(community_id=locked.community_id, compound_id=locked.compound_id, year=day.year)
    before = snapshot(locked, BILL_FIELDS)
    locked.paid += value
    bill_settle(locked)
    locked.save(update_fields=["paid", "status", "updated_at"])
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                community_id=locked.community_id,
                compound_id=locked.compound_id,
                bill=locked,
                house_id=locked.house_id,
                amount=value,
                channel=channel,
                receipt_no=receipt,
                paid_on=day,
                note=note,
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:  # the same number entered at the same moment by someone else
        raise Conflict(
            _("Receipt number %(no)s is already used in this compound.") % {"no": receipt},
            field="receipt_no",
            code="duplicate_receipt",
        ) from None
    audit_record(
        actor=actor,
        verb="payment.record",
        obj=payment,
        community_id=payment.community_id,
        before=before,
        after={
            **snapshot(locked, BILL_FIELDS),
            "bill": locked.pk,
            **snapshot(payment, ["amount", "channel", "receipt_no", "paid_on"]),
        },
    )
    return payment


def _refund_for_update(refund: Refund | int) -> Refund:
    pk = refund if isinstance(refund, int) else refund.pk
    found = Refund.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such refund."))
    return found


@transaction.atomic
def refund_request(*, actor: Any, payment: Payment | int, amount: object, reason: str) -> Refund:
    """Ask to give back (part of) a payment. Nothing moves until someone else approves it and it is paid out.

    At most what is left of the payment after its other refunds (requested, approved or paid).
    """
    pk = payment if isinstance(payment, int) else payment.pk
    found = Payment.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such payment."))
    bill = bill_for_update(found.bill_id)  # refunds of one bill are decided one at a time
    require(may_keep_fees(actor, bill), _("You may not ask for refunds in this compound."))
    value = money_parse(amount)
    reason = clean_text(reason, field="reason")
    committed = found.refunds.exclude(status=RefundStatus.REFUSED).aggregate(s=Sum("amount"))["s"] or ZERO
    left = found.amount - committed
    if value > left:
        raise DomainError(
            _("The refund is larger than what is left of the payment (%(left)s).") % {"left": f"¥{left:,.2f}"},
            field="amount",
            code="too_much",
        )
    refund = Refund.objects.create(
        community_id=bill.community_id,
        compound_id=bill.compound_id,
        bill=bill,
        payment=found,
        house_id=bill.house_id,
        amount=value,
        reason=reason,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        verb="refund.request",
        obj=refund,
        community_id=refund.community_id,
        after={"payment": found.pk, "bill": bill.pk, "amount": value, "reason": reason},
    )
    return refund


@transaction.atomic
def refund_decide(*, actor: Any, refund: Refund | int, approve: bool, note: str = "") -> Refund:
    """The property manager approves or refuses (with a reason) a refund somebody else asked for."""
    locked = _refund_for_update(refund)
    require(may_approve_fees(actor, locked), _("You may not decide refunds in this compound."))
    if locked.requested_by_id is not None and locked.requested_by_id == getattr(actor, "pk", None):
        raise DomainError(
            _("A refund is approved by someone other than the person who asked for it."),
            code="same_person",
        )
    note = clean_text(note, field="note", required=not approve)
    to = RefundStatus.APPROVED if approve else RefundStatus.REFUSED
    before = move(locked, to, transitions=Refund.TRANSITIONS, labels=RefundStatus)
    locked.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    audit_record(
        actor=actor,
        verb="refund.approve" if approve else "refund.refuse",
        obj=locked,
        community_id=locked.community_id,
        before={"status": before},
        after={"status": locked.status, "note": note},
    )
    return locked


@transaction.atomic
def refund_pay(*, actor: Any, refund: Refund | int, paid_on: datetime.date | None = None) -> Refund:
    """Pay out an approved refund: the bill's paid amount goes down (and its status back, if need be).

    A refund that has not been approved is refused (Conflict), as is one paid out already.
    """
    locked = _refund_for_update(refund)
    require(may_keep_fees(actor, locked), _("You may not pay out refunds in this compound."))
    day = not_in_future(paid_on or today(), field="paid_on")
    if locked.status == RefundStatus.REQUESTED:
        raise Conflict(_("This refund has not been approved yet."), code="not_approved")
    before_status = move(locked, RefundStatus.PAID, transitions=Refund.TRANSITIONS, labels=RefundStatus)
    bill = bill_for_update(locked.bill_id)
    before = snapshot(bill, BILL_FIELDS)
    bill.paid -= locked.amount
    if bill.paid < 0:  # cannot happen: refunds never exceed their payment
        raise Conflict(_("The refund is larger than what was paid."), code="too_much")
    bill_settle(bill)
    bill.save(update_fields=["paid", "status", "updated_at"])
    locked.paid_on = day
    locked.paid_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.save(update_fields=["status", "paid_on", "paid_by", "updated_at"])
    audit_record(
        actor=actor,
        verb="refund.pay",
        obj=locked,
        community_id=locked.community_id,
        before={"status": before_status, **before},
        after={"status": locked.status, "paid_on": day, **snapshot(bill, BILL_FIELDS)},
    )
    return locked
