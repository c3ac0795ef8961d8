"""A real browser (headless Chromium) through the ledger import: upload → preview → confirm → progress → done.

Tasks are queued but not run (the dummy backend); the test plays the worker between the browser's steps,
so the page's htmx progress bar is seen polling and then moving on by itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from gongzhi.estates.ledger.imports import ledger_import_apply, ledger_import_check
from gongzhi.estates.models import House, ImportStatus, LedgerImport
from gongzhi.testing.browser import browser_login

from .ledger_files import house, houses, xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUE_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _no_favicon(page):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def test_staff_uploads_previews_confirms_and_watches_the_import_finish(world, live_server, page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    ledger = Path(tmp_path / "houses.xlsx")
    ledger.write_bytes(xlsx_bytes([*houses(3), house(room="1702", owner_name="<b>王五</b>")]))
    with override_settings(TASKS=QUEUE_ONLY):
        # given the community secretary on compound A's ledger page
        browser_login(page, live_server.url, world.users["secretary"].phone)
        page.goto(f"{live_server.url}/estates/c/aaa/imports/")
        # when they upload a ledger
        page.set_input_files("input[type=file]", str(ledger))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_url("**/imports/*/")
        ledger_import = LedgerImport.objects.get()
        # then a progress bar polls while the worker checks the file…
        assert page.locator("#import-progress progress").count() == 1
        ledger_import_check(ledger_import_id=ledger_import.pk)
        # …and the preview appears by itself, counting the houses and showing names as text
        page.wait_for_selector("#import-preview", timeout=10_000)
        assert page.locator("#count-created").inner_text() == "4"
        assert page.locator("#import-changes td", has_text="<b>王五</b>").count() == 1
        assert page.locator("#import-changes b").count() == 0
        # when they confirm
        page.click("#confirm")
        page.wait_for_selector("#import-progress progress")
        ledger_import.refresh_from_db()
        assert ledger_import.status == ImportStatus.APPLYING
        # then the worker applies it and the page shows the result without a reload by hand
        ledger_import_apply(ledger_import_id=ledger_import.pk)
        page.wait_for_selector("#import-done", timeout=10_000)
        assert "4" in page.locator("#import-done").inner_text()
    assert House.objects.filter(compound=world.compound_a, room="1702").get().owner_name == "<b>王五</b>"


def test_the_progress_bar_follows_the_worker(world, live_server, page):
    # given an import being applied, a quarter done
    compound = world.compound_a
    ledger_import = LedgerImport.objects.create(
        community_id=compound.community_id,
        compound=compound,
        original_name="big.xlsx",
        file="x.xlsx",
        status=ImportStatus.APPLYING,
        rows_done=250,
        rows_total=1000,
    )
    browser_login(page, live_server.url, world.users["property_manager"].phone)
    page.goto(f"{live_server.url}/estates/c/aaa/imports/{ledger_import.pk}/")
    assert page.locator("#import-progress progress").get_attribute("value") == "25"
    # when the worker moves on
    LedgerImport.objects.filter(pk=ledger_import.pk).update(rows_done=750)
    # then the bar follows within a few polls
    expect(page.locator("#import-progress progress")).to_have_attribute("value", "75", timeout=5_000)
