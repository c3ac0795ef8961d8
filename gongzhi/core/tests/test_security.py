"""Security defaults: the Content-Security-Policy, rate limits, production settings that refuse to start unsafe."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client, RequestFactory

from gongzhi.core import ratelimit
from gongzhi.core.middleware import CSP

ROOT = Path(django_settings.BASE_DIR)


# ---------------------------------------------------------------- CSP


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/privacy/", "/api/accounts/me", "/api/docs", "/nope/"])
def test_every_response_carries_the_content_security_policy(client: Client, url: str) -> None:
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert csp == CSP
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Permissions-Policy"].startswith("geolocation=()")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_pages_carry_no_inline_script(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert "<script>" not in html and " onclick=" not in html


# ---------------------------------------------------------------- rate limit


def test_rate_limit_counts_hits_in_a_window(monkeypatch: Any) -> None:
    # given a fixed clock
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_000_020.0)
    hits = [ratelimit.rate_limit_hit(scope="t1", key="10.0.0.1", limit=3) for _ in range(5)]
    # then the fourth and fifth are over the limit
    assert hits == [False, False, False, True, True]


def test_rate_limit_keeps_keys_and_scopes_apart(monkeypatch: Any) -> None:
    monkeypatch.setattr(ratelimit.time, "time", lambda: 2_000_020.0)
    assert not ratelimit.rate_limit_hit(scope="t2", key="a", limit=1)
    assert ratelimit.rate_limit_hit(scope="t2", key="a", limit=1)
    assert not ratelimit.rate_limit_hit(scope="t2", key="b", limit=1)
    assert not ratelimit.rate_limit_hit(scope="t3", key="a", limit=1)


def test_rate_limit_starts_again_in_the_next_window(monkeypatch: Any) -> None:
    now = [3_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    assert not ratelimit.rate_limit_hit(scope="t4", key="a", limit=1)
    assert ratelimit.rate_limit_hit(scope="t4", key="a", limit=1)
    now[0] += 60
    assert not ratelimit.rate_limit_hit(scope="t4", key="a", limit=1)


def test_client_address_is_the_remote_address() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert ratelimit.client_address(request) == "10.1.2.3"  # a client cannot choose its own bucket


def test_behind_a_trusted_proxy_the_address_it_saw_counts(settings: Any) -> None:
    # given one reverse proxy in front, which appends the address it saw
    settings.TRUSTED_PROXY_HOPS = 1
    # when a client sends a forged X-Forwarded-For of its own
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    # then the proxy's entry is used, not the forged one
    assert ratelimit.client_address(request) == "203.0.113.9"


def test_trusted_proxy_setting_without_the_header_falls_back_to_the_remote_address(settings: Any) -> None:
    settings.TRUSTED_PROXY_HOPS = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert ratelimit.client_address(request) == "10.1.2.3"


# ---------------------------------------------------------------- production settings


# Set by the test run (Playwright needs it), never in a deployment: the deploy check rightly refuses it.
UNSET = {"SECRET_KEY", "DEBUG", "PHONE_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}


def _production(tmp_path: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in UNSET}
    full_env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


SETUP = "import django; django.setup()"
GOOD_ENV = {"SECRET_KEY": secrets.token_urlsafe(64), "PHONE_KEY": secrets.token_urlsafe(32)}


def test_production_starts_with_a_real_secret_and_phone_key(tmp_path: Path) -> None:
    result = _production(tmp_path, SETUP, **GOOD_ENV)
    assert result.returncode == 0, result.stderr


def test_production_refuses_the_default_secret_key(tmp_path: Path) -> None:
    result = _production(tmp_path, SETUP, PHONE_KEY=GOOD_ENV["PHONE_KEY"])
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    result = _production(tmp_path, SETUP, SECRET_KEY="short", PHONE_KEY=GOOD_ENV["PHONE_KEY"])
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug(tmp_path: Path) -> None:
    result = _production(tmp_path, SETUP, DEBUG="1", **GOOD_ENV)
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_refuses_the_default_phone_key(tmp_path: Path) -> None:
    result = _production(tmp_path, SETUP, SECRET_KEY=GOOD_ENV["SECRET_KEY"])
    assert result.returncode != 0
    assert "PHONE_KEY" in result.stderr


def test_deploy_check_is_clean_under_production_settings(tmp_path: Path) -> None:
    code = (
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )
    result = _production(tmp_path, code, **GOOD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
