"""The bills list (search, filters, pages) and a bill's page: payments, reductions and refunds, with bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.finance.models import Bill, BillStatus, Payment, Reduction, Refund, RefundStatus
from gongzhi.finance.services import bill_cancel, payment_record, refund_decide, refund_request
from gongzhi.testing.factories import HouseFactory

from .helpers import finance_state

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = datetime.datetime(2025, 6, 15, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _june_2025():
    with time_machine.travel(TODAY, tick=False):
        yield


def _bills_url(world, **query):
    url = reverse("finance:bill_list", args=[world.compound_a.code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _rooms(response):
    return [b.house.room for b in response.context["page"].object_list]


# --- The list -------------------------------------------------------------------------------------------------


@pytest.fixture
def listed(world, a_bill, keeper):
    """Compound A: 101 owes 2024 (unpaid) and 2025 (partly paid), 102 paid 2025; 1栋/2栋 for the building search."""
    other = HouseFactory.create(unit__building__compound=world.compound_a, unit__building__name="2栋", room="201")
    old = a_bill("500.00", period="2024")
    new = a_bill("1000.00")
    paid = a_bill("800.00", house=world.house_a2)
    payment_record(actor=keeper, bill=new, amount="100", channel="cash", paid_on=D(2025, 2, 1))
    payment_record(actor=keeper, bill=paid, amount="800", channel="cash", paid_on=D(2025, 2, 1))
    return {"old": old, "new": new, "paid": paid, "other": a_bill("600.00", house=other)}


def test_the_list_searches_by_building_and_room_and_filters_by_period_status_and_arrears(
    world, client_for, keeper, listed
):
    client = client_for(keeper)
    # every bill of the compound
    assert len(client.get(_bills_url(world)).context["page"].object_list) == 4
    # search by room, by building, by both words
    assert _rooms(client.get(_bills_url(world, q="102"))) == ["102"]
    assert _rooms(client.get(_bills_url(world, q="2栋"))) == ["201"]
    building = world.house_a.building.name
    assert sorted(_rooms(client.get(_bills_url(world, q=f"{building}+101")))) == ["101", "101"]
    # filters: period, status, only bills with money due
    assert sorted(_rooms(client.get(_bills_url(world, period="2024")))) == ["101"]
    assert _rooms(client.get(_bills_url(world, status="partial"))) == ["101"]
    due = client.get(_bills_url(world, arrears="on"))
    assert sorted(b.pk for b in due.context["page"].object_list) == sorted(
        [listed["old"].pk, listed["new"].pk, listed["other"].pk]
    )
    assert "3 bills found." in due.content.decode()
    # a search that matches nothing says so
    assert "No bill matches these filters." in client.get(_bills_url(world, q="999")).content.decode()


def test_a_bad_filter_is_reported_and_the_others_still_apply(world, client_for, keeper, listed):
    response = client_for(keeper).get(_bills_url(world, period="1999", q="102"))
    assert list(response.context["form"].errors) == ["period"]
    assert _rooms(response) == ["102"]


def test_the_list_has_pages_that_keep_the_filters(world, client_for, keeper, listed, monkeypatch):
    # given two bills a page
    monkeypatch.setattr("gongzhi.finance.views.bills.BILLS_PER_PAGE", 2)
    client = client_for(keeper)
    # when the first page of the bills with money due is shown
    first = client.get(_bills_url(world, arrears="on"))
    # then it links to page 2 with the filter kept, and page 2 holds the third bill
    assert 'href="?arrears=on&amp;page=2"' in first.content.decode()
    second = client.get(_bills_url(world, arrears="on", page="2"))
    assert len(second.context["page"].object_list) == 1
    shown = {b.pk for b in first.context["page"].object_list} | {b.pk for b in second.context["page"].object_list}
    assert shown == {listed["old"].pk, listed["new"].pk, listed["other"].pk}


def _list_queries(client, world) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(_bills_url(world)).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_costs_the_same_queries_however_many_bills(world, client_for, keeper, a_bill):
    # given two bills
    client = client_for(keeper)
    a_bill("100.00")
    a_bill("100.00", house=world.house_a2)
    few = _list_queries(client, world)
    # when eight more houses with bills in other buildings and periods appear
    for i in range(8):
        house = HouseFactory.create(unit__building__compound=world.compound_a, unit__building__name=f"新{i}栋")
        a_bill("100.00", house=house, period="2024-0" + str(i + 1))
    # then the page costs the same
    assert _list_queries(client, world) == few


# --- Payments -------------------------------------------------------------------------------------------------


def _pay(client, bill, **data):
    form = {"amount": "100", "channel": "wechat", "paid_on": "2025-06-01", "receipt_no": "", "note": "", **data}
    return client.post(reverse("finance:bill_pay", args=[bill.pk]), form)


def test_partial_payments_then_the_rest_with_numbered_receipts(world, client_for, keeper, a_bill):
    # given a bill of ¥1,000.00
    bill = a_bill("1000.00")
    client = client_for(keeper)
    # when ¥400 is paid in cash, without a receipt number
    response = _pay(client, bill, amount="400", channel="cash")
    # then the bill is partly paid, the receipt number is issued, and the page says so
    assert response.status_code == 302
    bill.refresh_from_db()
    assert (bill.paid, bill.status) == (Decimal("400.00"), BillStatus.PARTIAL)
    first = Payment.objects.get(bill=bill)
    assert first.receipt_no == "SJ2025-000001" and first.channel == "cash"
    page = client.get(response["Location"]).content.decode()
    assert "Payment of ¥400.00 recorded; receipt SJ2025-000001." in page
    assert '<div class="kpi" id="bill-outstanding">¥600.00</div>' in page
    assert reverse("finance:receipt_pdf", args=[first.pk]) in page
    # when the remaining ¥600 is paid with the paper receipt's number
    _pay(client, bill, amount="600.00", receipt_no="A-0099")
    # then the bill is paid and the payment form is gone
    bill.refresh_from_db()
    assert (bill.paid, bill.status) == (Decimal("1000.00"), BillStatus.PAID)
    page = client.get(reverse("finance:bill_detail", args=[bill.pk])).content.decode()
    assert "A-0099" in page and 'id="payment-form"' not in page and "This bill is paid in full." in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "-100"}, "amount", "An amount cannot be negative."),
        ({"amount": "一百"}, "amount", "Enter an amount in yuan, such as 1234.50."),
        ({"amount": "0"}, "amount", "Enter an amount greater than zero."),
        ({"amount": "10.005"}, "amount", "An amount has at most two decimals (fen)."),
        ({"amount": "1000.01"}, "amount", "The payment is larger than what remains due (¥1,000.00)."),
        ({"amount": ""}, "amount", None),
        (
            {"receipt_no": "SJ2025-000001"},
            "receipt_no",
            "Receipt number SJ2025-000001 is already used in this compound.",
        ),
        ({"paid_on": "2025-06-16"}, "paid_on", None),  # tomorrow
        ({"paid_on": "15/06/2025x"}, "paid_on", None),
        ({"channel": "bitcoin"}, "channel", None),
    ],
)
def test_a_bad_payment_is_refused_with_the_reason_and_nothing_changes(
    world, client_for, keeper, a_bill, data, field, message
):
    # given a bill of ¥1,000.00 and, in another bill of the compound, receipt SJ2025-000001
    bill = a_bill("1000.00")
    other = a_bill("50.00", house=world.house_a2)
    payment_record(actor=keeper, bill=other, amount="10", channel="cash", paid_on=D(2025, 1, 2))
    client = client_for(keeper)
    before = finance_state()
    # when a payment with one bad value is sent
    response = _pay(client, bill, **data)
    # then the bill page shows the reason on that field and nothing changed
    assert response.status_code == 200
    assert list(response.context["payment_form"].errors) == [field]
    if message is not None:
        assert message in response.content.decode()
    assert finance_state() == before


def test_a_payment_for_a_bill_that_does_not_exist_is_not_found(world, client_for, keeper):
    before = finance_state()
    response = client_for(keeper).post(
        reverse("finance:bill_pay", args=[999999]), {"amount": "1", "channel": "cash", "paid_on": "2025-06-01"}
    )
    assert response.status_code == 404
    assert finance_state() == before


def test_a_cancelled_bill_takes_no_payment(world, client_for, keeper, a_bill):
    bill = a_bill("100.00")
    bill_cancel(actor=keeper, bill=bill, reason="录错")
    client = client_for(keeper)
    before = finance_state()
    # the page offers no payment, and a payment sent anyway is refused
    assert 'id="payment-form"' not in client.get(reverse("finance:bill_detail", args=[bill.pk])).content.decode()
    response = _pay(client, bill)
    assert response.status_code == 200
    assert "This bill is cancelled." in response.content.decode()
    assert finance_state() == before


# --- Reductions -----------------------------------------------------------------------------------------------


def _reduce(client, bill, by, **data):
    form = {"amount": "200", "reason": "困难户", "approver": str(by.pk), "approved_on": "2025-06-01", **data}
    return client.post(reverse("finance:bill_reduce", args=[bill.pk]), form)


def test_a_reduction_is_recorded_with_its_reason_and_approver(world, client_for, keeper, manager, a_bill):
    # given a bill of ¥1,000.00
    bill = a_bill("1000.00")
    client = client_for(keeper)
    # when the finance staff record ¥200 off, approved by the property manager
    response = _reduce(client, bill, manager)
    # then the bill owes ¥800 and the page shows the reduction with its reason and approver
    assert response.status_code == 302
    bill.refresh_from_db()
    assert (bill.reduction, bill.outstanding) == (Decimal("200.00"), Decimal("800.00"))
    reduction = Reduction.objects.get(bill=bill)
    assert (reduction.approver, reduction.recorded_by, reduction.approved_on) == (manager, keeper, D(2025, 6, 1))
    table = client.get(response["Location"]).content.decode().split('id="reductions"')[1]
    assert "困难户" in table and manager.name in table and "¥200.00" in table


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "1000.01"}, "amount", "The reduction is larger than what remains due (¥1,000.00)."),
        ({"amount": "-1"}, "amount", "An amount cannot be negative."),
        ({"amount": "abc"}, "amount", "Enter an amount in yuan, such as 1234.50."),
        ({"reason": ""}, "reason", None),
        ({"reason": "   "}, "reason", None),
        ({"approved_on": "2025-06-16"}, "approved_on", None),
        ({"approver": "finance"}, "approver", None),  # the finance staff are no approver
    ],
)
def test_a_bad_reduction_is_refused_and_nothing_changes(
    world, client_for, keeper, manager, a_bill, data, field, message
):
    bill = a_bill("1000.00")
    client = client_for(keeper)
    if data.get("approver") == "finance":
        data = {**data, "approver": str(keeper.pk)}
    before = finance_state()
    response = _reduce(client, bill, manager, **data)
    assert response.status_code == 200
    assert list(response.context["reduction_form"].errors) == [field]
    if message is not None:
        assert message in response.content.decode()
    assert finance_state() == before


# --- Refunds --------------------------------------------------------------------------------------------------


@pytest.fixture
def paid(world, keeper, a_bill):
    """A bill of ¥1,000.00 paid in full by WeChat."""
    bill = a_bill("1000.00")
    payment = payment_record(actor=keeper, bill=bill, amount="1000", channel="wechat", paid_on=D(2025, 3, 1))
    return bill, payment


def _ask(client, payment, amount="100", reason="多收"):
    prefix = f"refund-{payment.pk}"
    return client.post(
        reverse("finance:refund_new", args=[payment.pk]), {f"{prefix}-amount": amount, f"{prefix}-reason": reason}
    )


def _decide(client, refund, decision, note=""):
    prefix = f"decide-{refund.pk}"
    return client.post(
        reverse("finance:refund_decide", args=[refund.pk]), {f"{prefix}-decision": decision, f"{prefix}-note": note}
    )


def _pay_out(client, refund, day="2025-06-10"):
    return client.post(reverse("finance:refund_pay", args=[refund.pk]), {f"pay-{refund.pk}-paid_on": day})


def test_a_refund_is_asked_for_approved_by_the_manager_and_paid_out(world, client_for, keeper, manager, paid):
    bill, payment = paid
    finance = client_for(keeper)  # one test client: client_for logs it in as someone else
    # when the finance staff ask for ¥100 back
    assert _ask(finance, payment).status_code == 302
    refund = Refund.objects.get(payment=payment)
    assert refund.status == RefundStatus.REQUESTED
    page = finance.get(reverse("finance:bill_detail", args=[bill.pk])).content.decode()
    assert "Waiting for the property manager's approval" in page and 'class="stack decide-form"' not in page
    # and the property manager approves it
    boss = client_for(manager)
    assert 'class="stack decide-form"' in boss.get(reverse("finance:bill_detail", args=[bill.pk])).content.decode()
    assert _decide(boss, refund, "approve").status_code == 302
    refund.refresh_from_db()
    assert (refund.status, refund.decided_by) == (RefundStatus.APPROVED, manager)
    # and the finance staff pay it out
    finance = client_for(keeper)
    assert _pay_out(finance, refund).status_code == 302
    # then the bill owes ¥100 again
    refund.refresh_from_db()
    bill.refresh_from_db()
    assert (refund.status, refund.paid_on) == (RefundStatus.PAID, D(2025, 6, 10))
    assert (bill.paid, bill.status) == (Decimal("900.00"), BillStatus.PARTIAL)


def test_a_refund_can_be_refused_with_a_note_but_not_without(world, client_for, keeper, manager, paid):
    _bill, payment = paid
    refund = refund_request(actor=keeper, payment=payment, amount="50", reason="多收")
    boss = client_for(manager)
    before = finance_state()
    # a refusal without a note is refused, nothing changed
    response = _decide(boss, refund, "refuse")
    assert response.status_code == 200
    assert list(response.context["refund_rows"][0].decide_form.errors) == ["note"]
    assert finance_state() == before
    # with a note it is refused
    assert _decide(boss, refund, "refuse", note="已抵扣下期").status_code == 302
    refund.refresh_from_db()
    assert (refund.status, refund.decision_note) == (RefundStatus.REFUSED, "已抵扣下期")


def test_nobody_approves_their_own_refund(world, client_for, manager, paid):
    # given a refund the property manager asked for
    _bill, payment = paid
    refund = refund_request(actor=manager, payment=payment, amount="50", reason="多收")
    client = client_for(manager)
    # then the page offers them no decision, and one sent anyway is refused with the reason
    page = client.get(reverse("finance:bill_detail", args=[payment.bill_id])).content.decode()
    assert 'class="stack decide-form"' not in page
    before = finance_state()
    response = _decide(client, refund, "approve")
    assert response.status_code == 200
    assert "A refund is approved by someone other than the person who asked for it." in response.content.decode()
    assert finance_state() == before


def test_a_refund_without_approval_is_not_paid_out(world, client_for, keeper, paid):
    _bill, payment = paid
    refund = refund_request(actor=keeper, payment=payment, amount="50", reason="多收")
    client = client_for(keeper)
    before = finance_state()
    response = _pay_out(client, refund)
    assert response.status_code == 200
    assert "This refund has not been approved yet." in response.content.decode()
    assert finance_state() == before


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1000.01", "The refund is larger than what is left of the payment (¥1,000.00)."),
        ("-5", "An amount cannot be negative."),
        ("五十", "Enter an amount in yuan, such as 1234.50."),
    ],
)
def test_a_bad_refund_request_is_refused_and_nothing_changes(world, client_for, keeper, paid, amount, message):
    _bill, payment = paid
    client = client_for(keeper)
    before = finance_state()
    response = _ask(client, payment, amount=amount)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "open>" in response.content.decode().split('id="payments"')[1]  # the refund form is shown open
    assert finance_state() == before


def test_a_second_refund_counts_what_was_already_asked_for(world, client_for, keeper, manager, paid):
    _bill, payment = paid
    first = refund_request(actor=keeper, payment=payment, amount="900", reason="多收")
    refund_decide(actor=manager, refund=first, approve=True)
    client = client_for(keeper)
    before = finance_state()
    response = _ask(client, payment, amount="100.01")
    assert "The refund is larger than what is left of the payment (¥100.00)." in response.content.decode()
    assert finance_state() == before


# --- The page -------------------------------------------------------------------------------------------------


def test_the_bill_page_shows_how_the_bill_was_computed_and_asks_before_irreversible_steps(
    world, client_for, keeper, manager, paid, a_bill
):
    bill = a_bill("1000.00", period="2024")
    refund_request(actor=keeper, payment=paid[1], amount="10", reason="多收")
    page = client_for(manager).get(reverse("finance:bill_detail", args=[bill.pk])).content.decode()
    assert "Record this payment? A numbered receipt is issued" in page
    assert "Record this reduction?" in page
    refunds = client_for(manager).get(reverse("finance:bill_detail", args=[paid[0].pk])).content.decode()
    assert "Ask for this refund?" in refunds
    assert "Approve this refund?" in refunds and "Refuse this refund?" in refunds


def test_generated_bills_show_their_basis(world, client_for, keeper, standard):
    # given a generated bill (¥2.50 at 70%, 12 months of 2025)
    from gongzhi.finance.services import bills_generate

    bills_generate(actor=keeper, compound=world.compound_a, period="2025")
    bill = Bill.objects.get(house=world.house_a, period="2025")
    page = client_for(keeper).get(reverse("finance:bill_detail", args=[bill.pk])).content.decode()
    assert "from 2025-01: 12 months × ¥2.5000/m² × 70%" in page
    assert f"{bill.amount_due:,.2f}" in page
