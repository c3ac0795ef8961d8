"""The key pages (/open311/keys/): every role × list, create, revoke; the key is shown once; bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gongzhi.core.models import AuditEvent
from gongzhi.open311.models import Open311Key
from gongzhi.open311.selectors import key_authenticate, manages_keys
from gongzhi.open311.services import open311_key_create
from gongzhi.testing.world import ALL_ROLES

from .helpers import state

pytestmark = pytest.mark.django_db
KEYS = "/open311/keys/"
MANAGERS = {"secretary", "community_staff", "superuser"}


def _key(world: Any, compound: str = "a") -> Open311Key:
    target = world.compound_a if compound == "a" else world.compound_b
    return open311_key_create(actor=None, compound=target, name=f"{compound}热线")[0]


def _list(client: Any, world: Any) -> tuple[Any, bool]:
    response = client.get(KEYS)
    return response, response.status_code == 200 and "a热线" in response.content.decode()


def _create(client: Any, world: Any) -> tuple[Any, bool]:
    response = client.post(KEYS + "new/", {"compound": world.compound_a.pk, "name": "新系统"})
    return response, response.status_code == 200 and Open311Key.objects.filter(name="新系统").exists()


def _revoke(client: Any, world: Any) -> tuple[Any, bool]:
    key = Open311Key.objects.get(name="a热线")
    confirm = client.get(KEYS + f"{key.pk}/revoke/")
    response = client.post(KEYS + f"{key.pk}/revoke/")
    key.refresh_from_db()
    done = confirm.status_code == 200 and response.status_code == 302 and key.revoked_at is not None
    return (response if done else confirm), done


ACTIONS: dict[str, Callable[[Any, Any], tuple[Any, bool]]] = {"list": _list, "create": _create, "revoke": _revoke}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_community_staff_of_the_compound_manage_its_keys(world: Any, client_for: Any, action: str) -> None:
    _key(world)
    allowed = set()
    for role in ALL_ROLES:
        # each role starts from the same keys: compound A's active, no new one
        Open311Key.objects.filter(name="新系统").delete()
        Open311Key.objects.filter(name="a热线").update(revoked_at=None)
        before = state()
        response, done = ACTIONS[action](client_for(world.users[role]), world)
        if done:
            allowed.add(role)
            continue
        # refused: the 403 page (or the log-in page for the anonymous), and nothing changed
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == 403, (role, response.status_code)
        assert state() == before, role
    assert allowed == MANAGERS, f"{action}: allowed {sorted(allowed)}"
    # and the navigation helper agrees with the pages
    assert {role for role in ALL_ROLES if manages_keys(world.users[role])} == MANAGERS


def test_a_new_key_is_shown_once_and_only_its_hash_is_stored(world: Any, client_for: Any) -> None:
    client = client_for(world.users["secretary"])
    # when the secretary creates a key
    response = client.post(KEYS + "new/", {"compound": world.compound_a.pk, "name": "12345热线"})
    # then the page shows it, and tells no cache to keep the page
    assert response.status_code == 200
    raw = response.context["raw"]
    assert raw.startswith("o311_") and raw in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # and the key works, stored only as its hash and a short prefix
    key = key_authenticate(raw)
    assert (key.name, key.compound, key.created_by) == ("12345热线", world.compound_a, world.users["secretary"])
    assert key.prefix == raw[:12] and key.key_hash != raw
    for row in Open311Key.objects.values():
        assert raw not in str(row)
    assert raw not in str(list(AuditEvent.objects.values()))
    assert raw not in str(dict(client.session))
    # and the list shows the prefix, never the key again
    listing = client.get(KEYS).content.decode()
    assert key.prefix in listing and raw not in listing


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": " "}, "name"),
        ({"name": "长" * 101}, "name"),
        ({"compound": "other"}, "compound"),
    ],
)
def test_bad_key_input_is_refused_with_nothing_changed(
    world: Any, client_for: Any, data: dict[str, Any], field: str
) -> None:
    client = client_for(world.users["community_staff"])
    fields = {"compound": world.compound_a.pk, "name": "系统", **data}
    if fields["compound"] == "other":
        fields["compound"] = world.compound_b.pk  # out of the staff's community
    before = state()
    response = client.post(KEYS + "new/", fields)
    # then the form says what is wrong with which field (Django's own wording), and nothing changed
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and all(str(e) in response.content.decode() for e in errors[field])
    assert state() == before


def test_staff_see_only_their_own_communitys_keys(world: Any, client_for: Any) -> None:
    _key(world, "a")
    b_key = _key(world, "b")
    client = client_for(world.users["secretary"])
    page = client.get(KEYS).content.decode()
    assert "a热线" in page and "b热线" not in page
    before = state()
    assert client.get(KEYS + f"{b_key.pk}/revoke/").status_code == 403
    assert client.post(KEYS + f"{b_key.pk}/revoke/").status_code == 403
    assert client.post(KEYS + "999999/revoke/").status_code == 404
    assert state() == before


def test_revoking_asks_first_and_a_revoked_key_no_longer_works(world: Any, client_for: Any, client: Any) -> None:
    key, raw = open311_key_create(actor=None, compound=world.compound_a, name="旧系统")
    staff = client_for(world.users["community_staff"])
    # the confirmation page names the key and changes nothing
    confirm = staff.get(KEYS + f"{key.pk}/revoke/")
    assert "旧系统" in confirm.content.decode() and "Yes, revoke it" in confirm.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None
    # revoking it
    response = staff.post(KEYS + f"{key.pk}/revoke/", follow=True)
    assert "Key “旧系统” is revoked: it no longer works." in response.content.decode()
    assert AuditEvent.objects.filter(verb="open311.key_revoke", object_id=str(key.pk)).exists()
    # a second revocation is a clear message and changes nothing
    before = state()
    again = staff.post(KEYS + f"{key.pk}/revoke/", follow=True)
    assert "This key has already been revoked." in again.content.decode()
    assert state() == before
    # and the key is refused
    posted = client.post("/open311/v2/requests.json", {"api_key": raw, "jurisdiction_id": "aaa"})
    assert posted.status_code == 403


def test_the_admin_shows_keys_read_only_and_never_their_hash(world: Any, client_for: Any) -> None:
    key = _key(world)
    client = client_for(world.users["superuser"])
    listing = client.get("/admin/open311/open311key/")
    detail = client.get(f"/admin/open311/open311key/{key.pk}/change/")
    assert listing.status_code == 200 and detail.status_code == 200
    assert key.key_hash not in listing.content.decode() + detail.content.decode()
    assert client.get("/admin/open311/open311key/add/").status_code == 403
