"""Factories for property fees and published accounts (tests only).

Rows written straight to the tables (no service), for KPI datasets and selectors; ``bill`` keeps a bill's
``paid`` / ``reduction`` totals in step with the dated rows the KPIs read.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory

from gongzhi.estates.models import House
from gongzhi.finance.models import (
    Bill,
    BillStatus,
    Channel,
    FeeStandard,
    Payment,
    Reduction,
    Refund,
    RefundStatus,
    Statement,
    StatementLine,
    StatementStatus,
)
from gongzhi.finance.periods import Period

from .factories import CompoundFactory, HouseFactory, UserFactory


class FeeStandardFactory(factory.django.DjangoModelFactory[FeeStandard]):
    class Meta:
        model = FeeStandard

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    rate = Decimal("2.50")
    vacant_percent = 70
    effective_from = datetime.date(2024, 1, 1)


class BillFactory(factory.django.DjangoModelFactory[Bill]):
    """A bill for ``period`` (default 2025); pass ``house`` (its compound and community follow)."""

    class Meta:
        model = Bill

    class Params:
        billing = factory.LazyAttribute(lambda o: Period.parse(o.period))

    house = factory.SubFactory(HouseFactory)
    compound = factory.SelfAttribute("house.compound")
    community = factory.SelfAttribute("house.community")
    period = "2025"
    period_start = factory.LazyAttribute(lambda o: o.billing.start)
    period_end = factory.LazyAttribute(lambda o: o.billing.end)
    area = factory.SelfAttribute("house.area")
    amount_due = Decimal("1000.00")
    status = BillStatus.UNPAID


def bill(house: House, period: str, amount_due: str) -> Bill:
    return BillFactory.create(house=house, period=period, amount_due=Decimal(amount_due))


def _settle(b: Bill) -> None:
    receivable = b.amount_due - b.reduction
    b.status = (
        BillStatus.UNPAID
        if b.paid <= 0 and receivable > 0
        else BillStatus.PAID
        if b.paid >= receivable
        else BillStatus.PARTIAL
    )
    b.save(update_fields=["paid", "reduction", "status"])


_receipts = iter(range(1, 10**9))


def pay(b: Bill, amount: str, on: datetime.date, *, receipt_no: str = "", channel: str = Channel.WECHAT) -> Payment:
    """A payment dated ``on`` (the bill's ``paid`` follows)."""
    payment = Payment.objects.create(
        community_id=b.community_id,
        compound_id=b.compound_id,
        bill=b,
        house_id=b.house_id,
        amount=Decimal(amount),
        channel=channel,
        receipt_no=receipt_no or f"T{next(_receipts):08d}",
        paid_on=on,
    )
    b.paid += payment.amount
    _settle(b)
    return payment


def reduce(b: Bill, amount: str, on: datetime.date, *, approver: Any = None, reason: str = "困难家庭") -> Reduction:
    """An approved reduction dated ``on`` (the bill's ``reduction`` follows)."""
    reduction = Reduction.objects.create(
        community_id=b.community_id,
        compound_id=b.compound_id,
        bill=b,
        house_id=b.house_id,
        amount=Decimal(amount),
        reason=reason,
        approver=approver or UserFactory.create(),
        approved_on=on,
    )
    b.reduction += reduction.amount
    _settle(b)
    return reduction


def refund_paid(payment: Payment, amount: str, on: datetime.date) -> Refund:
    """A refund of ``payment`` approved and paid out on ``on`` (the bill's ``paid`` follows)."""
    b = payment.bill
    refund = Refund.objects.create(
        community_id=b.community_id,
        compound_id=b.compound_id,
        bill=b,
        payment=payment,
        house_id=b.house_id,
        amount=Decimal(amount),
        reason="重复缴费",
        status=RefundStatus.PAID,
        paid_on=on,
    )
    b.paid -= refund.amount
    _settle(b)
    return refund


class StatementFactory(factory.django.DjangoModelFactory[Statement]):
    class Meta:
        model = Statement

    class Params:
        covering = factory.LazyAttribute(lambda o: Period.parse(o.period))

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    period = "2025Q1"
    period_start = factory.LazyAttribute(lambda o: o.covering.start)
    period_end = factory.LazyAttribute(lambda o: o.covering.end)
    status = StatementStatus.DRAFT


class StatementLineFactory(factory.django.DjangoModelFactory[StatementLine]):
    class Meta:
        model = StatementLine

    statement = factory.SubFactory(StatementFactory)
    community = factory.SelfAttribute("statement.community")
    kind = "income"
    category = "fees"
    item = "物业费收入"
    amount = Decimal("1000.00")
