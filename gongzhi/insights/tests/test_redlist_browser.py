"""A real browser (headless Chromium): a sub-district supervisor changes the red list's weights and sees the
ranking reorder, with the new weights printed beside it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongzhi.insights.models import RedListWeights
from gongzhi.testing.browser import browser_login
from gongzhi.testing.redlist_factories import ranking_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ranking(page: Any) -> list[tuple[str, str]]:
    rows = page.locator("#redlist-ranking tbody tr")
    return [
        (rows.nth(i).locator("td.rank").inner_text(), rows.nth(i).locator("td").nth(1).inner_text().split("\n")[0])
        for i in range(rows.count())
    ]


def test_a_supervisor_changes_the_weights_and_the_ranking_reorders(world: Any, live_server: Any, page: Any) -> None:
    # given the hand-computed dataset (P and Q tied at 91.00 with the default weights, R at 58.33)
    data = ranking_dataset(world)
    base = live_server.url
    browser_login(page, base, world.users["sub_district_supervisor"].phone)
    # when the sub-district supervisor opens March 2025's red list
    page.goto(f"{base}{reverse('insights:redlist', args=[data['sub'].pk])}?period=2025-03")
    # then P and Q share the first rank, and the default weights are printed beside the ranking
    assert _ranking(page) == [("1", "P花园"), ("1", "Q花园"), ("3", "R花园")]
    assert page.locator('#redlist-weights [data-weight="response"]').inner_text() == "15%"
    assert "9 ratings, fewer than 10" in page.locator("#redlist-unranked").inner_text()
    # when they open the weights form and enter weights that add up to 90
    page.click("#edit-weights")
    page.wait_for_url("**/red-list/weights/")
    for name, value in (("satisfaction", "10"), ("resolution", "10"), ("response", "60"), ("collection", "10")):
        page.fill(f"#weights-form input[name={name}]", value)
    page.click("#weights-form button[type=submit]")
    # then the form says so, naming the sum, and nothing is saved
    assert "The weights add up to 90%; they must add up to 100%." in page.locator("#weights-form").inner_text()
    assert not RedListWeights.objects.exists()
    # when they correct the response weight to 70 and save
    page.fill("#weights-form input[name=response]", "70")
    page.click("#weights-form button[type=submit]")
    page.wait_for_selector(".msg.success")
    # then the red list shows Q alone first (96.50), then P (84.00), then R (53.33), with the new weights printed
    page.goto(f"{base}{reverse('insights:redlist', args=[data['sub'].pk])}?period=2025-03")
    assert _ranking(page) == [("1", "Q花园"), ("2", "P花园"), ("3", "R花园")]
    scores = page.locator("#redlist-ranking td.score").all_inner_texts()
    assert scores == ["96.50", "84.00", "53.33"]
    assert page.locator('#redlist-weights [data-weight="response"]').inner_text() == "70%"
    assert page.locator('#redlist-weights [data-weight="satisfaction"]').inner_text() == "10%"
    assert "sub_district_supervisor" in page.locator("#redlist-weights").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_red_list_reads_on_a_phone_without_sideways_scrolling(
    world: Any, live_server: Any, phone_page: Any
) -> None:
    # given the dataset and compound A's secretary on a phone
    data = ranking_dataset(world)
    browser_login(phone_page, live_server.url, world.users["secretary"].phone)
    # when they open the red list
    phone_page.goto(f"{live_server.url}{reverse('insights:redlist', args=[data['sub'].pk])}?period=2025-03")
    # then the page itself does not scroll sideways (the tables scroll inside their frame), weights below
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert phone_page.locator("#redlist-weights").is_visible()
    assert _ranking(phone_page)[0] == ("1", "P花园")
