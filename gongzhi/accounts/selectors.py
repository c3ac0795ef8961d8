"""Reads about users and organizations, scoped to the acting user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed, NotFound

from .models import Invitation, Membership, Organization, User


def memberships_of(user: Any) -> list[Membership]:
    """The user's memberships with their organizations, loaded once per request (cached on the user)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_gz_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organization", "organization__area"))
        user._gz_memberships = cached
    return cached


def roles_of(user: Any) -> set[str]:
    return {m.role for m in memberships_of(user)}


def organizations_administered(user: Any) -> QuerySet[Organization]:
    """Organizations whose members the user may invite: those they administer (all, for superusers)."""
    qs = Organization.objects.select_related("area")
    if getattr(user, "is_superuser", False):
        return qs
    ids = [m.organization_id for m in memberships_of(user) if m.is_admin]
    return qs.filter(id__in=ids)


def organization_get(*, user: Any, pk: int, administered: bool = False) -> Organization:
    """An organization the user belongs to (or, with ``administered``, may invite members to)."""
    organization = Organization.objects.select_related("area", "compound").filter(pk=pk).first()
    if organization is None:
        raise NotFound(_("No such organization."))
    if organizations_administered(user).filter(pk=pk).exists():
        return organization
    if not administered and pk in {m.organization_id for m in memberships_of(user)}:
        return organization
    raise NotAllowed(_("You do not have access to this organization."))


def invitation_get(*, user: Any, pk: int) -> Invitation:
    """An invitation of an organization the user administers."""
    invitation = Invitation.objects.select_related("organization").filter(pk=pk).first()
    if invitation is None:
        raise NotFound(_("No such invitation."))
    if not organizations_administered(user).filter(pk=invitation.organization_id).exists():
        raise NotAllowed(_("You may not manage this organization's invitations."))
    return invitation


def organization_members(*, user: Any, organization: Organization) -> QuerySet[Membership]:
    if not organizations_administered(user).filter(pk=organization.pk).exists() and organization.pk not in {
        m.organization_id for m in memberships_of(user)
    }:
        return Membership.objects.none()
    return Membership.objects.filter(organization=organization).select_related("user").order_by("role", "id")


def invitations_for(*, user: Any, organization: Organization) -> QuerySet[Invitation]:
    if not organizations_administered(user).filter(pk=organization.pk).exists():
        return Invitation.objects.none()
    return Invitation.objects.filter(organization=organization).order_by("-created_at")


def user_by_phone(phone: str) -> User | None:
    from gongzhi.core import crypto

    return User.objects.filter(phone_hash=crypto.phone_hash(crypto.normalize_phone(phone))).first()
