"""Shared pytest fixtures: the role world, logged-in clients, and a real headless Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db: Any) -> Any:
    from gongzhi.testing.world import build_world

    return build_world()


@pytest.fixture
def client_for(client: Any) -> Any:
    """``client_for(user)``: the test client logged in as ``user`` (anonymous for None)."""

    def make(user: Any) -> Any:
        client.logout()
        if user is not None:
            client.force_login(user, backend="gongzhi.accounts.backends.PhoneBackend")
        return client

    return make


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A desktop-sized page with zh-CN locale; console errors fail the test."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not errors, f"browser console errors: {errors}"


@pytest.fixture
def phone_page(chromium: Any) -> Iterator[Any]:
    """A phone-sized page (390×844), as residents use the platform."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = context.new_page()
    yield pg
    context.close()
