"""A real browser (headless Chromium): a property manager opens the dashboard, sees the charts drawn, drills down
to the complaints behind a figure and downloads them as xlsx; on a phone the dashboard fits the screen."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from gongzhi.testing.browser import browser_login

from .dashboard_data import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_property_manager_opens_the_dashboard_drills_down_and_downloads(
    world: Any, live_server: Any, page: Any
) -> None:
    # given: compound A's data rolled up, and its property manager logged in
    data = build(world)
    base = live_server.url
    browser_login(page, base, world.users["property_manager"].phone)
    # when: they follow "Insights" (one compound: straight to its dashboard) and pick 2025
    page.click("#nav-insights")
    page.wait_for_url("**/insights/compounds/aaa/")
    page.locator(".gz-quick a", has_text="2025").first.click()
    page.wait_for_url("**/insights/compounds/aaa/?period=2025")
    # then: every chart is drawn on a canvas (ECharts), and hovering shows a tooltip without a CSP violation
    page.wait_for_selector("#main .gz-chart.gz-chart-ready canvas")
    assert page.locator(".gz-chart canvas").count() >= page.locator(".gz-chart").count() >= 5
    box = page.locator('.gz-chart[data-spec="chart-occupancy"]').bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.5)
    page.wait_for_timeout(300)
    # when: they click June 2025 on the occupancy trend, they get the houses occupied then
    x, y = page.evaluate(
        """() => {
          const el = document.querySelector('.gz-chart[data-spec="chart-occupancy"]');
          el.scrollIntoView({block: 'center'});
          const chart = echarts.getInstanceByDom(el);
          const r = el.getBoundingClientRect();
          const p = chart.convertToPixel({seriesIndex: 0}, ['2025-06', 0.5]);
          return [r.left + p[0], r.top + p[1]];
        }"""
    )
    page.mouse.click(x, y)
    page.wait_for_url("**/insights/compounds/aaa/kpis/estates_occupancy_rate/?period=2025-06")
    assert page.locator("#drill-rows tbody tr").count() == 2
    page.go_back()
    page.wait_for_selector("#main .gz-chart.gz-chart-ready canvas")
    # when: they open the list behind the complaints figure
    page.locator('[data-kpi="voices_complaint"] .gz-card-value a').click()
    page.wait_for_url("**/insights/compounds/aaa/kpis/voices_complaint/?period=2025")
    rows = page.locator("#drill-rows tbody tr")
    assert rows.count() == 2
    # then: a row links to its voice, and the xlsx holds the same rows
    v1 = data["voices"][1]
    assert page.locator(f'#drill-rows a[href="/voices/{v1.pk}/"]').count() == 1
    with page.expect_download() as info:
        page.click("#drill-xlsx")
    download = info.value
    assert download.suggested_filename == "aaa-voices_complaint-2025.xlsx"
    with open(download.path(), "rb") as f:
        sheet = load_workbook(io.BytesIO(f.read())).active
    assert sheet.max_row == 2 + 2 and sheet.cell(row=3, column=1).value == f"#{v1.pk}"


def test_the_dashboard_fits_a_phone(world: Any, live_server: Any, phone_page: Any) -> None:
    build(world)
    browser_login(phone_page, live_server.url, world.users["secretary"].phone)
    phone_page.goto(f"{live_server.url}/insights/compounds/aaa/?period=2025")
    phone_page.wait_for_selector(".gz-chart.gz-chart-ready canvas")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # the charts are as wide as the screen allows, and follow a change of size
    width = phone_page.locator(".gz-chart canvas").first.evaluate("c => c.getBoundingClientRect().width")
    assert 300 <= width <= 390
    phone_page.set_viewport_size({"width": 360, "height": 800})
    phone_page.wait_for_timeout(400)
    narrower = phone_page.locator(".gz-chart canvas").first.evaluate("c => c.getBoundingClientRect().width")
    assert narrower < width
