"""Real-browser journey on a phone: a resident raises a voice, staff accept and resolve it, the resident rates it."""

from __future__ import annotations

import re

import pytest

from gongzhi.testing.browser import browser_login
from gongzhi.testing.voices_factories import category
from gongzhi.voices.models import Score, Status, Voice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(pg) -> bool:
    return pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _tall_enough(locator, minimum: float = 44) -> bool:
    box = locator.bounding_box()
    return box is not None and box["height"] >= minimum


def test_resident_raises_staff_resolve_resident_rates_on_a_phone(world, live_server, phone_page, page):
    base = live_server.url
    category("其他")  # an earlier transactional test may have flushed the seeded categories
    errors: list[str] = []
    phone_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone_page.on("pageerror", lambda e: errors.append(str(e)))

    # given the resident of compound A on a phone, on "My voices"
    browser_login(phone_page, base, world.users["resident"].phone)
    phone_page.goto(f"{base}/voices/")
    phone_page.click("a.btn[href='/voices/new/']")
    phone_page.wait_for_url("**/voices/new/")
    assert _no_horizontal_scroll(phone_page)
    # when they raise a repair voice about a public area that neighbours may see
    repair = phone_page.locator("label.choice", has=phone_page.locator("input[name=kind][value=repair]"))
    assert _tall_enough(repair)
    repair.click()
    phone_page.fill("textarea[name=text]", "3栋电梯坏了，停了两天")
    phone_page.locator("label.choice", has=phone_page.locator("input[value=public_area]")).click()
    phone_page.check("input[name=is_public]")
    phone_page.click("form.voice-form button[type=submit]:not([name])")
    # then they land on the voice, submitted, with a deadline
    phone_page.wait_for_url(re.compile(r"/voices/\d+/$"))
    voice = Voice.objects.get()
    assert phone_page.locator("h1 .badge.vs-submitted").count() == 1
    assert phone_page.locator(".deadline").count() == 1
    assert _no_horizontal_scroll(phone_page)

    # when the community secretary accepts it and resolves it with a reply
    browser_login(page, base, world.users["secretary"].phone)
    page.goto(f"{base}/voices/queue/")
    page.click(f"a[href='/voices/{voice.pk}/']")
    page.wait_for_url(f"**/voices/{voice.pk}/")
    with page.expect_navigation():
        page.click("button[name=do][value=accept]")
    page.wait_for_selector("h1 .badge.vs-accepted")
    page.fill("form[action$='/resolve/'] textarea[name=reply]", "已更换电梯控制板，恢复运行")
    with page.expect_navigation():
        page.click("button[name=do][value=resolve]")
    page.wait_for_selector("h1 .badge.vs-resolved")

    # then the resident sees the reply and rates it satisfied, which closes the voice
    phone_page.reload()
    phone_page.wait_for_selector(".official-reply")
    assert "已更换电梯控制板" in phone_page.locator(".official-reply").inner_text()
    satisfied = phone_page.locator("label.choice", has=phone_page.locator(f"input[value={Score.SATISFIED}]"))
    assert _tall_enough(satisfied)
    satisfied.click()
    phone_page.fill("form[action$='/rate/'] textarea[name=comment]", "很快，谢谢")
    with phone_page.expect_navigation():
        phone_page.click("form[action$='/rate/'] button[type=submit]")
    phone_page.wait_for_selector("h1 .badge.vs-closed")
    assert phone_page.locator("form[action$='/rate/']").count() == 0
    assert _no_horizontal_scroll(phone_page)
    voice.refresh_from_db()
    assert voice.status == Status.CLOSED and voice.ratings.get().score == Score.SATISFIED
    assert not errors, errors
