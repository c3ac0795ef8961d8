"""The admin fallback: every model registered, phones re-hashed on edit, every write audited."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from gongzhi.accounts.models import User
from gongzhi.core.models import AuditEvent
from gongzhi.testing.factories import HouseFactory, UserFactory

pytestmark = pytest.mark.django_db

OWN_APPS = (
    "core",
    "accounts",
    "estates",
    "voices",
    "notifications",
    "open311",
    "finance",
    "meetings",
    "activities",
    "duty",
    "notices",
    "insights",
)


def test_every_model_of_the_project_has_an_admin():
    missing = [
        m._meta.label for m in apps.get_models() if m._meta.app_label in OWN_APPS and not admin.site.is_registered(m)
    ]
    assert missing == []


def test_changing_a_phone_in_the_admin_moves_the_log_in_to_the_new_number(client):
    # given a superuser and a user
    boss = UserFactory.create(is_superuser=True, is_staff=True)
    user = UserFactory.create(name="老号码", phone="13911112222")
    client.force_login(boss, backend="gongzhi.accounts.backends.PhoneBackend")
    # when the phone is changed in the admin
    url = reverse("admin:accounts_user_change", args=[user.pk])
    response = client.post(
        url,
        {
            "name": "老号码",
            "phone": "13933334444",
            "is_active": "on",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    # then the new number finds the user, the old one no longer does, and the change is audited
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get_by_natural_key("13933334444").pk == user.pk
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key("13911112222")
    assert AuditEvent.objects.filter(verb="admin.change", object_id=str(user.pk)).exists()


def test_house_status_is_read_only_in_the_admin(client):
    boss = UserFactory.create(is_superuser=True, is_staff=True)
    house = HouseFactory.create()
    client.force_login(boss, backend="gongzhi.accounts.backends.PhoneBackend")
    body = client.get(reverse("admin:estates_house_change", args=[house.pk])).content.decode()
    assert 'name="status"' not in body
