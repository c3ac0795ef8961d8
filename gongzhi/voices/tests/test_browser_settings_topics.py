"""Routing & deadlines and hot topics in a real browser: confirmations, phones, the copy-ready agenda."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.testing.browser import browser_login
from gongzhi.testing.voices_factories import VoiceFactory, category
from gongzhi.voices.models import DeadlinePolicy, Kind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(pg: Any) -> bool:
    return bool(pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_secretary_sets_and_resets_a_deadline_after_confirming(world: Any, live_server: Any, page: Any) -> None:
    # given the community secretary on the settings page of community A
    category("其他")  # an earlier transactional test may have flushed the seeded categories
    DeadlinePolicy.objects.get_or_create(
        community=None, category=None, kind=Kind.REPAIR, defaults={"response_hours": 24, "resolution_hours": 72}
    )
    base = live_server.url
    browser_login(page, base, world.users["secretary"].phone)
    page.goto(f"{base}/voices/settings/")
    page.wait_for_url(f"**/voices/settings/{world.compound_a.community_id}/")
    # when they edit the repair row and dismiss the confirmation, nothing is saved
    page.click("tr:has(td:text('Repair')) >> text=Edit")
    page.fill("input[name=response_hours]", "6")
    page.fill("input[name=resolution_hours]", "30")
    page.click("button:text('Save deadlines')")  # the dialog is dismissed by default
    assert not DeadlinePolicy.objects.filter(community__isnull=False).exists()
    # when they accept it, the row becomes this community's
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("button:text('Save deadlines')")
    own = DeadlinePolicy.objects.get(community=world.compound_a.community, kind=Kind.REPAIR, category=None)
    assert (own.response_hours, own.resolution_hours) == (6, 30)
    assert page.locator("tr.override").count() == 1
    # when they reset it and confirm, the default applies again
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("tr.override >> text=Reset to default")
    assert not DeadlinePolicy.objects.filter(community__isnull=False).exists()
    assert page.locator("tr.override").count() == 0


def test_settings_and_hot_topics_fit_a_phone(world: Any, live_server: Any, phone_page: Any) -> None:
    # given open lift voices in compound A and the secretary on a phone
    category("其他")
    for text in ("电梯坏了停运", "电梯故障停运", "电梯坏了没人修"):
        VoiceFactory.create(compound=world.compound_a, text=text)
    base = live_server.url
    browser_login(phone_page, base, world.users["secretary"].phone)
    # then the settings page (a card per deadline row) and the hot topics fit the screen
    phone_page.goto(f"{base}/voices/settings/{world.compound_a.community_id}/")
    assert _no_horizontal_scroll(phone_page)
    phone_page.goto(f"{base}/voices/topics/")
    phone_page.wait_for_url("**/voices/topics/aaa/")
    assert phone_page.locator("li.topic").count() == 1
    assert phone_page.locator("svg.spark rect.bar").count() == 28
    assert _no_horizontal_scroll(phone_page)
    # the agenda's text is ready to copy; the copy and print buttons appear with JavaScript
    assert "电梯" in phone_page.locator("#agenda-text").input_value()
    assert phone_page.locator("button[data-copy]").is_visible()
    assert phone_page.locator("button[data-print]").is_visible()
