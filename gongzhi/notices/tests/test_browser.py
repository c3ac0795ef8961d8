"""A real browser (headless Chromium): the lobby screen on a 16:9 TV rotating its slides, showing its last content
when the network drops, going blank when its link is revoked; and a resident reading a notice on a phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from gongzhi.notices import lobby
from gongzhi.notices import services as s
from gongzhi.notices.models import ReadReceipt
from gongzhi.testing.browser import browser_login
from gongzhi.testing.notices_factories import LobbyScreenFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIVE_TITLE = "#lobby-slides .slide.active .slide-title"


@pytest.fixture
def tv(chromium: Any) -> Iterator[tuple[Any, list[str]]]:
    """A 1920×1080 page (a lobby TV) and the console errors it logged."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page, errors
    context.close()


@pytest.fixture
def fast_screen(settings: Any) -> None:
    settings.NOTICES_LOBBY_ROTATE_SECONDS = 3
    settings.NOTICES_LOBBY_REFRESH_SECONDS = 5


def test_the_lobby_screen_rotates_its_slides(world, live_server, tv, write, fast_screen):
    page, errors = tv
    # given two current notices (one pinned) and a screen
    write(title="置顶：电梯检修通知", is_pinned=True)
    write(title='文明养犬 <img src=x onerror="document.title=1">')
    screen = LobbyScreenFactory.create(compound=world.compound_a)
    # when the TV opens the screen's link
    page.goto(live_server.url + lobby.screen_path(screen))
    page.wait_for_selector("#lobby[data-state=live]")
    # then it shows the pinned notice first, and three slides (two notices, the figures)
    assert page.get_attribute("#lobby", "data-slides") == "3"
    first = page.inner_text(ACTIVE_TITLE)
    assert first == "置顶：电梯检修通知"
    # and after a few seconds it has moved on to the next slide by itself
    page.wait_for_function(
        "t => document.querySelector('#lobby-slides .slide.active .slide-title').textContent !== t",
        arg=first,
        timeout=10_000,
    )
    second = page.inner_text(ACTIVE_TITLE)
    # the title with HTML in it is shown as text, never run
    assert second == '文明养犬 <img src=x onerror="document.title=1">'
    assert page.locator("#lobby-slides img[src=x]").count() == 0
    assert page.title() != "1"
    # and the slides are big enough to read from across the lobby
    size = page.eval_on_selector(ACTIVE_TITLE, "e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 60
    assert not errors, errors


def test_the_lobby_screen_keeps_its_last_content_when_the_network_drops(world, live_server, tv, write, fast_screen):
    page, _errors = tv
    # given a screen that has shown its content once
    write(title="停水通知：周六全天")
    screen = LobbyScreenFactory.create(compound=world.compound_a)
    url = live_server.url + lobby.screen_path(screen)
    page.goto(url)
    page.wait_for_selector("#lobby[data-state=live]")
    assert "停水通知：周六全天" in page.text_content("#lobby-slides")
    assert page.is_hidden("#lobby-offline")
    # when the network to the content drops (the browser's requests fail) and the screen refreshes
    page.route("**/content.json", lambda route: route.abort("internetdisconnected"))
    page.wait_for_selector("#lobby[data-state=offline]", timeout=15_000)
    # then it still shows the last content, marked "offline since"
    assert "停水通知：周六全天" in page.text_content("#lobby-slides")
    assert page.is_visible("#lobby-offline")
    assert "Offline since" in page.inner_text("#lobby-offline")
    # and even after the TV reloads the page, it shows the last content it kept
    page.reload()
    page.wait_for_selector("#lobby[data-state=offline]")
    assert "停水通知：周六全天" in page.text_content("#lobby-slides")
    # when the network comes back, the marker goes
    page.unroute("**/content.json")
    page.wait_for_selector("#lobby[data-state=live]", timeout=15_000)
    assert page.is_hidden("#lobby-offline")


def test_a_revoked_screen_goes_blank_at_its_next_refresh(world, live_server, tv, write, fast_screen):
    page, _errors = tv
    write(title="社区公告")
    screen = LobbyScreenFactory.create(compound=world.compound_a)
    page.goto(live_server.url + lobby.screen_path(screen))
    page.wait_for_selector("#lobby[data-state=live]")
    # when staff revoke its link
    s.lobby_screen_revoke(actor=world.users["secretary"], screen=screen)
    # then at its next refresh it shows only the error, and keeps nothing for later
    page.wait_for_selector("#lobby[data-state=refused]", timeout=15_000)
    text = page.text_content("#lobby-slides")
    assert "社区公告" not in text and "no longer valid" in text
    assert page.evaluate(f"localStorage.getItem('gongzhi-lobby-{screen.pk}')") is None


def test_a_resident_reads_a_notice_on_a_phone(world, live_server, phone_page, write):
    page = phone_page
    # given a pinned notice and another one
    write(title="置顶：消防演练", is_pinned=True, body="本周五下午3点消防演练。\n\n请配合疏散。")
    write(title="垃圾分类宣传")
    # when the resident logs in on the phone and opens the notices from the menu
    browser_login(page, live_server.url, world.users["resident"].phone)
    page.click("#nav-notices")
    # then both are listed, the pinned one first, both unread
    items = page.locator("#resident-notices .notice-item")
    assert items.count() == 2
    assert "置顶：消防演练" in items.nth(0).inner_text()
    assert page.locator("#resident-notices .notice-item.unread").count() == 2
    # the list fits the phone's width (no sideways scrolling)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # when they tap the pinned notice, they read it in paragraphs
    items.nth(0).locator("a").click()
    page.wait_for_selector("#notice-body")
    assert page.locator("#notice-body p").count() == 2
    assert ReadReceipt.objects.filter(user=world.users["resident"]).count() == 1
    # and back on the list it is no longer unread
    page.goto(live_server.url + reverse("notices:list"))
    assert page.locator("#resident-notices .notice-item.unread").count() == 1
