"""Pages of no domain: home by role, the privacy notice, elder mode; display filters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from gongzhi.core.templatetags.gongzhi import masked_name, masked_phone, percent, yuan

pytestmark = pytest.mark.django_db


def test_home_sends_staff_to_their_compounds_and_residents_to_their_home(world: Any, client_for: Any) -> None:
    assert client_for(world.users["secretary"]).get("/")["Location"] == "/estates/"
    assert client_for(world.users["superuser"]).get("/")["Location"] == "/estates/"
    assert client_for(world.users["resident"]).get("/")["Location"] == "/estates/me/"


def test_home_needs_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_privacy_notice_is_public(client: Client) -> None:
    assert client.get("/privacy/").status_code == 200


def test_elder_mode_switches_on_and_off_and_returns_to_the_page(client: Client) -> None:
    first = client.post("/elder-mode/", {"next": "/privacy/"})
    assert (first["Location"], client.session["elder_mode"]) == ("/privacy/", True)
    assert 'class="elder"' in client.get("/privacy/").content.decode()
    client.post("/elder-mode/", {"next": "/privacy/"})
    assert client.session["elder_mode"] is False


@pytest.mark.parametrize("nxt", ["https://evil.example/", "//evil.example", "javascript:alert(1)"])
def test_elder_mode_never_redirects_off_site(client: Client, nxt: str) -> None:
    assert client.post("/elder-mode/", {"next": nxt})["Location"] == "/"


def test_elder_mode_is_post_only(client: Client) -> None:
    assert client.get("/elder-mode/").status_code == 405


@pytest.mark.parametrize(("value", "shown"), [(Decimal("1234.5"), "¥1,234.50"), (0, "¥0.00"), (None, "—"), ("", "—")])
def test_money_is_shown_in_yuan(value: Any, shown: str) -> None:
    assert yuan(value) == shown


def test_rates_show_no_data_as_a_dash() -> None:
    assert (percent(0.25), percent(0.5034, 2), percent(None)) == ("25.0%", "50.34%", "—")


def test_masking_filters() -> None:
    assert (masked_phone("13800000001"), masked_name("张三"), masked_phone(None)) == ("138****0001", "张*", "")  # type: ignore[arg-type]
