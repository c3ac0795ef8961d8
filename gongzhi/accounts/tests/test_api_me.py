"""API: GET /api/accounts/me — the logged-in user, their memberships and roles."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.accounts.roles import OrgKind, Role
from gongzhi.api.tests.helpers import error_of
from gongzhi.testing.factories import OrganizationFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def test_me_gives_user_memberships_and_roles(client_for: Any) -> None:
    # given a user in two organizations
    user = UserFactory.create(name="王芳", phone="13912345678")
    community = OrganizationFactory.create(kind=OrgKind.COMMUNITY, name="A社区")
    reps = OrganizationFactory.create(kind=OrgKind.RESIDENTS, name="业主代表")
    member(user, community, Role.GRID_WORKER)
    member(user, reps, Role.REPRESENTATIVE, is_admin=True)
    # when
    response = client_for(user).get("/api/accounts/me")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {"id": user.pk, "name": "王芳", "phone": "139****5678", "is_superuser": False}
    assert body["roles"] == ["grid_worker", "representative"]
    assert sorted((m["organization"]["name"], m["role"], m["is_admin"]) for m in body["memberships"]) == [
        ("A社区", "grid_worker", False),
        ("业主代表", "representative", True),
    ]
    assert body["memberships"][0]["organization"]["kind"] in {"community", "residents"}


def test_me_never_sends_the_full_mobile_number(client_for: Any) -> None:
    user = UserFactory.create(phone="13912345678")
    assert "13912345678" not in client_for(user).get("/api/accounts/me").content.decode()


def test_me_for_a_resident_has_no_memberships(world: Any, client_for: Any) -> None:
    body = client_for(world.users["resident"]).get("/api/accounts/me").json()
    assert (body["memberships"], body["roles"]) == ([], [])


def test_me_marks_the_superuser(world: Any, client_for: Any) -> None:
    assert client_for(world.users["superuser"]).get("/api/accounts/me").json()["user"]["is_superuser"] is True


def test_me_needs_login(client_for: Any) -> None:
    response = client_for(None).get("/api/accounts/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


def test_me_for_a_deactivated_user_is_401(client_for: Any) -> None:
    # given a user whose account was switched off while their session lived on
    user = UserFactory.create()
    client = client_for(user)
    user.is_active = False
    user.save()
    # then
    assert client.get("/api/accounts/me").status_code == 401
