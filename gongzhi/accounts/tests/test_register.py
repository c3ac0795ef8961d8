"""Residents register with a mobile number, a name and a password; bad input changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gongzhi.accounts.models import User
from gongzhi.api.tests.helpers import db_state
from gongzhi.core import crypto
from gongzhi.core.models import AuditEvent
from gongzhi.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/register/"
GOOD = {"name": "王芳", "phone": "139 1234 5678", "password": "Lanterns-2026", "password2": "Lanterns-2026"}


def _errors(response: Any) -> dict[str, list[str]]:
    return {k: [str(m) for m in v] for k, v in response.context["form"].errors.items()}


def test_resident_registers_and_is_logged_in_to_ask_for_their_house(client: Client) -> None:
    # when
    response = client.post(URL, GOOD)
    # then
    assert response.status_code == 302
    assert response["Location"] == "/estates/me/bind/"
    user = User.objects.get()
    assert (user.name, user.phone, user.phone_hash) == ("王芳", "13912345678", crypto.phone_hash("13912345678"))
    assert user.check_password("Lanterns-2026")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert AuditEvent.objects.filter(verb="user.register", object_id=str(user.pk)).exists()


def test_registered_phone_is_stored_encrypted(client: Client) -> None:
    from django.db import connection

    client.post(URL, GOOD)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user")
        (stored,) = cursor.fetchone()
    assert "13912345678" not in stored


@pytest.mark.parametrize("phone", ["12345", "23912345678", "1391234567x", "139123456789", "12012345678", ""])
def test_invalid_mobile_number_is_refused(client: Client, phone: str) -> None:
    response = client.post(URL, {**GOOD, "phone": phone})
    assert response.status_code == 200
    assert "phone" in _errors(response)
    assert User.objects.count() == 0


def test_invalid_mobile_number_gets_a_clear_message(client: Client) -> None:
    response = client.post(URL, {**GOOD, "phone": "12345"})
    assert _errors(response)["phone"] == ["Enter an 11-digit mainland mobile number."]


def test_duplicate_mobile_number_is_refused_and_changes_nothing(client: Client) -> None:
    # given someone already registered that number
    UserFactory.create(phone="13912345678", name="先来的")
    before = db_state()
    # when
    response = client.post(URL, {**GOOD, "phone": "+86 139-1234-5678"})
    # then
    assert _errors(response)["phone"] == ["This mobile number is already registered; log in instead."]
    assert db_state() == before
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Ab1-xyz", "too short"),
        ("58293017465", "只包含数字"),  # Django's own zh-hans message
        ("password123", "太常见"),
    ],
)
def test_weak_password_is_refused_with_the_reason(client: Client, password: str, fragment: str) -> None:
    response = client.post(URL, {**GOOD, "password": password, "password2": password})
    assert response.status_code == 200
    assert any(fragment in m for m in _errors(response)["password"])
    assert User.objects.count() == 0


def test_mismatched_passwords_are_refused(client: Client) -> None:
    response = client.post(URL, {**GOOD, "password2": "Lanterns-2027"})
    assert _errors(response)["password2"] == ["The two passwords differ."]
    assert User.objects.count() == 0


@pytest.mark.parametrize("missing", ["name", "phone", "password", "password2"])
def test_missing_field_is_refused(client: Client, missing: str) -> None:
    response = client.post(URL, {k: v for k, v in GOOD.items() if k != missing})
    assert missing in _errors(response)
    assert User.objects.count() == 0


@pytest.mark.parametrize("name", ["x" * 51, "   ", "王\x00芳"])
def test_oversized_blank_or_binary_name_is_refused(client: Client, name: str) -> None:
    response = client.post(URL, {**GOOD, "name": name})
    assert "name" in _errors(response)
    assert User.objects.count() == 0


def test_html_in_the_name_is_stored_as_typed_and_shown_escaped(client: Client) -> None:
    # given a name with markup
    name = "<script>alert(1)</script>"
    # when
    client.post(URL, {**GOOD, "name": name})
    # then it is kept as text
    user = User.objects.get()
    assert user.name == name
    # and every page that shows it escapes it
    html = client.get("/accounts/organizations/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert name not in html


def test_sql_like_name_is_just_a_name(client: Client) -> None:
    name = "Robert'); DROP TABLE accounts_user;--"
    client.post(URL, {**GOOD, "name": name})
    assert User.objects.get().name == name


def test_registration_is_rate_limited_per_address(client: Client) -> None:
    # given ten sign-ups from one address this minute
    for n in range(10):
        client.post(URL, {**GOOD, "phone": f"1391234{n:04d}"}, REMOTE_ADDR="10.0.0.9")
        client.logout()
    before = db_state()
    # when the eleventh comes
    response = client.post(URL, {**GOOD, "phone": "13700000000"}, REMOTE_ADDR="10.0.0.9")
    # then
    assert response.status_code == 200
    assert "Too many sign-ups from this network" in response.content.decode()
    assert db_state() == before


def test_register_page_has_csrf_protection() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, GOOD)
    assert response.status_code == 403
    assert User.objects.count() == 0
