"""REST endpoints for accounts: who am I, with my memberships and roles."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from gongzhi.api.schemas import error_responses
from gongzhi.api.security import acting_user
from gongzhi.core import crypto

from .selectors import memberships_of, roles_of

router = Router(tags=["accounts"])


class UserOut(Schema):
    id: int
    name: str
    phone: str  # masked: the API never sends a full mobile number it does not need to
    is_superuser: bool


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str


class MembershipOut(Schema):
    organization: OrganizationOut
    role: str
    role_label: str
    is_admin: bool


class MeOut(Schema):
    user: UserOut
    memberships: list[MembershipOut]
    roles: list[str]


@router.get("/me", response={200: MeOut, **error_responses()}, summary="The logged-in user")
def me(request: HttpRequest) -> MeOut:
    user = acting_user(request)
    memberships = memberships_of(user)
    return MeOut(
        user=UserOut(
            id=user.pk,
            name=user.name,
            phone=crypto.mask_phone(user.phone),
            is_superuser=user.is_superuser,
        ),
        memberships=[
            MembershipOut(
                organization=OrganizationOut(
                    id=m.organization.pk,
                    name=m.organization.name,
                    kind=m.organization.kind,
                    kind_label=str(m.organization.get_kind_display()),
                ),
                role=m.role,
                role_label=str(m.get_role_display()),
                is_admin=m.is_admin,
            )
            for m in memberships
        ],
        roles=sorted(roles_of(user)),
    )
