"""Every role in the world × every fee action and read.

Finance staff and the property manager of compound A's company keep its fees; only the manager approves
refunds and reductions; community staff, representatives and supervisors read the collection figures and the
published statements; the resident reads their own house's bills and the compound's published statements;
everyone else (customer service, technicians, outside organizations, an applicant whose binding is pending,
a stranger, the anonymous visitor) nothing.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from gongzhi.core.errors import DomainError, NotAllowed, NotFound
from gongzhi.finance import selectors
from gongzhi.finance import services as s
from gongzhi.finance.models import Bill
from gongzhi.testing.world import ALL_ROLES

pytestmark = pytest.mark.django_db
D = datetime.date

KEEPERS = {"finance", "property_manager", "superuser"}
APPROVERS = {"property_manager", "superuser"}
READERS = KEEPERS | {
    "secretary",
    "grid_worker",
    "community_staff",
    "representative",
    "sub_district_supervisor",
    "district_supervisor",
}

EXPECTED: dict[str, set[str]] = {
    # writes
    "fee_standard_set": KEEPERS,
    "commitment_add": KEEPERS,
    "bills_preview": KEEPERS,
    "bills_generate": KEEPERS,
    "bill_create": KEEPERS,
    "bill_cancel": KEEPERS,
    "bill_reduce": KEEPERS,
    "approve_reduction": APPROVERS,
    "payment_record": KEEPERS,
    "refund_request": KEEPERS,
    "refund_decide": APPROVERS,
    "refund_pay": KEEPERS,
    "statement_create": KEEPERS,
    "statement_line_add": KEEPERS,
    "statement_publish": KEEPERS,
    "statement_correct": KEEPERS,
    # reads
    "view_own_bill": KEEPERS | {"resident"},
    "view_house_bills": KEEPERS | {"resident"},
    "view_payment": KEEPERS | {"resident"},
    "view_neighbours_bill": KEEPERS,  # house_a2: the applicant's binding is still pending
    "list_compound_bills": KEEPERS,
    "dunning_list": KEEPERS,
    "refunds_to_decide": APPROVERS,
    "collection_figures": READERS,
    "view_published_statement": READERS | {"resident"},
    "list_statements": READERS | {"resident"},
    "view_draft_statement": KEEPERS,
    "fee_standards": READERS | {"resident"},
    "commitments": READERS | {"resident"},
}


def _actions(world: Any) -> dict[str, Callable[[Any], Any]]:
    u = world.users
    keeper, manager, compound = u["finance"], u["property_manager"], world.compound_a
    months = itertools.count(1)

    def next_month() -> D:
        n = next(months)
        return D(2030 + n // 12, n % 12 + 1, 1)

    quarters = itertools.count(0)
    bill_months = itertools.count(0)

    def next_bill_period() -> str:
        n = next(bill_months)
        return f"{2024 + n // 12}-{n % 12 + 1:02d}"

    def next_quarter() -> str:
        return f"{2001 + next(quarters)}Q1"

    s.fee_standard_set(actor=keeper, compound=compound, rate="2.00", effective_from=D(2020, 1, 1))

    def bill(house: Any = None) -> Bill:
        return s.bill_create(actor=keeper, house=house or world.house_a, period=next_bill_period(), amount_due="100")

    def payment() -> Any:
        return s.payment_record(actor=keeper, bill=bill(), amount="100", channel="cash", paid_on=D(2025, 1, 1))

    def refund(approved: bool = False) -> Any:
        r = s.refund_request(actor=keeper, payment=payment(), amount="10", reason="多收")
        if approved:
            s.refund_decide(actor=manager, refund=r, approve=True)
        return r

    def statement(published: bool = False) -> Any:
        st = s.statement_create(actor=keeper, compound=compound, period=next_quarter())
        s.statement_line_add(actor=keeper, statement=st, category="fees", item="物业费", amount="100")
        if published:
            s.statement_publish(actor=keeper, statement=st)
        return st

    neighbours = bill(world.house_a2)
    return {
        "fee_standard_set": lambda a: s.fee_standard_set(
            actor=a, compound=compound, rate="2.10", effective_from=next_month()
        ),
        "commitment_add": lambda a: s.commitment_add(actor=a, compound=compound, title="电梯每月维保"),
        "bills_preview": lambda a: s.bills_generate(actor=a, compound=compound, period="2024", dry_run=True),
        "bills_generate": lambda a: s.bills_generate(actor=a, compound=compound, period="2024-05"),
        "bill_create": lambda a: s.bill_create(actor=a, house=world.house_a, period=next_bill_period(), amount_due="1"),
        "bill_cancel": lambda a: s.bill_cancel(actor=a, bill=bill(), reason="录错"),
        "bill_reduce": lambda a: s.bill_reduce(actor=a, bill=bill(), amount="1", reason="减免", approver=manager),
        "approve_reduction": lambda a: s.bill_reduce(
            actor=keeper, bill=bill(), amount="1", reason="减免", approver=a if a.is_authenticated else None
        ),
        "payment_record": lambda a: s.payment_record(
            actor=a, bill=bill(), amount="1", channel="wechat", paid_on=D(2025, 1, 1)
        ),
        "refund_request": lambda a: s.refund_request(actor=a, payment=payment(), amount="1", reason="多收"),
        "refund_decide": lambda a: s.refund_decide(actor=a, refund=refund(), approve=True),
        "refund_pay": lambda a: s.refund_pay(actor=a, refund=refund(approved=True)),
        "statement_create": lambda a: s.statement_create(actor=a, compound=compound, period=next_quarter()),
        "statement_line_add": lambda a: s.statement_line_add(
            actor=a, statement=statement(), category="parking", item="停车费", amount="5"
        ),
        "statement_publish": lambda a: s.statement_publish(actor=a, statement=statement()),
        "statement_correct": lambda a: s.statement_correct(actor=a, statement=statement(published=True), reason="更正"),
        "view_own_bill": lambda a: selectors.bill_get(user=a, pk=bill().pk),
        "view_house_bills": lambda a: selectors.bills_of_house(user=a, house=world.house_a),
        "view_payment": lambda a: selectors.payment_get(user=a, pk=payment().pk),
        "view_neighbours_bill": lambda a: selectors.bill_get(user=a, pk=neighbours.pk),
        "list_compound_bills": lambda a: selectors.bills_of_compound(user=a, compound=compound),
        "dunning_list": lambda a: selectors.dunning_list(user=a, compound=compound, at=D(2025, 6, 1)),
        "refunds_to_decide": lambda a: _nonempty(selectors.refunds_to_decide(user=a), refund),
        "collection_figures": lambda a: selectors.collection_figures(user=a, compounds=[compound], period="2025"),
        "view_published_statement": lambda a: selectors.statement_get(user=a, pk=statement(published=True).pk),
        "list_statements": lambda a: selectors.statements_of(user=a, compound=compound),
        "view_draft_statement": lambda a: selectors.statement_get(user=a, pk=statement().pk),
        "fee_standards": lambda a: selectors.fee_standards_in_force(user=a, compound=compound, at=D(2025, 1, 1)),
        "commitments": lambda a: selectors.commitments_of(user=a, compound=compound),
    }


def _nonempty(qs: Any, make: Callable[[], Any]) -> None:
    wanted = make()
    if wanted not in list(qs):
        raise NotAllowed("not listed")


@pytest.mark.parametrize("action", list(EXPECTED))
def test_matrix(world: Any, action: str) -> None:
    run = _actions(world)[action]
    allowed = set()
    for role in ALL_ROLES:
        actor = world.users[role] or AnonymousUser()
        try:
            run(actor)
        except (NotAllowed, NotFound):
            continue
        except DomainError as refused:  # an approver who may not approve is a field error on "approver"
            assert action == "approve_reduction" and refused.field == "approver", (role, refused.message)
            continue
        allowed.add(role)
    assert allowed == EXPECTED[action], f"{action}: allowed {sorted(allowed)}"


def test_every_role_of_the_world_is_in_the_matrix() -> None:
    everyone = set().union(*EXPECTED.values())
    assert everyone <= set(ALL_ROLES)
    assert {"customer_service", "technician", "liaison", "officer", "lawyer", "applicant", "stranger"}.isdisjoint(
        everyone
    )


def test_a_resident_does_not_read_another_households_bills(world: Any) -> None:
    # given bills of the resident's house (house_a) and of the neighbours' (house_a2)
    keeper, resident = world.users["finance"], world.users["resident"]
    own = s.bill_create(actor=keeper, house=world.house_a, period="2025", amount_due="100")
    other = s.bill_create(actor=keeper, house=world.house_a2, period="2025", amount_due="100")
    paid = s.payment_record(actor=keeper, bill=other, amount="50", channel="cash", paid_on=D(2025, 1, 1))
    # then the resident's lists hold only their own, and the neighbours' bill is refused (403)
    assert list(selectors.bills_visible(user=resident)) == [own]
    assert list(selectors.bills_of_resident(user=resident)) == [own]
    assert list(selectors.payments_visible(user=resident)) == []
    with pytest.raises(NotAllowed):
        selectors.bill_get(user=resident, pk=other.pk)
    with pytest.raises(NotAllowed):
        selectors.bills_of_house(user=resident, house=world.house_a2)
    with pytest.raises(NotAllowed):
        selectors.payment_get(user=resident, pk=paid.pk)
    with pytest.raises(NotFound):
        selectors.bill_get(user=resident, pk=other.pk + 1000)


def test_compound_b_is_out_of_reach_of_compound_a_staff(world: Any) -> None:
    su = world.users["superuser"]
    s.fee_standard_set(actor=su, compound=world.compound_b, rate="2", effective_from=D(2024, 1, 1))
    bill = s.bill_create(actor=su, house=world.house_b, period="2025", amount_due="100")
    for role in ALL_ROLES:
        user = world.users[role] or AnonymousUser()
        visible = selectors.bills_visible(user=user).filter(pk=bill.pk).exists()
        assert visible == (role == "superuser"), role
        reads_figures = role in {"superuser", "sub_district_supervisor", "district_supervisor"}
        try:
            selectors.collection_figures(user=user, compounds=[world.compound_b], period="2025")
            assert reads_figures, role
        except NotAllowed:
            assert not reads_figures, role
        if role != "superuser":
            with pytest.raises(NotAllowed):
                s.payment_record(actor=user, bill=bill, amount="1", channel="cash", paid_on=D(2025, 1, 1))
