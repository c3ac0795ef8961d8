"""Bills, refunds and statements move only along their TRANSITIONS tables; anything else is a Conflict (409)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import models

from gongzhi.core.errors import Conflict
from gongzhi.finance.models import (
    Bill,
    BillStatus,
    Refund,
    RefundStatus,
    Statement,
    StatementStatus,
)
from gongzhi.finance.services import bill_cancel, payment_record, refund_decide, refund_pay, refund_request
from gongzhi.finance.services._common import move

from .helpers import finance_state

MACHINES: list[tuple[type[models.Model], type[models.TextChoices]]] = [
    (Bill, BillStatus),
    (Refund, RefundStatus),
    (Statement, StatementStatus),
]
PAIRS = [(model, labels, a, b) for model, labels in MACHINES for a in labels.values for b in labels.values]


@pytest.mark.parametrize(("model", "labels"), MACHINES)
def test_every_status_has_a_row_in_its_table(model: Any, labels: Any) -> None:
    assert set(model.TRANSITIONS) == set(labels.values)
    assert all(set(targets) <= set(labels.values) for targets in model.TRANSITIONS.values())


@pytest.mark.parametrize(
    ("model", "labels", "start", "to"), PAIRS, ids=[f"{m.__name__}:{a}->{b}" for m, _l, a, b in PAIRS]
)
def test_a_move_is_allowed_exactly_when_the_table_says_so(model: Any, labels: Any, start: str, to: str) -> None:
    obj = model(status=start)
    if to in model.TRANSITIONS[start]:
        assert move(obj, to, transitions=model.TRANSITIONS, labels=labels) == start
        assert obj.status == to
    else:
        with pytest.raises(Conflict) as refused:
            move(obj, to, transitions=model.TRANSITIONS, labels=labels)
        assert refused.value.code == "illegal_transition"
        assert obj.status == start


def test_terminal_states_are_final() -> None:
    assert Bill.TRANSITIONS[BillStatus.CANCELLED] == frozenset()
    assert Refund.TRANSITIONS[RefundStatus.PAID] == frozenset() == Refund.TRANSITIONS[RefundStatus.REFUSED]
    assert Statement.TRANSITIONS[StatementStatus.CORRECTED] == frozenset()
    # a published statement only ever becomes "corrected"; it never goes back to a draft
    assert Statement.TRANSITIONS[StatementStatus.PUBLISHED] == {StatementStatus.CORRECTED}


@pytest.mark.django_db
def test_a_bill_walks_unpaid_partial_paid_and_back_with_a_refund(
    world: Any, keeper: Any, manager: Any, a_bill: Any
) -> None:
    bill = a_bill("100.00")
    seen = [bill.status]
    payment_record(actor=keeper, bill=bill, amount="40", channel="cash", paid_on=datetime.date(2025, 1, 1))
    bill.refresh_from_db()
    seen.append(bill.status)
    last = payment_record(actor=keeper, bill=bill, amount="60", channel="cash", paid_on=datetime.date(2025, 1, 2))
    bill.refresh_from_db()
    seen.append(bill.status)
    refund = refund_request(actor=keeper, payment=last, amount="60", reason="多收")
    refund_decide(actor=manager, refund=refund, approve=True)
    refund_pay(actor=keeper, refund=refund)
    bill.refresh_from_db()
    seen.append(bill.status)
    assert seen == [BillStatus.UNPAID, BillStatus.PARTIAL, BillStatus.PAID, BillStatus.PARTIAL]
    # a decided refund is not decided again
    before = finance_state()
    with pytest.raises(Conflict):
        refund_decide(actor=manager, refund=refund, approve=False, note="改主意")
    with pytest.raises(Conflict):
        bill_cancel(actor=keeper, bill=bill, reason="已有缴费")
    assert finance_state() == before
