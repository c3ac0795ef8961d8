"""Real browser: the community secretary creates an Open311 key (shown once) and revokes it after confirming."""

from __future__ import annotations

import os
from typing import Any

import pytest

from gongzhi.open311.models import Open311Key
from gongzhi.open311.selectors import key_authenticate
from gongzhi.testing.browser import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_creates_a_key_and_revokes_it(world: Any, live_server: Any, page: Any) -> None:
    base = live_server.url
    shots = os.environ.get("SCREENSHOTS", "")
    # given the secretary of compound A's community on the keys page
    browser_login(page, base, world.users["secretary"].phone)
    page.goto(f"{base}/open311/keys/")
    assert page.locator("p.empty").count() == 1
    # when they create a key for the hotline
    page.select_option("select[name=compound]", str(world.compound_a.pk))
    page.fill("input[name=name]", "12345热线")
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    # then the key is shown once, and it works
    raw = page.input_value("input.open311-key")
    assert key_authenticate(raw).name == "12345热线"
    if shots:
        page.screenshot(path=f"{shots}/open311-key-created.png", full_page=True)
    # and the list shows its prefix only
    page.click("a.btn.wide")
    page.wait_for_url("**/open311/keys/")
    assert raw not in page.content() and raw[:12] in page.content()
    if shots:
        page.screenshot(path=f"{shots}/open311-keys.png", full_page=True)
    # when they revoke it, confirming on the next page
    page.click("a.btn.secondary[href$='/revoke/']")
    page.wait_for_url("**/revoke/")
    if shots:
        page.screenshot(path=f"{shots}/open311-key-revoke.png", full_page=True)
    with page.expect_navigation():
        page.click("button.danger")
    # then it is revoked and says so
    assert Open311Key.objects.get().revoked_at is not None
    assert page.locator(".msg.success").count() == 1
