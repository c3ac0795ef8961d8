"""Real browsers: finance staff draft and publish a statement on a desktop (confirming the dialog); the owner,
on a phone, sees their bill, its paying status and the published statement, and asks about a line."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

from gongzhi.finance import services as s
from gongzhi.finance.models import Statement, StatementStatus
from gongzhi.testing.browser import browser_login
from gongzhi.testing.voices_factories import category
from gongzhi.voices.models import Kind, Voice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(pg: Any) -> bool:
    return pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_staff_publish_a_statement_and_the_owner_reads_it_with_their_bill_on_a_phone(
    world, live_server, page, phone_page
):
    base = live_server.url
    category("物业收费")  # an earlier transactional test may have flushed the seeded categories
    keeper = world.users["finance"]
    # given the resident's house has a bill of ¥2,955.00 with ¥1,000.00 paid
    bill = s.bill_create(actor=keeper, house=world.house_a, period="2025", amount_due="2955.00")
    s.payment_record(actor=keeper, bill=bill, amount="1000.00", channel="wechat", paid_on=datetime.date(2025, 3, 1))

    # when the finance staff create a draft for 2025Q1 on a desktop, add two lines and publish it
    browser_login(page, base, keeper.phone)
    page.goto(f"{base}/fees/c/aaa/statements/")
    page.fill("#new-statement input[name=period]", "2025Q1")
    with page.expect_navigation():
        page.click("#new-statement button[type=submit]")
    page.wait_for_url(re.compile(r"/fees/statements/\d+/$"))
    for category_value, item, amount in (("fees", "物业费收入", "120000"), ("maintenance", "电梯维保", "12000.50")):
        page.select_option("#add-line select[name=category]", category_value)
        page.fill("#add-line input[name=item]", item)
        page.fill("#add-line input[name=amount]", amount)
        with page.expect_navigation():
            page.click("#add-line button[type=submit]")
    assert page.locator("#total-expenditure").inner_text() == "¥12,000.50"
    # (dismissing the confirmation publishes nothing)
    page.click("#publish-button")
    page.wait_for_timeout(300)
    assert Statement.objects.get().status == StatementStatus.DRAFT
    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    with page.expect_navigation():
        page.click("#publish-button")
    page.wait_for_selector("#statement-status.statement-published")
    assert dialogs and Statement.objects.get().status == StatementStatus.PUBLISHED
    assert page.locator("#add-line").count() == 0

    # then the owner, on a phone, goes from their home to their fees
    browser_login(phone_page, base, world.users["resident"].phone)
    phone_page.goto(f"{base}/estates/me/")
    with phone_page.expect_navigation():
        phone_page.click("#my-fees-link")
    assert _no_horizontal_scroll(phone_page)
    # and sees the bill, partly paid, with what is still due
    card = phone_page.locator(f"#bill-{bill.pk}")
    assert "bill-partial" in (card.locator(".badge").first.get_attribute("class") or "")
    assert card.locator(".bill-outstanding").inner_text() == "¥1,955.00"
    with phone_page.expect_navigation():
        card.locator("a.row-link").click()
    assert phone_page.locator("#bill-paid").inner_text() == "¥1,000.00"
    assert phone_page.locator("#payments .receipt-no").count() == 1
    assert _no_horizontal_scroll(phone_page)
    # and the published statement of the compound, with its lines and totals
    phone_page.go_back()
    statement = Statement.objects.get()
    with phone_page.expect_navigation():
        phone_page.click(f"a[href='/fees/statements/{statement.pk}/']")
    assert phone_page.locator("#total-income").inner_text() == "¥120,000.00"
    assert phone_page.locator("#expenditure-lines").inner_text().count("电梯维保") == 1
    assert _no_horizontal_scroll(phone_page)
    # and asks about the lift maintenance line
    line = statement.lines.get(item="电梯维保")
    with phone_page.expect_navigation():
        phone_page.click(f"#line-{line.pk} a.btn")
    phone_page.fill("textarea[name=question]", "维保合同能公开吗？")
    with phone_page.expect_navigation():
        phone_page.click("form button[type=submit].wide")
    voice = Voice.objects.get()
    assert voice.kind == Kind.ENQUIRY
    assert phone_page.locator(f"#line-{line.pk} a.asked").get_attribute("href") == f"/voices/{voice.pk}/"
