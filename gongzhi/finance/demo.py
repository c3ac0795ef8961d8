"""Demo fees for ``seed_demo``: a standard, commitments, last year's and this year's bills, payments and a
published statement, made through the services so the pages show a compound in its second year of fees."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.estates.models import Compound, House

from . import services
from .models import Bill, FeeStandard


def fees_start(compound: Compound) -> datetime.date:
    """The first day of the first month fees are due: the month of the compound's delivery, or the next one."""
    delivered = compound.delivered_on or datetime.date(timezone.localdate().year - 1, 1, 1)
    if delivered.day == 1:
        return delivered
    return datetime.date(delivered.year + delivered.month // 12, delivered.month % 12 + 1, 1)


def seed_fees(*, compound: Compound, keeper: User, manager: User, house: House | None) -> int:
    """Bill the demo compound for last year and this year; returns the number of bills (0 when seeded).

    The standard runs from the compound's delivery, so that earlier years can be billed too (the insights story,
    ``seed_fee_history``)."""
    if FeeStandard.objects.filter(compound=compound).exists():
        return 0
    year = timezone.localdate().year
    services.fee_standard_set(
        actor=keeper,
        compound=compound,
        rate="2.50",
        vacant_percent=70,
        effective_from=min(fees_start(compound), datetime.date(year - 1, 1, 1)),
        note="业主大会通过的收费标准",
    )
    for title, detail in [
        ("电梯故障 2 小时内到场", "全年无休，夜间值班电话 24 小时畅通"),
        ("垃圾日产日清", "每天早晚各清运一次"),
        ("公共区域每周保洁两次", "楼道、大堂、电梯轿厢"),
    ]:
        services.commitment_add(actor=keeper, compound=compound, title=title, detail=detail)
    for period in (str(year - 1), str(year)):
        services.bills_generate(actor=keeper, compound=compound, period=period)
    if house is not None:
        last, this = (Bill.objects.get(house=house, period=p) for p in (str(year - 1), str(year)))
        services.payment_record(
            actor=keeper, bill=last, amount=last.amount_due, channel="wechat", paid_on=datetime.date(year - 1, 3, 8)
        )
        services.payment_record(
            actor=keeper, bill=this, amount="1000.00", channel="alipay", paid_on=datetime.date(year, 1, 15)
        )
    statement = services.statement_create(actor=keeper, compound=compound, period=f"{year - 1}Q4")
    for category, item, amount in [
        ("fees", "物业服务费收入", "486000.00"),
        ("parking", "临时停车费", "52300.00"),
        ("staff", "保安、保洁、维修人员工资", "312000.00"),
        ("cleaning", "垃圾清运", "38600.00"),
        ("maintenance", "电梯年检与维保", "45200.00"),
        ("utilities", "公共照明与水泵电费", "27400.00"),
    ]:
        services.statement_line_add(actor=keeper, statement=statement, category=category, item=item, amount=amount)
    services.statement_publish(actor=manager, statement=statement)
    return Bill.objects.filter(compound=compound).count()


# --- History for the insights story (``gongzhi/insights/demo.py``) ------------------------------------------------


@dataclass(frozen=True)
class FeeYear:
    """How one billing year's bills were paid: the share paid during the year (当期), then the shares of what was
    still owed that were recovered in each following year (旧欠回收)."""

    period: str  # "2024"
    current: float
    later: tuple[float, ...] = ()


HISTORY_VERB = "demo.fee_history"
CHANNELS = ("wechat", "wechat", "wechat", "alipay", "alipay", "bank", "cash")


def _pay_day(rng: random.Random, start: datetime.date, end: datetime.date, *, early: bool) -> datetime.date:
    """A day in [start, end): owners who pay on time mostly pay in the first quarter."""
    days = max(1, (end - start).days)
    if early and rng.random() < 0.6:
        days = min(days, 90)
    return start + datetime.timedelta(days=rng.randrange(days))


def seed_fee_history(*, compound: Compound, keeper: User, rate: str, years: list[FeeYear], seed: int = 11) -> int:
    """Bill the compound for ``years`` (with the services) and record, in bulk, the payments that tell how they
    were paid; returns the number of payments written (0 when done before).

    A fee standard from delivery is set first when the compound has none. Bills that already have payments (the
    demo owner's) are left alone. Payments get the compound's next receipt numbers (the counters move on), each
    bill its paid amount and status, each payment its audit event — as ``payment_record`` writes them.
    """
    from gongzhi.core.audit import audit_record
    from gongzhi.core.models import AuditEvent
    from gongzhi.estates.ledger.bulk import RowInserter, RowUpdater

    from .models import BillStatus, Payment, ReceiptCounter
    from .services.payments import receipt_format

    cid = compound.community_id
    if AuditEvent.objects.filter(community_id=cid, verb=HISTORY_VERB, object_id=str(compound.pk)).exists():
        return 0
    if not FeeStandard.objects.filter(compound=compound).exists():
        services.fee_standard_set(
            actor=keeper,
            compound=compound,
            rate=rate,
            vacant_percent=70,
            effective_from=fees_start(compound),
            note="业主大会通过的收费标准",
        )
    for year in years:
        services.bills_generate(actor=keeper, compound=compound, period=year.period)
    rng = random.Random(seed)  # noqa: S311 - a repeatable demo, not a secret
    today = timezone.localdate()
    paid_bills = set(Payment.objects.filter(community_id=cid, compound=compound).values_list("bill_id", flat=True))
    planned: list[tuple[Bill, datetime.date]] = []
    for year in years:
        bills = Bill.objects.filter(community_id=cid, compound=compound, period=year.period).order_by("id")
        for bill in bills:
            if bill.pk in paid_bills or bill.outstanding <= 0:
                continue
            start = max(bill.period_start, compound.delivered_on or bill.period_start)
            end = min(bill.period_end, today)
            if start < end and rng.random() < year.current:
                planned.append((bill, _pay_day(rng, start, end, early=True)))
                continue
            for k, share in enumerate(year.later, start=1):
                later_start = datetime.date(bill.period_start.year + k, 1, 1)
                later_end = min(datetime.date(bill.period_start.year + k + 1, 1, 1), today)
                if later_start < later_end and rng.random() < share:
                    planned.append((bill, _pay_day(rng, later_start, later_end, early=False)))
                    break
    if not planned:
        return 0
    planned.sort(key=lambda p: (p[1], p[0].pk))
    counters: dict[int, ReceiptCounter] = {}
    taken = set(Payment.objects.filter(community_id=cid, compound=compound).values_list("receipt_no", flat=True))
    now = timezone.now()
    payments: list[tuple[Any, ...]] = []
    for bill, day in planned:
        counter = counters.get(day.year)
        if counter is None:
            counter, _made = ReceiptCounter.objects.get_or_create(community_id=cid, compound=compound, year=day.year)
            counters[day.year] = counter
        counter.last += 1
        while receipt_format(day.year, counter.last) in taken:
            counter.last += 1
        amount = bill.outstanding
        bill.paid += amount
        bill.status = BillStatus.PAID
        payments.append(
            (cid, compound.pk, bill.pk, bill.house_id, amount, rng.choice(CHANNELS),
             receipt_format(day.year, counter.last), day, "", keeper.pk, now)
        )  # fmt: skip
    ids = RowInserter(
        Payment,
        ("community", "compound", "bill", "house", "amount", "channel", "receipt_no", "paid_on", "note",
         "recorded_by", "created_at"),
    ).insert(payments, returning=True)  # fmt: skip
    RowUpdater(Bill, ("paid", "status", "updated_at")).update((b.paid, b.status, now, b.pk) for b, _day in planned)
    for counter in counters.values():
        counter.save(update_fields=["last"])
    RowInserter(AuditEvent, ("community", "actor", "verb", "object_type", "object_id", "before", "after", "at")).insert(
        (cid, keeper.pk, "payment.record", "finance.payment", str(pid), {"status": BillStatus.UNPAID, "paid": "0.00"},
         {"bill": b.pk, "status": BillStatus.PAID, "paid": str(b.paid), "amount": str(row[4]), "channel": row[5],
          "receipt_no": row[6], "paid_on": row[7].isoformat()}, now)
        for pid, (b, _day), row in zip(ids, planned, payments, strict=True)
    )  # fmt: skip
    audit_record(
        actor=keeper,
        verb=HISTORY_VERB,
        object_type="estates.compound",
        object_id=compound.pk,
        community_id=cid,
        after={"periods": [y.period for y in years], "payments": len(ids)},
    )
    return len(ids)
