"""Users (log-in by mobile), organizations, memberships and one-time invitations."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core import crypto
from gongzhi.core.fields import EncryptedPhoneField
from gongzhi.core.models import TimeStampedModel

from .roles import OrgKind, Role


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(phone_hash=crypto.phone_hash(crypto.normalize_phone(username or "")))

    def create_user(self, phone: str, password: str | None = None, **extra: Any) -> User:
        phone = crypto.normalize_phone(phone)
        user = self.model(phone=phone, phone_hash=crypto.phone_hash(phone), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, phone_hash: str, password: str | None = None, **extra: Any) -> User:
        # ``createsuperuser`` asks for the USERNAME_FIELD, labelled "mobile": it is the phone itself.
        extra.setdefault("name", "管理员")
        return self.create_user(phone_hash, password, is_staff=True, is_superuser=True, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Global: what they may see comes from their memberships and house bindings."""

    phone = EncryptedPhoneField(_("mobile"))
    phone_hash = models.CharField(_("mobile"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=50)
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("Notifications are also sent here."))
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("admin site access"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    failed_logins = models.PositiveSmallIntegerField(_("failed log-ins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "phone_hash"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return f"{self.name} ({crypto.mask_phone(self.phone)})"

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class Organization(TimeStampedModel):
    """A party to co-governance. ``area`` is the area it is (community, sub-district, district) or serves."""

    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        "estates.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    compound = models.ForeignKey(
        "estates.Compound",
        verbose_name=_("compound"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="representative_bodies",
        help_text=_("For residents' representatives: their compound."),
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="org_kind_name_unique")]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """A user's role in an organization; ``community`` is copied from the organization where it has one."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    is_admin = models.BooleanField(_("may invite members"), default=False)
    community = models.ForeignKey(
        "estates.Area",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class Invitation(TimeStampedModel):
    """A one-time link for staff to join an organization. Only the token's hash is stored."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    is_admin = models.BooleanField(_("may invite members"), default=False)
    note = models.CharField(_("for whom"), max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    created_by = models.ForeignKey(
        User, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_by = models.ForeignKey(
        User, verbose_name=_("used by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_role_display()}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def state(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"
