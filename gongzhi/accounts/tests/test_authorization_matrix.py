"""The accounts authorization matrix (DESIGN rule 2): every role × every organization action.

"Own" is the organization the role belongs to in ``gongzhi.testing.world`` (people without one aim at the
community of compound A); "other" is an organization nobody of the world belongs to. Members see their
organization's page; only its administrators (the world makes secretaries and property managers
administrators) invite and withdraw invitations; the superuser does everything. Denied means 403 or 404, with
nothing of the organization in the body and nothing changed; anonymous visitors are sent to the log-in page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from gongzhi.accounts import services
from gongzhi.accounts.models import Invitation, Organization
from gongzhi.accounts.roles import ROLES_BY_KIND, OrgKind, Role
from gongzhi.api.tests.helpers import db_state
from gongzhi.testing.factories import OrganizationFactory, UserFactory, member
from gongzhi.testing.world import ALL_ROLES, STAFF_ROLES, World

pytestmark = pytest.mark.django_db

VIEW_OWN = "view own"
VIEW_OTHER = "view other"
INVITE_OWN = "invite own"
INVITE_OTHER = "invite other"
REVOKE_OWN = "revoke own"
REVOKE_OTHER = "revoke other"
COLUMNS = (VIEW_OWN, VIEW_OTHER, INVITE_OWN, INVITE_OTHER, REVOKE_OWN, REVOKE_OTHER)

# Y = allowed, . = denied.
# fmt: off
TABLE: dict[str, str] = {
    #                            view-own view-other invite-own invite-other revoke-own revoke-other
    "secretary":                 "Y        .          Y          .            Y          .",
    "grid_worker":               "Y        .          .          .            .          .",
    "community_staff":           "Y        .          .          .            .          .",
    "property_manager":          "Y        .          Y          .            Y          .",
    "customer_service":          "Y        .          .          .            .          .",
    "technician":                "Y        .          .          .            .          .",
    "finance":                   "Y        .          .          .            .          .",
    "representative":            "Y        .          .          .            .          .",
    "liaison":                   "Y        .          .          .            .          .",
    "officer":                   "Y        .          .          .            .          .",
    "lawyer":                    "Y        .          .          .            .          .",
    "sub_district_supervisor":   "Y        .          .          .            .          .",
    "district_supervisor":       "Y        .          .          .            .          .",
    "resident":                  ".        .          .          .            .          .",
    "applicant":                 ".        .          .          .            .          .",
    "stranger":                  ".        .          .          .            .          .",
    "superuser":                 "Y        Y          Y          Y            Y          Y",
    "anonymous":                 ".        .          .          .            .          .",  # → log-in page
}
# fmt: on

OTHER_NAME = "乙社区居委会"


def allowed(role: str, column: str) -> bool:
    marks = TABLE[role].split()
    assert len(marks) == len(COLUMNS), f"row {role} has {len(marks)} cells"
    return marks[COLUMNS.index(column)] == "Y"


def test_the_table_covers_every_role_of_the_world() -> None:
    assert set(TABLE) == set(ALL_ROLES)


@dataclass
class Setting:
    world: World
    own: Organization
    other: Organization
    own_invitation: Invitation
    other_invitation: Invitation


def _own_organization(world: World, role: str) -> Organization:
    kind = STAFF_ROLES[role][0] if role in STAFF_ROLES else OrgKind.COMMUNITY
    return world.orgs[kind]


def _role_for(organization: Organization) -> str:
    return sorted(ROLES_BY_KIND[organization.kind])[0]


@pytest.fixture
def setting_for(world: World) -> Any:
    def make(role: str) -> Setting:
        other = OrganizationFactory.create(kind=OrgKind.COMMUNITY, name=OTHER_NAME)
        member(UserFactory.create(name="乙书记"), other, Role.SECRETARY, is_admin=True)
        own = _own_organization(world, role)
        root = world.users["superuser"]
        own_inv, _t1 = services.invitation_create(actor=root, organization=own, role=_role_for(own), note="own")
        other_inv, _t2 = services.invitation_create(actor=root, organization=other, role=Role.GRID_WORKER)
        return Setting(world, own, other, own_inv, other_inv)

    return make


def _act(client: Any, column: str, s: Setting) -> Any:
    org = s.own if column.endswith("own") else s.other
    invitation = s.own_invitation if column.endswith("own") else s.other_invitation
    if column.startswith("view"):
        return client.get(reverse("accounts:organization_detail", args=[org.pk]))
    if column.startswith("invite"):
        return client.post(reverse("accounts:invitation_new", args=[org.pk]), {"role": _role_for(org)})
    return client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))


@pytest.mark.parametrize(
    ("role", "column"),
    [pytest.param(role, column, id=f"{role}-{column}") for role in ALL_ROLES for column in COLUMNS],
)
def test_organization_access_follows_the_table(setting_for: Any, client_for: Any, role: str, column: str) -> None:
    # given
    s = setting_for(role)
    org = s.own if column.endswith("own") else s.other
    invitation = s.own_invitation if column.endswith("own") else s.other_invitation
    client = client_for(s.world.users[role])
    invitations_before = Invitation.objects.filter(organization=org).count()
    before = db_state()
    # when
    response = _act(client, column, s)
    # then
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")
        assert db_state() == before
    elif allowed(role, column):
        if column.startswith("view"):
            assert response.status_code == 200
            assert org.name in response.content.decode()
        elif column.startswith("invite"):
            assert response.status_code == 302
            assert Invitation.objects.filter(organization=org).count() == invitations_before + 1
        else:
            assert response.status_code == 302
            invitation.refresh_from_db()
            assert invitation.state == "revoked"
    else:
        assert response.status_code in (403, 404), response.status_code
        body = response.content.decode()
        assert org.name not in body
        assert "乙书记" not in body
        assert db_state() == before
