"""Helpers for Playwright tests."""

from __future__ import annotations

from typing import Any

from .factories import PASSWORD


def browser_login(page: Any, base_url: str, phone: str, password: str = PASSWORD) -> None:
    """Log in through the real log-in form."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
