"""Log-in by mobile and password: lock-out with a clear message, IP rate limit, safe redirects, POST-only log-out."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.models import AuditEvent
from gongzhi.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_login_with_mobile_and_password_lands_on_home(client: Client) -> None:
    # given
    user = UserFactory.create(phone="13912345678")
    # when the number is typed with spaces
    response = client.post(reverse("accounts:login"), {"phone": "139 1234 5678", "password": PASSWORD})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert AuditEvent.objects.filter(verb="user.login", object_id=str(user.pk)).exists()


def test_wrong_password_shows_clear_error_and_counts_failure(client: Client) -> None:
    user = UserFactory.create()
    response = client.post(LOGIN, {"phone": user.phone, "password": "wrong-password"})
    assert response.status_code == 200
    assert "Wrong mobile number or password." in response.content.decode()
    user.refresh_from_db()
    assert user.failed_logins == 1
    assert not _logged_in(client)


def test_unknown_number_gets_same_error_as_wrong_password(client: Client) -> None:
    response = client.post(LOGIN, {"phone": "13700000000", "password": "whatever1"})
    assert response.status_code == 200
    assert "Wrong mobile number or password." in response.content.decode()
    assert User.objects.count() == 0


def test_the_failure_that_locks_the_account_says_so_with_the_minutes_left(client: Client, settings: Any) -> None:
    # given a limit of three failures and a lock of 15 minutes
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_MINUTES = 15
    user = UserFactory.create()
    # when the third wrong password is sent
    for _ in range(2):
        client.post(LOGIN, {"phone": user.phone, "password": "nope-nope"})
    response = client.post(LOGIN, {"phone": user.phone, "password": "nope-nope"})
    # then
    assert "this account is locked. Try again in 15 minutes." in response.content.decode()
    user.refresh_from_db()
    assert user.locked_until is not None and user.locked_until > timezone.now()
    assert AuditEvent.objects.filter(verb="user.locked", object_id=str(user.pk)).count() == 1


def test_locked_account_refuses_even_the_right_password(client: Client, settings: Any) -> None:
    # given an account locked for another 90 seconds
    user = UserFactory.create()
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + datetime.timedelta(seconds=90))
    # when
    response = client.post(LOGIN, {"phone": user.phone, "password": PASSWORD})
    # then the minutes left are rounded up
    assert response.status_code == 200
    assert "this account is locked. Try again in 2 minutes." in response.content.decode()
    assert not _logged_in(client)


def test_lock_message_says_one_minute_in_the_singular(client: Client) -> None:
    user = UserFactory.create()
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + datetime.timedelta(seconds=20))
    response = client.post(LOGIN, {"phone": user.phone, "password": PASSWORD})
    assert "Try again in 1 minute." in response.content.decode()


def test_account_opens_again_when_the_lock_expires(client: Client) -> None:
    # given a lock that has just run out
    user = UserFactory.create()
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - datetime.timedelta(seconds=1), failed_logins=2)
    # when
    response = client.post(LOGIN, {"phone": user.phone, "password": PASSWORD})
    # then
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_too_many_attempts_from_one_address_are_refused(client: Client, settings: Any) -> None:
    # given a limit of two attempts a minute per address
    settings.LOGIN_RATE_PER_MINUTE = 2
    user = UserFactory.create()
    for _ in range(2):
        client.post(LOGIN, {"phone": user.phone, "password": "nope-nope"}, REMOTE_ADDR="10.0.0.1")
    # when the third comes, even with the right password
    response = client.post(LOGIN, {"phone": user.phone, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    # then
    assert "Too many log-in attempts from this network" in response.content.decode()
    assert not _logged_in(client)
    user.refresh_from_db()
    assert user.failed_logins == 2  # the refused attempt was not even tried


def test_rate_limit_is_per_address(client: Client, settings: Any) -> None:
    settings.LOGIN_RATE_PER_MINUTE = 1
    user = UserFactory.create()
    client.post(LOGIN, {"phone": user.phone, "password": "nope-nope"}, REMOTE_ADDR="10.0.0.1")
    response = client.post(LOGIN, {"phone": user.phone, "password": PASSWORD}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 302


def test_login_follows_a_local_next(client: Client) -> None:
    user = UserFactory.create()
    response = client.post(
        f"{LOGIN}?next=/accounts/organizations/", {"phone": user.phone, "password": PASSWORD, "next": ""}
    )
    assert response["Location"] == "/accounts/organizations/"


@pytest.mark.parametrize(
    "nxt",
    [
        "https://evil.example/",
        "//evil.example/",
        "http://evil.example/accounts/",
        "javascript:alert(1)",
        "/\\evil.example",
        "\\\\evil.example",
        "https:evil.example",
    ],
)
def test_login_next_cannot_redirect_to_another_site(client: Client, nxt: str) -> None:
    # given
    user = UserFactory.create()
    # when next comes in the query string or the form
    via_query = client.post(LOGIN, {"phone": user.phone, "password": PASSWORD}, QUERY_STRING=f"next={nxt}")
    client.logout()
    via_form = client.post(LOGIN, {"phone": user.phone, "password": PASSWORD, "next": nxt})
    # then both land on home
    assert via_query.status_code == 302 and via_query["Location"] == "/"
    assert via_form.status_code == 302 and via_form["Location"] == "/"


def test_login_page_puts_next_back_escaped(client: Client) -> None:
    response = client.get(LOGIN, {"next": '"><script>alert(1)</script>'})
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&quot;&gt;&lt;script&gt;" in html


def test_logout_is_post_only(client_for: Any) -> None:
    # given
    user = UserFactory.create()
    client = client_for(user)
    # when a link (GET) tries to log the user out
    response = client.get("/accounts/logout/")
    # then nothing happens
    assert response.status_code == 405
    assert _logged_in(client)


def test_logout_by_post_ends_the_session(client_for: Any) -> None:
    client = client_for(UserFactory.create())
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert not _logged_in(client)


def test_login_form_refuses_a_null_byte(client: Client) -> None:
    response = client.post(LOGIN, {"phone": "139\x0012345678", "password": PASSWORD})
    assert response.status_code == 200
    assert not _logged_in(client)


def test_deactivated_user_cannot_log_in(client: Client) -> None:
    user = UserFactory.create(is_active=False)
    response = client.post(LOGIN, {"phone": user.phone, "password": PASSWORD})
    assert response.status_code == 200
    assert not _logged_in(client)
