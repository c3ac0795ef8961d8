"""What a compound already holds for the rows of a fee ledger, loaded in a few queries.

The compound's houses (by 楼栋, 单元, 房号), its bills of the periods the file names, the payments the
file's 票据号 name, and the payments of the bills that rows without a 票据号 pay (to match them), so that rows
are compared without a query per row. Applying loads the same under row locks (``lock``): a payment recorded
on the platform meanwhile waits for the import, and the import sees it if it came first.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from gongzhi.estates.models import Compound, House

from ..models import Bill, Payment
from .rows import FeeRow

CHUNK = 900  # keys per IN (…) list, under every database's parameter limit


@dataclass(slots=True)
class StoredHouse:
    id: int
    area: Decimal
    delivered_on: datetime.date | None


@dataclass(slots=True)
class StoredBill:
    id: int
    house_id: int
    period: str
    amount_due: Decimal
    reduction: Decimal
    paid: Decimal
    status: str


@dataclass(slots=True)
class StoredPayment:
    id: int
    bill_id: int
    amount: Decimal
    paid_on: datetime.date
    channel: str
    receipt_no: str


@dataclass
class Stored:
    houses: dict[tuple[str, str, str], StoredHouse] = field(default_factory=dict)
    bills: dict[tuple[int, str], StoredBill] = field(default_factory=dict)  # (house id, 账期) → bill
    by_receipt: dict[str, StoredPayment] = field(default_factory=dict)
    by_bill: dict[int, list[StoredPayment]] = field(default_factory=lambda: defaultdict(list))


def _chunks(items: list[str] | list[int]) -> list[list[str] | list[int]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


PAYMENT_FIELDS = ("id", "bill_id", "amount", "paid_on", "channel", "receipt_no")


def stored_load(compound: Compound, rows: list[FeeRow], *, lock: bool = False) -> Stored:
    stored = Stored()
    scope = {"community_id": compound.community_id, "compound": compound}
    houses = House.objects.filter(**scope).values_list(
        "id", "building__name", "unit__name", "room", "area", "delivered_on"
    )
    for pk, building, unit, room, area, delivered_on in houses.iterator(chunk_size=5000):
        stored.houses[(building, unit, room)] = StoredHouse(pk, area, delivered_on)
    periods = sorted({row.period for row in rows})
    bills = Bill.objects.filter(**scope, period__in=periods)
    if lock:
        bills = bills.select_for_update()
    for values in bills.values_list("id", "house_id", "period", "amount_due", "reduction", "paid", "status"):
        bill = StoredBill(*values)
        stored.bills[(bill.house_id, bill.period)] = bill
    payments = Payment.objects.filter(**scope)
    receipts = sorted({row.receipt_no for row in rows if row.receipt_no})
    for chunk in _chunks(receipts):
        for values in payments.filter(receipt_no__in=chunk).values_list(*PAYMENT_FIELDS):
            payment = StoredPayment(*values)
            stored.by_receipt[payment.receipt_no] = payment
    bill_ids: set[int] = set()
    for row in rows:
        if row.has_payment and not row.receipt_no:
            house = stored.houses.get(row.house_key)
            found = stored.bills.get((house.id, row.period)) if house is not None else None
            if found is not None:
                bill_ids.add(found.id)
    for chunk in _chunks(sorted(bill_ids)):
        for values in payments.filter(bill_id__in=chunk).order_by("paid_on", "id").values_list(*PAYMENT_FIELDS):
            payment = StoredPayment(*values)
            stored.by_bill[payment.bill_id].append(payment)
    return stored
