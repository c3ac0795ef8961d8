"""A real browser (headless Chromium): the secretary opens the governance report, edits a paragraph and
downloads the PDF with the edited text; on a phone the report and its edit form fit the screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongzhi.insights.models import ReportNarrative
from gongzhi.insights.tests.test_report_pages import pdf_text
from gongzhi.testing.browser import browser_login
from gongzhi.testing.insights_report_factories import report_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EDITED = "物业服务提质增效，客户投诉量同比下降83.3%。"


def test_the_secretary_edits_a_paragraph_and_downloads_the_pdf(world, live_server, page):
    # given compound A's two years
    compound = report_dataset(world)
    base = live_server.url
    browser_login(page, base, world.users["secretary"].phone)
    # when the secretary opens the report of 2025
    page.goto(f"{base}/insights/compounds/{compound.code}/report/?period=2025")
    assert page.locator("#report-title").inner_text() == "A小区 governance report"
    assert "Occupancy rate rose from 25.0% to 50.0%" in page.locator("#narrative-text-outcomes").inner_text()
    assert page.locator("#kpi-estates_occupancy_rate-after").inner_text().startswith("50.0%")
    # the after-photo's thumbnail loads through the meetings app
    photo = page.locator("#report-actions img").first
    photo.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    # and edits the outcomes paragraph
    page.locator("#section-outcomes summary").click()
    page.fill("#narrative-input-outcomes", EDITED)
    page.click("#narrative-save-outcomes")
    page.wait_for_selector(".msg.success")
    assert page.locator("#narrative-text-outcomes").inner_text() == EDITED
    assert page.locator("#narrative-edited-outcomes").is_visible()
    assert ReportNarrative.objects.get().text == EDITED
    # and downloads the PDF
    with page.expect_download() as download:
        page.click("#report-pdf")
    path = download.value.path()
    assert download.value.suggested_filename == "A小区 governance report 2025.pdf"
    data = Path(path).read_bytes()
    # then it is a PDF with the edited paragraph
    assert data.startswith(b"%PDF")
    assert "".join(EDITED.split()) in pdf_text(data)


def test_on_a_phone_the_report_and_its_edit_form_fit_the_screen(world, live_server, phone_page):
    # given
    compound = report_dataset(world, roll_up=False)
    base = live_server.url
    browser_login(phone_page, base, world.users["community_staff"].phone)
    # when the report opens on a phone and the background paragraph's form is opened
    phone_page.goto(f"{base}/insights/compounds/{compound.code}/report/?period=2025")
    phone_page.locator("#section-background summary").click()
    # then nothing is wider than the screen, and the form's controls are large enough to tap
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    box = phone_page.locator("#narrative-save-background").bounding_box()
    assert box is not None and box["height"] >= 44
    phone_page.fill("#narrative-input-background", "手机上修改的段落")
    phone_page.click("#narrative-save-background")
    phone_page.wait_for_selector(".msg.success")
    assert phone_page.locator("#narrative-text-background").inner_text() == "手机上修改的段落"
