"""Owners' fee pages: my bills per house (period, amounts, status, arrears), my payments and receipts, the fee
standard with the service commitments beside it, the compound's published statements; nobody reads another
household's bills."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.finance import services as s
from gongzhi.finance.models import Bill
from gongzhi.testing.world import ALL_ROLES

from .helpers import finance_state

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
D = datetime.date


@pytest.fixture
def fees(world: Any) -> dict[str, Any]:
    """Compound A: ¥2.50/m²·month (70% while vacant), two commitments; house A (98.50 m², the resident's) has a
    bill of last year of ¥2,955.00 unpaid (in arrears) and one of this year of ¥2,955.00 reduced by ¥55.00 and
    paid ¥1,000.00 by WeChat; house A2 (the applicant's, pending) has a bill of this year of ¥7,777.00; a
    statement of 2025Q1 is published."""
    year = timezone.localdate().year
    keeper, manager = world.users["finance"], world.users["property_manager"]
    compound = world.compound_a
    s.fee_standard_set(actor=keeper, compound=compound, rate="2.50", vacant_percent=70, effective_from=D(2024, 1, 1))
    s.commitment_add(actor=keeper, compound=compound, title="电梯故障2小时内到场", detail="全年无休")
    s.commitment_add(actor=keeper, compound=compound, title="垃圾日产日清")
    old = s.bill_create(actor=keeper, house=world.house_a, period=str(year - 1), amount_due="2955.00")
    bill = s.bill_create(actor=keeper, house=world.house_a, period=str(year), amount_due="2955.00")
    s.bill_reduce(actor=keeper, bill=bill, amount="55.00", reason="困难家庭", approver=manager)
    payment = s.payment_record(actor=keeper, bill=bill, amount="1000.00", channel="wechat", paid_on=D(year, 1, 1))
    other = s.bill_create(actor=keeper, house=world.house_a2, period=str(year), amount_due="7777.00")
    statement = s.statement_create(actor=keeper, compound=compound, period="2025Q1")
    s.statement_line_add(actor=keeper, statement=statement, category="fees", item="物业费收入", amount="9000.00")
    s.statement_publish(actor=keeper, statement=statement)
    return {
        "old": old,
        "bill": Bill.objects.get(pk=bill.pk),
        "payment": payment,
        "other": other,
        "statement": statement,
    }


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_on_the_owner_pages_sees_only_their_own_bills(world, client_for, fees, role):
    client = client_for(world.users[role])
    mine = client.get(reverse("finance:my_fees"), **EN)
    payments = client.get(reverse("finance:my_payments"), **EN)
    bill = client.get(reverse("finance:my_bill", args=[fees["bill"].pk]), **EN)
    if role == "anonymous":
        for response in (mine, payments, bill):
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    # everyone logged in has "my fees" pages, showing only the houses they are bound to
    assert mine.status_code == 200 and payments.status_code == 200
    own = role == "resident"
    assert (reverse("finance:my_bill", args=[fees["bill"].pk]) in mine.content.decode()) == own
    assert (fees["payment"].receipt_no in payments.content.decode()) == own
    # and the house's bill page is the resident's alone: staff use the staff pages, others are refused
    assert bill.status_code == (200 if own else 403)
    assert "¥7,777.00" not in mine.content.decode()  # the applicant's binding is still pending


def test_the_owner_sees_each_bill_with_its_amounts_status_and_arrears(world, client_for, fees):
    page = client_for(world.users["resident"]).get(reverse("finance:my_fees"), **EN).content.decode()
    # the house with what it still owes, and what is in arrears (last year's bill, unpaid)
    assert 'class="kpi house-outstanding">¥4,855.00<' in page
    assert 'class="kpi house-arrears">¥2,955.00<' in page
    # each bill: period, amount due, reduction, paid, status, what is still due
    year = timezone.localdate().year
    assert f"Period {year}" in page and f"Period {year - 1}" in page
    assert "<dt>Amount due</dt><dd>¥2,955.00</dd>" in page
    assert "<dt>Reductions</dt><dd>−¥55.00</dd>" in page
    assert "<dt>Paid</dt><dd>¥1,000.00</dd>" in page
    assert '<dd class="bill-outstanding">¥1,900.00</dd>' in page
    assert 'class="badge bill-partial">Partly paid<' in page and 'class="badge bill-unpaid">Unpaid<' in page
    assert f'class="card bill-card overdue" id="bill-{fees["old"].pk}"' in page
    assert f'class="card bill-card" id="bill-{fees["bill"].pk}"' in page
    # the price beside the service commitments, and the published statements
    assert "¥2.50 per m² a month" in page and "Your house: 98.50 m², about ¥246.25 a month." in page
    assert "While it is vacant: 70% of the rate." in page
    assert "电梯故障2小时内到场" in page and "垃圾日产日清" in page
    assert reverse("finance:statement_detail", args=[fees["statement"].pk]) in page
    assert reverse("finance:my_payments") in page


def test_a_bill_page_lists_payments_with_their_receipts(world, client_for, fees):
    page = client_for(world.users["resident"]).get(reverse("finance:my_bill", args=[fees["bill"].pk]), **EN)
    html = page.content.decode()
    assert 'id="bill-status">Partly paid<' in html and 'id="bill-outstanding"><strong>¥1,900.00<' in html
    assert fees["payment"].receipt_no in html and "WeChat Pay" in html
    assert reverse("finance:receipt_pdf", args=[fees["payment"].pk]) in html
    old = client_for(world.users["resident"]).get(reverse("finance:my_bill", args=[fees["old"].pk]), **EN)
    assert "This period has ended and ¥2,955.00 is still unpaid." in old.content.decode()


def test_reading_another_households_bill_is_refused_and_reveals_nothing(world, client_for, fees):
    # given a bill of compound B and a payment of the neighbour's (pending) house
    theirs_b = s.bill_create(actor=world.users["superuser"], house=world.house_b, period="2025", amount_due="8888.00")
    payment = s.payment_record(actor=world.users["finance"], bill=fees["other"], amount="7.00", channel="cash")
    client = client_for(world.users["resident"])
    before = finance_state()
    # when the resident opens them
    neighbour = client.get(reverse("finance:my_bill", args=[fees["other"].pk]))
    other_compound = client.get(reverse("finance:my_bill", args=[theirs_b.pk]))
    missing = client.get(reverse("finance:my_bill", args=[999999]))
    receipt = client.get(reverse("finance:receipt_pdf", args=[payment.pk]))
    # then both are refused without showing an amount, a bill that does not exist is not found, nothing changed
    assert neighbour.status_code == 403 and "7,777" not in neighbour.content.decode()
    assert other_compound.status_code == 403 and "8,888" not in other_compound.content.decode()
    assert missing.status_code == 404
    assert receipt.status_code in (403, 404)
    assert finance_state() == before


def test_a_cancelled_bill_is_not_shown_to_the_owner(world, client_for, fees):
    cancelled = s.bill_create(actor=world.users["finance"], house=world.house_a, period="2024-03", amount_due="9.99")
    s.bill_cancel(actor=world.users["finance"], bill=cancelled, reason="重复开单")
    page = client_for(world.users["resident"]).get(reverse("finance:my_fees"), **EN).content.decode()
    assert "Period 2024-03" not in page and "9.99" not in page


def test_the_resident_home_links_to_my_fees_once_bound(world, client_for):
    bound = client_for(world.users["resident"]).get(reverse("estates:resident_home")).content.decode()
    assert 'id="my-fees-link"' in bound and reverse("finance:my_fees") in bound
    pending = client_for(world.users["applicant"]).get(reverse("estates:resident_home")).content.decode()
    assert 'id="my-fees-link"' not in pending


def test_an_owner_without_a_standard_or_bills_is_told_so(world, client_for):
    page = client_for(world.users["resident"]).get(reverse("finance:my_fees"), **EN).content.decode()
    assert "No fee standard is in force for your house yet." in page and "No bills yet." in page


def test_a_villa_owner_sees_the_villa_standard_not_the_residential_one(world, client_for):
    # given a residential standard of ¥2.50 and a villa standard of ¥6.80, and the resident's house a villa
    keeper = world.users["finance"]
    s.fee_standard_set(actor=keeper, compound=world.compound_a, rate="2.50", effective_from=D(2024, 1, 1))
    s.fee_standard_set(
        actor=keeper, compound=world.compound_a, rate="6.80", house_type="villa", effective_from=D(2024, 1, 1)
    )
    world.house_a.house_type = "villa"
    world.house_a.save(update_fields=["house_type"])
    # when the owner opens their fees
    page = client_for(world.users["resident"]).get(reverse("finance:my_fees"), **EN).content.decode()
    # then the price shown is the villa's, as billing would use
    assert "¥6.80 per m² a month" in page and "¥2.50 per m² a month" not in page
