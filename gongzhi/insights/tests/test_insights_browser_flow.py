"""One walk through insights in a real browser (headless Chromium): a sub-district supervisor goes from the
compound dashboard to its community's dashboard, the red list and the peer comparison, drills down from a
figure, and downloads the governance report as a PDF."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.testing.browser import browser_login

from .dashboard_data import build
from .test_report_pages import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_walks_every_dashboard_drills_down_and_downloads_the_report(
    world: Any, live_server: Any, page: Any
) -> None:
    # given compound A's data rolled up, and the sub-district supervisor logged in
    build(world)
    browser_login(page, live_server.url, world.users["sub_district_supervisor"].phone)
    # when they open compound A's dashboard for 2025
    page.goto(f"{live_server.url}/insights/compounds/aaa/?period=2025")
    page.wait_for_selector("#main .gz-chart.gz-chart-ready canvas")
    # and follow the link to the community's dashboard
    page.click("#compound-links >> text=Community dashboard")
    page.wait_for_url("**/insights/areas/*/?period=2025")
    assert page.locator("#main table a[href^='/insights/compounds/aaa/']").count() >= 1
    page.wait_for_selector("#main .gz-chart.gz-chart-ready canvas")
    # then on to the red list of the sub-district (a community's red list is its sub-district's)
    page.click("#area-links >> text=Red list")
    page.wait_for_selector("#main h1")
    assert "/red-list/" in page.url
    page.go_back()
    page.go_back()
    page.wait_for_selector("#compound-links")
    # when they compare compound A with its peers
    page.click("#compound-links >> text=Compare with peers")
    page.wait_for_url("**/insights/compounds/aaa/peers/?period=2025")
    assert page.locator("#main h1").count() == 1
    page.go_back()
    # and drill down from the complaints card
    page.locator('[data-kpi="voices_complaint"] .gz-card-value a').click()
    page.wait_for_url("**/insights/compounds/aaa/kpis/voices_complaint/?period=2025")
    assert page.locator("#drill-rows tbody tr").count() == 2
    page.go_back()
    # and open the governance report and download its PDF
    page.click("#compound-links >> text=Governance report")
    page.wait_for_url("**/insights/compounds/aaa/report/")
    with page.expect_download() as info:
        page.click("#report-pdf")
    with open(info.value.path(), "rb") as f:
        text = pdf_text(f.read())
    # then it is the compound's report, with its figures
    assert text.startswith(world.compound_a.name) and "2025" in text
