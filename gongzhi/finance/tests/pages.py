"""Data for the staff fee page tests: compound A of the role world with a standard, bills, a payment and refunds."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from gongzhi.finance import services as s
from gongzhi.finance.models import Bill, Payment, Refund, ServiceCommitment
from gongzhi.finance.services.generation import bills_generate_queue

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
SUPERVISORS = {"sub_district_supervisor", "district_supervisor", "superuser"}


@dataclass
class Fees:
    bill_a: Bill
    bill_a2: Bill
    bill_b: Bill
    payment: Payment
    requested: Refund  # asked for by the finance staff, waiting for the property manager
    approved: Refund  # approved by the property manager, waiting to be paid out
    commitment: ServiceCommitment
    run: str


def build_fees(world: Any, capture: Any) -> Fees:
    """Compound A: ¥2.50/m²/month from 2024 (70% vacant), bills of 2025 for both houses (¥1000 and ¥800), ¥300
    paid on house_a's, two refund requests; compound B: one bill; and a generation run of 2025-01 done."""
    keeper, manager, root = world.users["finance"], world.users["property_manager"], world.users["superuser"]
    compound = world.compound_a
    s.fee_standard_set(actor=keeper, compound=compound, rate="2.50", vacant_percent=70, effective_from=D(2024, 1, 1))
    commitment = s.commitment_add(actor=keeper, compound=compound, title="电梯每月维保")
    bill_a = s.bill_create(actor=keeper, house=world.house_a, period="2025", amount_due="1000.00")
    bill_a2 = s.bill_create(actor=keeper, house=world.house_a2, period="2025", amount_due="800.00")
    bill_b = s.bill_create(actor=root, house=world.house_b, period="2025", amount_due="500.00")
    payment = s.payment_record(actor=keeper, bill=bill_a, amount="300.00", channel="wechat", paid_on=D(2025, 1, 5))
    requested = s.refund_request(actor=keeper, payment=payment, amount="10.00", reason="多收")
    approved = s.refund_request(actor=keeper, payment=payment, amount="5.00", reason="重复")
    s.refund_decide(actor=manager, refund=approved, approve=True)
    with capture(execute=True):
        run = bills_generate_queue(actor=keeper, compound=compound, period="2025-01")
    return Fees(bill_a, bill_a2, bill_b, payment, requested, approved, commitment, run)


def get_pages(world: Any, fees: Fees) -> dict[str, tuple[str, set[str]]]:
    """Every staff GET page → (url, roles that get it)."""
    a, b = world.compound_a.code, world.compound_b.code
    return {
        "index": (reverse("finance:index"), READERS),
        "figures": (reverse("finance:figures"), READERS),
        "figures A": (reverse("finance:figures_compound", args=[a]), READERS),
        "figures B": (reverse("finance:figures_compound", args=[b]), SUPERVISORS),
        "standards A": (reverse("finance:standards", args=[a]), READERS | {"resident"}),
        "standards B": (reverse("finance:standards", args=[b]), SUPERVISORS),
        "billing A": (reverse("finance:billing", args=[a]) + "?period=2025-02", KEEPERS),
        "billing run A": (reverse("finance:billing_run", args=[a, fees.run]), KEEPERS),
        "billing progress A": (reverse("finance:billing_progress", args=[a, fees.run]), set()),  # done: redirects
        "bills A": (reverse("finance:bill_list", args=[a]), KEEPERS),
        "bills B": (reverse("finance:bill_list", args=[b]), {"superuser"}),
        "bill a": (reverse("finance:bill_detail", args=[fees.bill_a.pk]), KEEPERS),
        "bill b": (reverse("finance:bill_detail", args=[fees.bill_b.pk]), {"superuser"}),
        "receipt": (reverse("finance:receipt_pdf", args=[fees.payment.pk]), KEEPERS | {"resident"}),
        "arrears A": (reverse("finance:arrears", args=[a]), KEEPERS),
        "arrears export A": (reverse("finance:arrears_export", args=[a]), KEEPERS),
    }


def post_actions(world: Any, fees: Fees) -> dict[str, tuple[str, dict[str, str], set[str]]]:
    """Every staff POST → (url, data, roles it succeeds for)."""
    a = world.compound_a.code
    manager = world.users["property_manager"]
    return {
        "standard_new": (
            reverse("finance:standard_new", args=[a]),
            {"house_type": "residential", "rate": "2.80", "vacant_percent": "70", "effective_from": "2030-01"},
            KEEPERS,
        ),
        "commitment_new": (reverse("finance:commitment_new", args=[a]), {"title": "绿化每周修剪"}, KEEPERS),
        "commitment_retire": (reverse("finance:commitment_retire", args=[a, fees.commitment.pk]), {}, KEEPERS),
        "billing_confirm": (reverse("finance:billing_confirm", args=[a]), {"period": "2025-02"}, KEEPERS),
        "bill_pay": (
            reverse("finance:bill_pay", args=[fees.bill_a.pk]),
            {"amount": "100", "channel": "cash", "paid_on": "2025-02-01"},
            KEEPERS,
        ),
        "bill_reduce": (
            reverse("finance:bill_reduce", args=[fees.bill_a.pk]),
            {"amount": "50", "reason": "困难户", "approver": str(manager.pk), "approved_on": "2025-02-01"},
            KEEPERS,
        ),
        "refund_new": (
            reverse("finance:refund_new", args=[fees.payment.pk]),
            {f"refund-{fees.payment.pk}-amount": "20", f"refund-{fees.payment.pk}-reason": "多收"},
            KEEPERS,
        ),
        "refund_decide": (
            reverse("finance:refund_decide", args=[fees.requested.pk]),
            {f"decide-{fees.requested.pk}-decision": "approve"},
            APPROVERS,
        ),
        "refund_pay": (
            reverse("finance:refund_pay", args=[fees.approved.pk]),
            {f"pay-{fees.approved.pk}-paid_on": "2025-03-01"},
            KEEPERS,
        ),
        "arrears_remind": (reverse("finance:arrears_remind", args=[a]), {}, KEEPERS),
    }
