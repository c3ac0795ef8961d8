"""Real-browser journeys (headless Chromium): the staff house matrix, and a resident binding on a phone."""

from __future__ import annotations

import pytest

from gongzhi.testing.browser import browser_login
from gongzhi.testing.factories import PASSWORD, HouseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(pg) -> bool:
    return pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_staff_opens_the_overview_clicks_a_room_and_lands_on_the_house(world, live_server, page):
    # given the community secretary, logged in
    browser_login(page, live_server.url, world.users["secretary"].phone)
    # when they open compound A's overview and click room 102 in the house matrix
    page.goto(f"{live_server.url}/estates/c/aaa/")
    cell = page.locator(f'#matrix a.cell[href="/estates/houses/{world.house_a2.pk}/"]')
    assert cell.inner_text().startswith("102")
    box = cell.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44
    cell.click()
    # then the house page opens
    page.wait_for_url(f"**/estates/houses/{world.house_a2.pk}/")
    assert "102" in page.locator("h1").inner_text()
    assert page.locator("form[action$='/status/']").count() == 1


def test_building_filter_swaps_the_matrix_in_place(world, live_server, page):
    # given a second building in compound A
    other = HouseFactory.create(unit__building__compound=world.compound_a, unit__building__name="9栋", room="901")
    browser_login(page, live_server.url, world.users["property_manager"].phone)
    page.goto(f"{live_server.url}/estates/c/aaa/")
    assert page.locator("#matrix a.cell").count() == 3
    page.wait_for_function("typeof window.htmx !== 'undefined'")  # deferred script loaded: the click is htmx's
    # when the 9栋 filter is clicked
    page.locator(".bfilter a").get_by_text("9栋", exact=True).click()
    page.wait_for_url(f"**building={other.building_id}**")
    # then the matrix shows that building only, without a full page load (the KPI cards stay as they were)
    page.wait_for_function("document.querySelectorAll('#matrix a.cell').length === 1")
    assert page.locator(f'#matrix a.cell[href="/estates/houses/{other.pk}/"]').count() == 1
    assert page.locator(".bfilter a[aria-current]").inner_text() == "9栋"


def test_resident_registers_asks_for_a_house_on_a_phone_and_sees_it_once_approved(world, live_server, phone_page, page):
    base = live_server.url
    errors: list[str] = []
    phone_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone_page.on("pageerror", lambda e: errors.append(str(e)))
    house = world.house_a2
    # given a new resident who registers on a phone
    phone_page.goto(f"{base}/accounts/register/")
    phone_page.fill("input[name=name]", "王小二")
    phone_page.fill("input[name=phone]", "13566667777")
    phone_page.fill("input[name=password]", PASSWORD)
    phone_page.fill("input[name=password2]", PASSWORD)
    phone_page.click("main button[type=submit]")
    phone_page.wait_for_url("**/estates/me/bind/")
    assert _no_horizontal_scroll(phone_page)
    # when they pick compound → building → unit → room with the cascading selects
    phone_page.select_option("select[name=compound]", "aaa")
    phone_page.click("form:has(select[name=compound]) button[type=submit]")
    phone_page.wait_for_url("**compound=aaa**")
    phone_page.select_option("#id_building", str(house.building_id))
    phone_page.wait_for_selector("#id_unit")
    phone_page.select_option("#id_unit", str(house.unit_id))
    phone_page.wait_for_selector("#id_house")
    phone_page.select_option("#id_house", str(house.pk))
    owner_choice = phone_page.locator("label.choice", has=phone_page.locator("input[value=owner]"))
    box = owner_choice.bounding_box()
    assert box is not None and box["height"] >= 44
    owner_choice.click()
    assert _no_horizontal_scroll(phone_page)
    phone_page.click("#room-step button[type=submit]")
    # then their home shows the pending request, and nothing of the compound yet
    phone_page.wait_for_url("**/estates/me/")
    assert phone_page.locator(".badge.pending").count() == 1
    assert phone_page.locator(".home-card").count() == 0

    # when the community secretary approves it in the queue
    browser_login(page, base, world.users["secretary"].phone)
    page.goto(f"{base}/estates/bindings/")
    row = page.locator("tr", has_text="王小二")
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("form button[type=submit]").click()
    page.wait_for_url("**/estates/bindings/")
    assert page.locator("tr", has_text="王小二").count() == 0

    # then the resident sees the house and their household
    phone_page.reload()
    card = phone_page.locator(".home-card")
    assert card.count() == 1
    assert "A小区" in card.inner_text()
    assert "王小二" in card.inner_text()
    assert _no_horizontal_scroll(phone_page)
    assert not errors, errors
