"""The compound's bills and payments as fee rows, written so that importing the file back changes nothing.

One row per payment, carrying its bill's 应收金额 and 减免金额; a bill without payments is one row of its own.
Cancelled bills are left out (they count nowhere). Rows in building → unit → room → period order, payments by
date; 账期 is written as text ("2025", "2025-03"), so that Excel does not make a date of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from gongzhi.estates.models import Compound

from ..models import Bill, BillStatus, Payment
from .rows import CHANNEL_LABELS


def fee_rows(*, compound: Compound) -> Iterator[list[Any]]:
    scope = {"community_id": compound.community_id, "compound": compound}
    payments: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    paid = (
        Payment.objects.filter(**scope)
        .exclude(bill__status=BillStatus.CANCELLED)
        .order_by("paid_on", "id")
        .values_list("bill_id", "amount", "paid_on", "channel", "receipt_no")
    )
    for bill_id, *payment in paid.iterator(chunk_size=5000):
        payments[bill_id].append(tuple(payment))
    bills = (
        Bill.objects.filter(**scope)
        .exclude(status=BillStatus.CANCELLED)
        .order_by(
            "house__building__sort_key",
            "house__building__name",
            "house__unit__sort_key",
            "house__unit__name",
            "house__floor",
            "house__room",
            "period_start",
            "period",
        )
        .values_list(
            "id", "house__building__name", "house__unit__name", "house__room", "period", "amount_due", "reduction"
        )
    )
    for pk, building, unit, room, period, amount_due, reduction in bills.iterator(chunk_size=5000):
        bill = [building, unit, room, str(period), amount_due, reduction]
        for amount, paid_on, channel, receipt_no in payments.get(pk, ()) or [(None, None, None, None)]:
            yield [*bill, amount, paid_on, CHANNEL_LABELS.get(channel, channel) if channel else None, receipt_no]
