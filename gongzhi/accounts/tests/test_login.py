from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.models import AuditEvent
from gongzhi.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_with_mobile_and_password_lands_on_home(client):
    # given
    user = UserFactory.create(phone="13912345678")
    # when
    response = client.post(reverse("accounts:login"), {"phone": "139 1234 5678", "password": PASSWORD})
    # then
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    assert AuditEvent.objects.filter(verb="user.login", object_id=str(user.pk)).exists()


def test_wrong_password_shows_clear_error_and_counts_failure(client):
    user = UserFactory.create()
    response = client.post(reverse("accounts:login"), {"phone": user.phone, "password": "wrong-password"})
    assert response.status_code == 200
    assert (
        "Wrong mobile number or password." in response.content.decode()
        or "手机号或密码错误" in response.content.decode()
    )
    user.refresh_from_db()
    assert user.failed_logins == 1
    assert "_auth_user_id" not in client.session


def test_account_locks_after_repeated_failures_even_with_right_password(client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    user = UserFactory.create()
    for _ in range(3):
        client.post(reverse("accounts:login"), {"phone": user.phone, "password": "nope-nope"})
    user.refresh_from_db()
    assert user.locked_until is not None and user.locked_until > timezone.now()
    response = client.post(reverse("accounts:login"), {"phone": user.phone, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(verb="user.locked", object_id=str(user.pk)).count() == 1


def test_unknown_number_gets_same_error_as_wrong_password(client):
    response = client.post(reverse("accounts:login"), {"phone": "13700000000", "password": "whatever1"})
    assert response.status_code == 200
    assert User.objects.count() == 0
