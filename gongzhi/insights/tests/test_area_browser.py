"""A real browser (headless Chromium): a sub-district supervisor opens the sub-district dashboard from the insights
index, keeps the compounds delivered in 2021, and clicks through to a compound's dashboard."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.insights.tests.test_area_pages import build_areas
from gongzhi.testing.browser import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_filters_the_sub_district_by_cohort_and_opens_a_compound(
    world: Any, live_server: Any, page: Any
) -> None:
    # given the dataset of the area pages, rolled up, and the sub-district supervisor logged in
    build_areas(world)
    base = live_server.url
    browser_login(page, base, world.users["sub_district_supervisor"].phone)
    # when they open the insights and the sub-district's dashboard for 2025
    page.goto(f"{base}/insights/")
    page.locator("#area-links").get_by_role("link", name="四新街道").click()
    page.wait_for_selector("#area-table")
    page.fill("#area-filters input[name=period]", "2025")
    page.click("#area-filters button[type=submit]")
    page.wait_for_selector("#area-total")
    # then every compound is listed, with the sub-district's total
    assert page.locator("#area-table tbody tr").count() == 4
    assert "66.7%" in page.locator("#area-total").inner_text()
    # and the charts are drawn
    page.wait_for_selector("#compare .gz-chart canvas")
    # when they keep the compounds delivered in 2021
    page.select_option("#area-filters select[name=cohort]", "2021")
    page.click("#area-filters button[type=submit]")
    page.wait_for_url("**cohort=2021**")
    # then C小区 and D小区 remain, and the total is theirs
    names = page.locator("#area-table tbody th").all_inner_texts()
    assert names == ["C小区", "D小区"]
    assert "2 / 3" in page.locator("#area-total").inner_text()
    # when they click through to C小区
    page.locator("#area-table tbody").get_by_role("link", name="C小区").click()
    page.wait_for_url("**/insights/compounds/ccc/**")
    # then C小区's dashboard opens for the same period
    assert "C小区" in page.locator("h1").inner_text()
    assert "period=2025" in page.url
