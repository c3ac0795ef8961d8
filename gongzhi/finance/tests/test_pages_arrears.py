"""Arrears and the dunning list (催缴): the page, the .xlsx export, reminders once per house and period."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.models import AuditEvent
from gongzhi.finance.services import payment_record
from gongzhi.notifications.models import Notification
from gongzhi.testing.factories import HouseFactory

from .helpers import finance_state

pytestmark = pytest.mark.django_db
D = datetime.date
JUNE = datetime.datetime(2025, 6, 15, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _june_2025():
    with time_machine.travel(JUNE, tick=False):
        yield


@pytest.fixture
def owing(world, keeper, a_bill):
    """101 owes ¥500 for 2024 and ¥900 of 2025; 102 owes ¥800 of 2025; 103 has paid; 2026 has not begun."""
    a_bill("500.00", period="2024")
    bill = a_bill("1000.00")
    payment_record(actor=keeper, bill=bill, amount="100", channel="cash", paid_on=D(2025, 2, 1))
    a_bill("800.00", house=world.house_a2)
    a_bill("300.00", house=world.house_a2, period="2026")
    settled = HouseFactory.create(unit=world.house_a.unit, room="103")
    paid = a_bill("700.00", house=settled)
    payment_record(actor=keeper, bill=paid, amount="700", channel="cash", paid_on=D(2025, 2, 1))


def _url(world, name="finance:arrears"):
    return reverse(name, args=[world.compound_a.code])


def test_the_dunning_list_shows_each_house_owing_with_amount_periods_and_oldest_period(
    world, client_for, keeper, owing
):
    # when the finance staff open the arrears page
    response = client_for(keeper).get(_url(world))
    page = response.content.decode()
    # then two houses owe ¥2,200.00, the largest debt first, with their periods and the oldest one
    assert '<div class="kpi" id="arrears-houses">2</div>' in page
    assert '<div class="kpi" id="arrears-total">¥2,200.00</div>' in page
    rows = [(d.house.room, d.row.outstanding, d.periods, d.oldest_period) for d in response.context["details"]]
    assert rows == [("101", Decimal("1400.00"), ["2024", "2025"], "2024"), ("102", Decimal("800.00"), ["2025"], "2025")]
    table = page.split('id="arrears"')[1]
    assert "2024、2025" in table and "¥1,400.00" in table
    # the finance staff see owners masked (no full numbers for their role), the property manager in full
    assert "张三" not in table and "138****0001" in table
    manager_table = client_for(world.users["property_manager"]).get(_url(world)).content.decode()
    assert "张三" in manager_table.split('id="arrears"')[1] and "13800000001" in manager_table
    # and each view of the households on the list is audited, as for the house list
    views = AuditEvent.objects.filter(verb="fees.arrears_view").order_by("id")
    assert [(e.actor, e.after) for e in views] == [
        (keeper, {"shown": 2, "full_phones": False}),
        (world.users["property_manager"], {"shown": 2, "full_phones": True}),
    ]


def test_the_export_is_an_xlsx_of_the_list_without_formulas(world, client_for, keeper, owing):
    # given an owner whose name looks like a formula
    world.house_a2.owner_name = "=HYPERLINK(1)"
    world.house_a2.save(update_fields=["owner_name"])
    # when the property manager export the list
    response = client_for(world.users["property_manager"]).get(_url(world, "finance:arrears_export"))
    # then it is a workbook with a header and one row per house, the name kept as text
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Building", "Unit", "Room", "Owner", "Owner's mobile", "Amount owed (¥)", "Bills owed", "Periods owed",
        "Oldest period owed",
    ]  # fmt: skip
    building, unit = world.house_a.building.name, world.house_a.unit.name
    assert rows[1] == [building, unit, "101", "张三", "13800000001", 1400, 2, "2024、2025", "2024"]
    assert rows[2][:5] == [building, unit, "102", "=HYPERLINK(1)", "13800000002"]
    assert len(rows) == 3
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert AuditEvent.objects.filter(verb="fees.arrears_export", after__rows=2).count() == 1


def test_the_finance_staff_export_has_no_mobiles_and_masked_names(world, client_for, keeper, owing):
    response = client_for(keeper).get(_url(world, "finance:arrears_export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "Owner's mobile" not in rows[0]
    assert rows[1][3] == "张*" and "13800000001" not in str(rows)


def test_reminders_reach_the_bound_residents_once_per_house_and_period(world, client_for, keeper, owing):
    client = client_for(keeper)
    # when the finance staff send reminders (101 has a bound resident; 102's binding is still pending)
    response = client.post(_url(world, "finance:arrears_remind"), follow=True)
    # then the resident of 101 is notified once, and the page says who was reached and who was not
    page = response.content.decode()
    assert "Reminders sent for 1 house (1 residents notified)." in page
    assert "1 house has nobody on the platform to remind" in page
    sent = Notification.objects.get(recipient=world.users["resident"])
    assert sent.verb == "fees.reminder" and "¥1,400.00" in sent.body and "2024、2025" in sent.body
    assert sent.link == reverse("finance:my_fees")
    # when they are sent again
    before = Notification.objects.count()
    page = client.post(_url(world, "finance:arrears_remind"), follow=True).content.decode()
    # then nobody is notified twice
    assert Notification.objects.count() == before
    assert "No new reminder was sent." in page and "1 house had already been reminded" in page
    assert AuditEvent.objects.filter(verb="fees.remind").count() == 2


def test_a_house_is_reminded_again_when_a_later_period_is_owed(world, client_for, keeper, a_bill):
    # given 101 reminded for 2025-05
    a_bill("100.00", period="2025-05")
    client = client_for(keeper)
    client.post(_url(world, "finance:arrears_remind"))
    # when 2025-06 is billed and unpaid too
    a_bill("100.00", period="2025-06")
    client.post(_url(world, "finance:arrears_remind"))
    # then the resident got two reminders, one per period
    keys = sorted(Notification.objects.filter(recipient=world.users["resident"]).values_list("dedup_key", flat=True))
    assert keys == [f"fees.reminder:{world.house_a.pk}:2025-05", f"fees.reminder:{world.house_a.pk}:2025-06"]


def test_the_confirmation_names_the_number_of_houses(world, client_for, keeper, owing):
    page = client_for(keeper).get(_url(world)).content.decode()
    assert "Send a reminder to the residents of the 2 houses on this list?" in page


def test_no_arrears_no_buttons(world, client_for, keeper):
    before = finance_state()
    page = client_for(keeper).get(_url(world)).content.decode()
    assert 'id="no-arrears"' in page and 'id="send-reminders"' not in page
    assert finance_state() == before
