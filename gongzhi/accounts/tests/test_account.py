"""My account: every logged-in user sets their own name and e-mail address; bad input changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongzhi.accounts.services import account_update
from gongzhi.api.tests.helpers import db_state
from gongzhi.core.errors import DomainError, NotAllowed
from gongzhi.core.models import AuditEvent
from gongzhi.testing.world import ALL_ROLES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_edits_only_their_own_account(world: Any, client_for: Any, role: str) -> None:
    # given any user of the world
    user = world.users[role]
    client = client_for(user)
    url = reverse("accounts:me")
    # when they open "my account" and save a new name and address
    page = client.get(url)
    saved = client.post(url, {"name": f"{role}-new", "email": f"{role}@example.com"})
    # then logged-in users change their own account (audited) and nobody else's; anonymous users log in first
    if user is None:
        assert page.status_code == saved.status_code == 302
        assert not AuditEvent.objects.filter(verb="user.account_update").exists()
        return
    assert page.status_code == 200 and "My account" in page.content.decode()
    assert saved.status_code == 302 and saved["Location"] == url
    user.refresh_from_db()
    assert (user.name, user.email) == (f"{role}-new", f"{role}@example.com")
    event = AuditEvent.objects.get(verb="user.account_update")
    assert event.actor_id == user.pk and event.object_id == str(user.pk)
    assert event.after == {"name": f"{role}-new", "email": f"{role}@example.com"}
    others = [u for r, u in world.users.items() if u is not None and r != role]
    assert all(not u.__class__.objects.get(pk=u.pk).email for u in others)


def test_navigation_links_to_my_account(world: Any, client_for: Any) -> None:
    html = client_for(world.users["resident"]).get(reverse("accounts:me")).content.decode()
    assert f'<a class="who" href="{reverse("accounts:me")}"' in html


@pytest.mark.parametrize(
    ("name", "email", "message"),
    [
        ("", "a@example.com", "Enter your name."),
        ("   ", "a@example.com", "Enter your name."),
        ("名" * 51, "a@example.com", "A name has at most 50 characters."),
        ("张三", "not-an-address", "Enter a valid e-mail address, such as name@example.com."),
        ("张三", "a@b", "Enter a valid e-mail address, such as name@example.com."),
        ("张三", "two@at@example.com", "Enter a valid e-mail address, such as name@example.com."),
        ("张三", "<script>@example.com", "Enter a valid e-mail address, such as name@example.com."),
        ("张三", "a" * 250 + "@example.com", "An e-mail address has at most 254 characters."),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_changes_nothing(
    world: Any, client_for: Any, name: str, email: str, message: str
) -> None:
    # given the resident with a name and an address
    user = world.users["resident"]
    user.email = "old@example.com"
    user.save(update_fields=["email"])
    before = db_state()
    # when they submit a bad name or address
    response = client_for(user).post(reverse("accounts:me"), {"name": name, "email": email})
    # then the form says why and nothing changed
    assert response.status_code == 400
    assert message in response.content.decode()
    assert db_state() == before


def test_clearing_the_address_stops_emails_and_is_audited(world: Any, client_for: Any) -> None:
    user = world.users["resident"]
    user.email = "old@example.com"
    user.save(update_fields=["email"])
    client_for(user).post(reverse("accounts:me"), {"name": user.name, "email": ""})
    user.refresh_from_db()
    assert user.email == ""
    event = AuditEvent.objects.get(verb="user.account_update")
    assert (event.before, event.after) == ({"email": "old@example.com"}, {"email": ""})


def test_saving_unchanged_writes_no_audit_event(world: Any, client_for: Any) -> None:
    user = world.users["resident"]
    client_for(user).post(reverse("accounts:me"), {"name": user.name, "email": ""})
    assert not AuditEvent.objects.filter(verb="user.account_update").exists()


def test_address_is_trimmed_and_its_domain_lower_cased(world: Any) -> None:
    user = world.users["resident"]
    account_update(actor=user, user=user, name=" 张三 ", email="  Zhang.San@Example.COM ")
    user.refresh_from_db()
    assert (user.name, user.email) == ("张三", "Zhang.San@example.com")


def test_service_refuses_someone_elses_account_and_bad_addresses(world: Any) -> None:
    resident, secretary = world.users["resident"], world.users["secretary"]
    before = db_state()
    with pytest.raises(NotAllowed):
        account_update(actor=secretary, user=resident, name="x", email="")
    with pytest.raises(DomainError) as caught:
        account_update(actor=resident, user=resident, name="张三", email="nope")
    assert caught.value.field == "email"
    assert db_state() == before
