"""A real browser (headless Chromium): the property finance staff set a standard, generate bills, record a payment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongzhi.finance.models import Bill, BillStatus, FeeStandard, Payment
from gongzhi.testing.browser import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(pg) -> bool:
    return pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_finance_staff_set_a_standard_generate_bills_and_record_a_payment(world, live_server, page):
    base = live_server.url
    confirmations: list[str] = []

    def accept(dialog) -> None:
        confirmations.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    # given the property finance staff, logged in, following the navigation to compound A's fee standards
    browser_login(page, base, world.users["finance"].phone)
    page.get_by_role("link", name="Fees").click()
    page.wait_for_url("**/fees/")
    page.locator("#fee-compounds li", has_text="A小区").get_by_role("link", name="Fee standards").click()
    page.wait_for_url("**/fees/c/aaa/standards/")
    # when they set ¥2.50 per m² per month from January 2024, 70% while vacant (and confirm)
    page.fill("#standard-form input[name=rate]", "2.50")
    page.fill("#standard-form input[name=vacant_percent]", "70")
    page.fill("#standard-form input[name=effective_from]", "2024-01")
    page.click("#standard-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    # then the standard is in force and in the history
    assert FeeStandard.objects.get(compound=world.compound_a).effective_from.isoformat() == "2024-01-01"
    assert "2.50" in page.locator("#standards-in-force").inner_text()
    assert "Set this fee standard?" in confirmations[-1]
    # when they preview March 2025's bills
    page.locator(".fee-tabs").get_by_role("link", name="Generate bills").click()
    page.fill("#period-form input[name=period]", "2025-03")
    page.click("#period-form button[type=submit]")
    # then the preview counts two bills of ¥172.38 (98.50 m² × ¥2.50 × 70%)
    assert page.locator("#count-new").inner_text() == "2"
    assert page.locator("#total-new").inner_text() == "¥344.76"
    # when they confirm, the worker generates them and the run's page says so
    page.click("#confirm-generate")
    page.wait_for_selector("#run-done")
    assert "Generate 2 bills for 2025-03" in confirmations[-1]
    assert Bill.objects.filter(period="2025-03").count() == 2
    # when they open house 101's bill from the bills list
    page.get_by_role("link", name="See the bills").click()
    page.fill("#bill-filters input[name=q]", "101")
    page.click("#bill-filters button[type=submit]")
    page.locator("#bills a.row-link").first.click()
    page.wait_for_selector("#payment-form")
    # and record ¥100 paid in cash, without a receipt number
    page.fill("#payment-form input[name=amount]", "100")
    page.select_option("#payment-form select[name=channel]", "cash")
    page.click("#payment-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    # then the bill is partly paid, the receipt numbered, and its PDF downloads
    assert "Record this payment?" in confirmations[-1]
    assert "receipt SJ" in page.locator(".msg.success").inner_text()
    bill = Bill.objects.get(house=world.house_a, period="2025-03")
    assert (bill.paid, bill.status) == (Decimal("100.00"), BillStatus.PARTIAL)
    assert page.locator("#bill-outstanding").inner_text() == "¥72.38"
    payment = Payment.objects.get(bill=bill)
    receipt = page.request.get(base + page.locator("#payments a.btn").first.get_attribute("href"))
    assert receipt.ok and receipt.body().startswith(b"%PDF-")
    assert payment.receipt_no.startswith("SJ")
    # and the bill page fits a phone's width
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert _no_horizontal_scroll(page)
    box = page.locator("#payment-form button[type=submit]").bounding_box()
    assert box is not None and box["height"] >= 44


def test_a_bad_payment_in_the_browser_shows_the_reason_and_saves_nothing(world, live_server, page):
    from gongzhi.finance.services import bill_create

    bill = bill_create(actor=world.users["finance"], house=world.house_a, period="2025", amount_due="500")
    page.on("dialog", lambda d: d.accept())
    browser_login(page, live_server.url, world.users["finance"].phone)
    page.goto(f"{live_server.url}/fees/bills/{bill.pk}/")
    # when more than what remains due is typed
    page.fill("#payment-form input[name=amount]", "600")
    page.click("#payment-form button[type=submit]")
    # then the form says why and nothing was recorded
    page.wait_for_selector("#payment-form .error")
    assert "larger than what remains due" in page.locator("#payment-form .error").inner_text()
    assert not Payment.objects.exists()
