"""Staff join organizations by one-time invitation links; organization pages show members and invitations."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.accounts import services
from gongzhi.accounts.models import Invitation, Membership, Organization, User
from gongzhi.accounts.roles import OrgKind, Role
from gongzhi.api.tests.helpers import db_state
from gongzhi.core.models import AuditEvent
from gongzhi.testing.factories import OrganizationFactory, UserFactory, member

pytestmark = pytest.mark.django_db

NEWCOMER = {"name": "新网格员", "phone": "13711112222", "password": "Lanterns-2026", "password2": "Lanterns-2026"}


@pytest.fixture
def community() -> Organization:
    return OrganizationFactory.create(kind=OrgKind.COMMUNITY, name="A社区")


@pytest.fixture
def secretary(community: Organization) -> User:
    user = UserFactory.create(name="书记")
    member(user, community, Role.SECRETARY, is_admin=True)
    return user


def _invite(secretary: User, community: Organization, role: str = Role.GRID_WORKER) -> tuple[Invitation, str]:
    return services.invitation_create(actor=secretary, organization=community, role=role, note="小李")


def _link_on_page(html: str) -> str:
    match = re.search(r'value="(http://testserver/accounts/invite/[^"]+/)"', html)
    assert match, "no invitation link on the page"
    return match.group(1).removeprefix("http://testserver")


# ---------------------------------------------------------------- creating


def test_secretary_creates_an_invitation_link_shown_once(
    client_for: Any, secretary: User, community: Organization
) -> None:
    # given
    client = client_for(secretary)
    # when
    response = client.post(
        f"/accounts/organizations/{community.pk}/invite/", {"role": "grid_worker", "note": "小李"}, follow=True
    )
    # then the link is on the page, and only its hash is stored
    link = _link_on_page(response.content.decode())
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == Invitation.hash_token(token)
    assert token not in str(Invitation.objects.values_list())
    assert (invitation.role, invitation.note, invitation.created_by) == ("grid_worker", "小李", secretary)
    assert AuditEvent.objects.filter(verb="invitation.create", object_id=str(invitation.pk)).exists()
    # and it is not shown again
    assert token not in client.get(f"/accounts/organizations/{community.pk}/").content.decode()


def test_member_who_is_not_an_administrator_cannot_create_an_invitation(
    client_for: Any, community: Organization
) -> None:
    # given a grid worker of the community (not an administrator)
    grid_worker = UserFactory.create()
    member(grid_worker, community, Role.GRID_WORKER)
    before = db_state()
    # when
    response = client_for(grid_worker).post(f"/accounts/organizations/{community.pk}/invite/", {"role": "grid_worker"})
    # then
    assert response.status_code == 403
    assert db_state() == before


def test_administrator_of_another_organization_cannot_invite_here(client_for: Any, community: Organization) -> None:
    other = OrganizationFactory.create(kind=OrgKind.PROPERTY, name="B物业")
    manager = UserFactory.create()
    member(manager, other, Role.PROPERTY_MANAGER, is_admin=True)
    before = db_state()
    response = client_for(manager).post(f"/accounts/organizations/{community.pk}/invite/", {"role": "grid_worker"})
    assert response.status_code == 403
    assert db_state() == before


def test_role_that_does_not_exist_in_this_kind_of_organization_is_refused(
    client_for: Any, secretary: User, community: Organization
) -> None:
    # given
    client = client_for(secretary)
    before = db_state()
    # when a community is asked for a lawyer
    response = client.post(f"/accounts/organizations/{community.pk}/invite/", {"role": "lawyer"})
    # then
    assert response.status_code == 400
    assert "This role does not exist in this kind of organization." in response.content.decode()
    assert db_state() == before


def test_service_refuses_a_role_that_does_not_fit_the_organization(secretary: User, community: Organization) -> None:
    from gongzhi.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        services.invitation_create(actor=secretary, organization=community, role=Role.LAWYER)
    assert exc.value.field == "role"
    assert Invitation.objects.count() == 0


def test_oversized_note_is_refused(client_for: Any, secretary: User, community: Organization) -> None:
    client = client_for(secretary)
    response = client.post(
        f"/accounts/organizations/{community.pk}/invite/", {"role": "grid_worker", "note": "x" * 101}
    )
    assert response.status_code == 400
    assert Invitation.objects.count() == 0


def test_html_in_the_note_is_shown_escaped(client_for: Any, secretary: User, community: Organization) -> None:
    client = client_for(secretary)
    client.post(f"/accounts/organizations/{community.pk}/invite/", {"role": "grid_worker", "note": "<b>x</b>"})
    html = client.get(f"/accounts/organizations/{community.pk}/").content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_invitation_for_unknown_organization_is_404(client_for: Any, secretary: User) -> None:
    response = client_for(secretary).post("/accounts/organizations/999999/invite/", {"role": "grid_worker"})
    assert response.status_code == 404


def test_creating_an_invitation_is_post_only(client_for: Any, secretary: User, community: Organization) -> None:
    response = client_for(secretary).get(f"/accounts/organizations/{community.pk}/invite/")
    assert response.status_code == 405


# ---------------------------------------------------------------- accepting


def test_newcomer_accepts_by_registering_and_joins_logged_in(
    client: Client, secretary: User, community: Organization
) -> None:
    # given
    invitation, token = _invite(secretary, community)
    # when
    page = client.get(f"/accounts/invite/{token}/")
    response = client.post(f"/accounts/invite/{token}/", NEWCOMER)
    # then
    assert "Join A社区" in page.content.decode()
    assert response.status_code == 302
    newcomer = User.objects.get(name="新网格员")
    assert int(client.session["_auth_user_id"]) == newcomer.pk
    membership = Membership.objects.get(user=newcomer)
    assert (membership.organization, membership.role, membership.is_admin) == (community, "grid_worker", False)
    invitation.refresh_from_db()
    assert (invitation.state, invitation.used_by) == ("used", newcomer)
    assert AuditEvent.objects.filter(verb="invitation.accept", object_id=str(invitation.pk)).exists()


def test_logged_in_user_accepts_with_one_click(client_for: Any, secretary: User, community: Organization) -> None:
    _invitation, token = _invite(secretary, community, Role.COMMUNITY_STAFF)
    person = UserFactory.create()
    response = client_for(person).post(f"/accounts/invite/{token}/")
    assert response.status_code == 302
    assert Membership.objects.filter(user=person, organization=community, role="community_staff").exists()


def test_used_invitation_cannot_be_used_again(client: Client, secretary: User, community: Organization) -> None:
    # given an invitation already used
    _invitation, token = _invite(secretary, community)
    client.post(f"/accounts/invite/{token}/", NEWCOMER)
    client.logout()
    before = db_state()
    # when someone else opens or submits the same link
    opened = client.get(f"/accounts/invite/{token}/")
    submitted = client.post(f"/accounts/invite/{token}/", {**NEWCOMER, "phone": "13711113333"})
    # then both get a clear message and nothing changes
    for response in (opened, submitted):
        assert response.status_code == 409
        assert "This invitation has already been used." in response.content.decode()
    assert db_state() == before


def test_expired_invitation_is_refused_clearly(client: Client, secretary: User, community: Organization) -> None:
    invitation, token = _invite(secretary, community)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    before = db_state()
    response = client.post(f"/accounts/invite/{token}/", NEWCOMER)
    assert response.status_code == 409
    assert "This invitation has expired; ask for a new one." in response.content.decode()
    assert db_state() == before


def test_withdrawn_invitation_is_refused_clearly(client: Client, secretary: User, community: Organization) -> None:
    invitation, token = _invite(secretary, community)
    services.invitation_revoke(actor=secretary, invitation=invitation)
    before = db_state()
    response = client.post(f"/accounts/invite/{token}/", NEWCOMER)
    assert response.status_code == 409
    assert "This invitation has been withdrawn." in response.content.decode()
    assert db_state() == before


@pytest.mark.parametrize("token", ["wrong", "x" * 300, "%3Cscript%3Ealert(1)%3C"])
def test_wrong_token_is_refused_clearly(client: Client, secretary: User, community: Organization, token: str) -> None:
    _invite(secretary, community)
    before = db_state()
    response = client.post(f"/accounts/invite/{token}/", NEWCOMER)
    assert response.status_code == 400
    html = response.content.decode()
    assert "This invitation link is not valid." in html
    assert "<script>alert(1)" not in html
    assert db_state() == before


def test_accepting_with_bad_registration_data_keeps_the_invitation_open(
    client: Client, secretary: User, community: Organization
) -> None:
    # given the newcomer's number is already registered
    UserFactory.create(phone=NEWCOMER["phone"])
    invitation, token = _invite(secretary, community)
    before = db_state()
    # when
    response = client.post(f"/accounts/invite/{token}/", NEWCOMER)
    # then the form says why and the link still works
    assert response.status_code == 200
    assert "This mobile number is already registered" in response.content.decode()
    assert db_state() == before
    invitation.refresh_from_db()
    assert invitation.state == "open"


def test_accepting_with_mismatched_passwords_changes_nothing(
    client: Client, secretary: User, community: Organization
) -> None:
    _invitation, token = _invite(secretary, community)
    before = db_state()
    response = client.post(f"/accounts/invite/{token}/", {**NEWCOMER, "password2": "other-password-1"})
    assert "The two passwords differ." in response.content.decode()
    assert db_state() == before


def test_invitation_can_grant_the_right_to_invite(client: Client, secretary: User, community: Organization) -> None:
    _invitation, token = services.invitation_create(
        actor=secretary, organization=community, role=Role.COMMUNITY_STAFF, is_admin=True
    )
    client.post(f"/accounts/invite/{token}/", NEWCOMER)
    newcomer = User.objects.get(name="新网格员")
    assert Membership.objects.get(user=newcomer).is_admin is True
    response = client.post(f"/accounts/organizations/{community.pk}/invite/", {"role": "grid_worker"})
    assert response.status_code == 302
    assert Invitation.objects.count() == 2


def test_existing_member_invited_as_administrator_becomes_one(
    client_for: Any, secretary: User, community: Organization
) -> None:
    # given a grid worker who is not an administrator
    grid_worker = UserFactory.create()
    member(grid_worker, community, Role.GRID_WORKER)
    _invitation, token = services.invitation_create(
        actor=secretary, organization=community, role=Role.GRID_WORKER, is_admin=True
    )
    # when they accept an invitation to the same role, as administrator
    client_for(grid_worker).post(f"/accounts/invite/{token}/")
    # then they keep one membership, now an administrator's
    membership = Membership.objects.get(user=grid_worker)
    assert membership.is_admin is True
    assert AuditEvent.objects.filter(verb="membership.change", object_id=str(membership.pk)).exists()


def test_accepting_is_rate_limited_per_address(client: Client, secretary: User, community: Organization) -> None:
    for _ in range(10):
        client.post("/accounts/invite/wrong/", NEWCOMER, REMOTE_ADDR="10.0.0.7")
    _invitation, token = _invite(secretary, community)
    before = db_state()
    response = client.post(f"/accounts/invite/{token}/", NEWCOMER, REMOTE_ADDR="10.0.0.7")
    assert "Too many attempts from this network" in response.content.decode()
    assert db_state() == before


def test_newcomer_can_log_in_afterwards_with_their_password(
    client: Client, secretary: User, community: Organization
) -> None:
    _invitation, token = _invite(secretary, community)
    client.post(f"/accounts/invite/{token}/", NEWCOMER)
    client.logout()
    response = client.post("/accounts/login/", {"phone": NEWCOMER["phone"], "password": NEWCOMER["password"]})
    assert response.status_code == 302


# ---------------------------------------------------------------- withdrawing


def test_administrator_withdraws_an_open_invitation(client_for: Any, secretary: User, community: Organization) -> None:
    invitation, _token = _invite(secretary, community)
    response = client_for(secretary).post(f"/accounts/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    assert AuditEvent.objects.filter(verb="invitation.revoke", object_id=str(invitation.pk)).exists()


def test_member_who_is_not_an_administrator_cannot_withdraw(
    client_for: Any, secretary: User, community: Organization
) -> None:
    invitation, _token = _invite(secretary, community)
    grid_worker = UserFactory.create()
    member(grid_worker, community, Role.GRID_WORKER)
    before = db_state()
    response = client_for(grid_worker).post(f"/accounts/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 403
    assert db_state() == before


def test_withdrawing_a_used_invitation_is_refused_and_changes_nothing(
    client_for: Any, secretary: User, community: Organization
) -> None:
    invitation, token = _invite(secretary, community)
    services.invitation_accept(token=token, user=UserFactory.create())
    client = client_for(secretary)
    before = db_state()
    response = client.post(f"/accounts/invitations/{invitation.pk}/revoke/", follow=True)
    assert "Only an open invitation can be withdrawn." in response.content.decode()
    assert db_state() == before


def test_withdrawing_an_unknown_invitation_is_404(client_for: Any, secretary: User) -> None:
    assert client_for(secretary).post("/accounts/invitations/999999/revoke/").status_code == 404


def test_withdrawing_is_post_only(client_for: Any, secretary: User, community: Organization) -> None:
    invitation, _token = _invite(secretary, community)
    assert client_for(secretary).get(f"/accounts/invitations/{invitation.pk}/revoke/").status_code == 405


# ---------------------------------------------------------------- organization pages


def test_organization_page_lists_members_with_masked_phones(
    client_for: Any, secretary: User, community: Organization
) -> None:
    colleague = UserFactory.create(name="同事", phone="13655556666")
    member(colleague, community, Role.GRID_WORKER)
    html = client_for(colleague).get(f"/accounts/organizations/{community.pk}/").content.decode()
    assert "同事" in html and "书记" in html
    assert "136****6666" in html and "13655556666" not in html
    assert "Create invitation link" not in html  # not an administrator


def test_administrator_sees_the_invitation_form_and_list(
    client_for: Any, secretary: User, community: Organization
) -> None:
    _invite(secretary, community)
    html = client_for(secretary).get(f"/accounts/organizations/{community.pk}/").content.decode()
    assert "Create invitation link" in html
    assert "小李" in html


def test_organization_page_of_an_organization_i_am_not_in_is_403(client_for: Any, community: Organization) -> None:
    response = client_for(UserFactory.create()).get(f"/accounts/organizations/{community.pk}/")
    assert response.status_code == 403
    assert "A社区" not in response.content.decode()


def test_organization_page_of_unknown_organization_is_404(client_for: Any, secretary: User) -> None:
    assert client_for(secretary).get("/accounts/organizations/999999/").status_code == 404


def test_organization_list_shows_my_memberships(client_for: Any, secretary: User, community: Organization) -> None:
    html = client_for(secretary).get("/accounts/organizations/").content.decode()
    assert "A社区" in html


def test_organization_pages_need_login(client: Client, community: Organization) -> None:
    for url in ("/accounts/organizations/", f"/accounts/organizations/{community.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
