"""The notification centre on a phone: the badge, opening a notification, marking all read."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.notifications.models import Notification
from gongzhi.notifications.services import notify
from gongzhi.testing.browser import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(pg: Any) -> bool:
    return bool(pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_resident_reads_notifications_on_a_phone(world: Any, live_server: Any, phone_page: Any) -> None:
    # given a resident with two unread notifications, one about their voices
    resident = world.users["resident"]
    errors: list[str] = []
    phone_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone_page.on("pageerror", lambda e: errors.append(str(e)))
    notify(recipients=[resident], verb="test", title="您的诉求已受理", link="/voices/", dedup_key="a")
    notify(recipients=[resident], verb="test", title="物业回复了您的诉求", dedup_key="b")
    base = live_server.url
    browser_login(phone_page, base, resident.phone)
    # then the bell in the header shows 2, and a tap opens the centre, which fits the screen
    bell = phone_page.locator("a.bell")
    assert bell.locator(".count").inner_text().startswith("2")
    box = bell.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    bell.click()
    phone_page.wait_for_url("**/notifications/")
    assert phone_page.locator("li.notice.unread").count() == 2
    assert _no_horizontal_scroll(phone_page)
    # when they tap the first, they land on its page and the badge shows 1
    with phone_page.expect_navigation():
        phone_page.click("text=您的诉求已受理")
    assert phone_page.url.endswith("/voices/")
    assert phone_page.locator("a.bell .count").inner_text().startswith("1")
    # when they mark all read, no badge is left
    phone_page.goto(f"{base}/notifications/")
    with phone_page.expect_navigation():
        phone_page.click("text=Mark all as read")
    assert phone_page.locator("a.bell .count").count() == 0
    assert phone_page.locator("li.notice.unread").count() == 0
    assert not Notification.objects.filter(recipient=resident, read_at__isnull=True).exists()
    assert not errors, errors
