"""Writes for accounts: registration, log-in bookkeeping, memberships and invitations."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import crypto
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Conflict, DomainError, NotAllowed

from .models import Invitation, Membership, Organization, User
from .roles import ROLES_BY_KIND
from .selectors import organizations_administered, user_by_phone


def _clean_phone(phone: str) -> str:
    digits = crypto.normalize_phone(phone)
    if not crypto.is_mobile(digits):
        raise DomainError(_("Enter an 11-digit mainland mobile number."), field="phone")
    return digits


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Enter your name."), field="name")
    if len(name) > 50:
        raise DomainError(_("A name has at most 50 characters."), field="name")
    return name


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from exc


@transaction.atomic
def user_register(*, phone: str, name: str, password: str) -> User:
    """A resident signs up; they see nothing of any compound until a house binding is approved."""
    digits = _clean_phone(phone)
    clean_name = _clean_name(name)
    if user_by_phone(digits) is not None:
        raise DomainError(_("This mobile number is already registered; log in instead."), field="phone")
    _check_password(password, User(phone=digits, name=clean_name))
    try:
        with transaction.atomic():
            user = User.objects.create_user(digits, password, name=clean_name)
    except IntegrityError as exc:  # the same number registered a moment ago, in another request
        raise DomainError(_("This mobile number is already registered; log in instead."), field="phone") from exc
    audit_record(actor=user, verb="user.register", obj=user, after={"name": clean_name})
    return user


@transaction.atomic
def login_failure_record(*, user: User) -> User:
    """Count a failed log-in; lock the account for a while after too many."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.failed_logins += 1
    if locked.failed_logins >= settings.LOGIN_MAX_FAILURES:
        locked.locked_until = timezone.now() + datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        locked.failed_logins = 0
        audit_record(actor=None, verb="user.locked", obj=locked, after={"until": locked.locked_until})
    locked.save(update_fields=["failed_logins", "locked_until"])
    audit_record(actor=None, verb="user.login_failed", obj=locked)
    return locked


@transaction.atomic
def login_success_record(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit_record(actor=user, verb="user.login", obj=user)


def _check_role(organization: Organization, role: str) -> None:
    if role not in ROLES_BY_KIND.get(organization.kind, frozenset()):
        raise DomainError(_("This role does not exist in this kind of organization."), field="role")


@transaction.atomic
def membership_add(
    *, actor: Any, user: User, organization: Organization, role: str, is_admin: bool = False
) -> Membership:
    """Give the user a role in the organization; an existing member invited as administrator becomes one."""
    _check_role(organization, role)
    membership, created = Membership.objects.get_or_create(
        user=user,
        organization=organization,
        role=role,
        defaults={
            "is_admin": is_admin,
            "community_id": organization.area_id if organization.kind == "community" else None,
        },
    )
    if created:
        audit_record(
            actor=actor,
            verb="membership.add",
            obj=membership,
            community_id=membership.community_id,
            after={"user": user.pk, "organization": organization.pk, "role": role, "is_admin": is_admin},
        )
    elif is_admin and not membership.is_admin:
        membership.is_admin = True
        membership.save(update_fields=["is_admin", "updated_at"])
        audit_record(
            actor=actor,
            verb="membership.change",
            obj=membership,
            community_id=membership.community_id,
            before={"is_admin": False},
            after={"is_admin": True},
        )
    return membership


@transaction.atomic
def invitation_create(
    *, actor: Any, organization: Organization, role: str, is_admin: bool = False, note: str = ""
) -> tuple[Invitation, str]:
    """A one-time invitation; returns it with the raw token, which is shown once and never stored."""
    if not organizations_administered(actor).filter(pk=organization.pk).exists():
        raise NotAllowed(_("You may not invite members to this organization."))
    _check_role(organization, role)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        role=role,
        is_admin=is_admin,
        note=note.strip()[:100],
        token_hash=Invitation.hash_token(token),
        expires_at=timezone.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        verb="invitation.create",
        obj=invitation,
        after={"organization": organization.pk, "role": role, "is_admin": is_admin},
    )
    return invitation, token


