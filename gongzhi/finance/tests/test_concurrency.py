"""Receipt numbers stay sequential and gap-free, and a bill is never overpaid, when staff record payments at the
same moment (PostgreSQL: real row locks); a rolled-back payment gives its number back (any database)."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections, transaction

from gongzhi.core.errors import DomainError
from gongzhi.finance.models import Bill, Payment
from gongzhi.finance.services import bill_create, payment_record
from gongzhi.testing.factories import HouseFactory

D = datetime.date
pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


def _at_once(jobs: list[Callable[[], Any]]) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def run(job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            job()
            outcomes.append("ok")
        except DomainError as refused:
            outcomes.append(refused.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pg_only
def test_receipt_numbers_have_no_gaps_or_doubles_under_concurrency(world: Any) -> None:
    # given eight bills of compound A, and no receipt issued yet in 2025
    keeper, manager = world.users["finance"], world.users["property_manager"]
    houses = [HouseFactory.create(unit=world.house_a.unit, room=f"5{i:02d}", floor=5) for i in range(8)]
    bills = [bill_create(actor=keeper, house=h, period="2025", amount_due="100") for h in houses]

    # when eight payments are recorded at the same moment by two people
    def job(bill: Bill, actor: Any) -> Callable[[], Any]:
        return lambda: payment_record(actor=actor, bill=bill.pk, amount="100", channel="wechat", paid_on=D(2025, 3, 1))

    outcomes = _at_once([job(b, keeper if i % 2 else manager) for i, b in enumerate(bills)])
    # then all succeed with the numbers 1..8 of 2025, each once
    assert outcomes == ["ok"] * 8
    numbers = sorted(Payment.objects.values_list("receipt_no", flat=True))
    assert numbers == [f"SJ2025-{n:06d}" for n in range(1, 9)]


@pytest.mark.django_db(transaction=True)
@pg_only
def test_two_payments_at_once_never_overpay_a_bill(world: Any) -> None:
    keeper, manager = world.users["finance"], world.users["property_manager"]
    bill = bill_create(actor=keeper, house=world.house_a, period="2025", amount_due="1000")

    def job(actor: Any) -> Callable[[], Any]:
        return lambda: payment_record(actor=actor, bill=bill.pk, amount="600", channel="cash", paid_on=D(2025, 3, 1))

    outcomes = _at_once([job(keeper), job(manager)])
    assert sorted(outcomes) == ["ok", "overpayment"]
    bill.refresh_from_db()
    assert bill.paid == Decimal("600.00")
    assert list(Payment.objects.values_list("receipt_no", flat=True)) == ["SJ2025-000001"]


@pytest.mark.django_db
def test_a_rolled_back_payment_gives_its_number_back(world: Any) -> None:
    keeper = world.users["finance"]
    bill = bill_create(actor=keeper, house=world.house_a, period="2025", amount_due="1000")
    # given a payment whose surrounding transaction fails after the number was issued
    with pytest.raises(RuntimeError), transaction.atomic():
        issued = payment_record(actor=keeper, bill=bill, amount="10", channel="cash", paid_on=D(2025, 3, 1))
        assert issued.receipt_no == "SJ2025-000001"
        raise RuntimeError("the caller's transaction fails")
    # then the next payment gets that same number: no gap
    again = payment_record(actor=keeper, bill=bill, amount="10", channel="cash", paid_on=D(2025, 3, 1))
    assert again.receipt_no == "SJ2025-000001"