def invitation_open(token: str) -> Invitation:
    """The invitation behind a link, or a clear error when it is unknown, used, revoked or expired."""
    invitation = (
        Invitation.objects.select_related("organization").filter(token_hash=Invitation.hash_token(token)).first()
    )
    if invitation is None:
        raise DomainError(_("This invitation link is not valid."), code="invitation_invalid")
    if invitation.state == "used":
        raise Conflict(_("This invitation has already been used."), code="invitation_used")
    if invitation.state == "revoked":
        raise Conflict(_("This invitation has been withdrawn."), code="invitation_revoked")
    if invitation.state == "expired":
        raise Conflict(_("This invitation has expired; ask for a new one."), code="invitation_expired")
    return invitation


@transaction.atomic
def invitation_accept(
    *, token: str, user: User | None = None, phone: str = "", name: str = "", password: str = ""
) -> Membership:
    """Use an invitation once: join as the logged-in user, or create the account first."""
    invitation = invitation_open(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None:  # lost a race with another tab
        raise Conflict(_("This invitation has already been used."), code="invitation_used")
    if user is None:
        user = user_register(phone=phone, name=name, password=password)
    membership = membership_add(
        actor=user,
        user=user,
        organization=invitation.organization,
        role=invitation.role,
        is_admin=invitation.is_admin,
    )
    invitation.used_at = timezone.now()
    invitation.used_by = user
    invitation.save(update_fields=["used_at", "used_by", "updated_at"])
    audit_record(actor=user, verb="invitation.accept", obj=invitation)
    return membership


@transaction.atomic
def invitation_revoke(*, actor: Any, invitation: Invitation) -> Invitation:
    if not organizations_administered(actor).filter(pk=invitation.organization_id).exists():
        raise NotAllowed(_("You may not manage this organization's invitations."))
    if invitation.state != "open":
        raise Conflict(_("Only an open invitation can be withdrawn."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit_record(actor=actor, verb="invitation.revoke", obj=invitation)
    return invitation


def members_view_record(*, actor: Any, organization: Organization, shown: int) -> None:
    """An organization's member list (names, masked phones) was shown (DESIGN rule 7)."""
    audit_record(actor=actor, verb="organization.members_view", obj=organization, after={"shown": shown})


EMAIL_MAX = 254


def _clean_email(email: str) -> str:
    """An e-mail address (empty: none), trimmed, the domain lower-cased; a clear error when it is not one."""
    email = (email or "").strip()
    if not email:
        return ""
    if len(email) > EMAIL_MAX:
        raise DomainError(_("An e-mail address has at most %(max)d characters.") % {"max": EMAIL_MAX}, field="email")
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(_("Enter a valid e-mail address, such as name@example.com."), field="email") from exc
    return User.objects.normalize_email(email)


@transaction.atomic
def account_update(*, actor: Any, user: User, name: str, email: str) -> User:
    """A user changes their own name and e-mail address (notifications are also e-mailed there).

    Only the user themself; nothing is written (and nothing audited) when nothing changed.
    """
    if not getattr(actor, "is_authenticated", False) or actor.pk != user.pk:
        raise NotAllowed(_("You may only change your own account."))
    clean_name = _clean_name(name)
    clean_email = _clean_email(email)
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = {"name": locked.name, "email": locked.email}
    after = {"name": clean_name, "email": clean_email}
    if before == after:
        return locked
    locked.name, locked.email = clean_name, clean_email
    locked.save(update_fields=["name", "email"])
    changed = {k: v for k, v in after.items() if before[k] != v}
    audit_record(
        actor=actor, verb="user.account_update", obj=locked, before={k: before[k] for k in changed}, after=changed
    )
    user.name, user.email = clean_name, clean_email
    return locked
