"""Notices and publicity posts (文明联创), who has read them, and the lobby screens (楼道屏) that show them.

A notice of one compound is written by community staff or the property company's staff, in the name of their
organization; it goes to the whole compound or to some of its buildings, or to staff only. It is a draft until
published; published, it is shown to its audience inside its publication window (``published_from`` –
``published_until``, Asia/Shanghai); it may be withdrawn (``TRANSITIONS``). Pinned notices come first.

A resident opening a notice leaves one ``ReadReceipt`` (unique per notice and person, written once): a notice's
read count is the number of its receipts.

A ``LobbyScreen`` is a TV in a unit lobby: opened without log-in by a signed link; only the hash of that link's
token is looked up, and a revoked or expired screen shows nothing.

Every table that grows carries ``community`` (copied down from the compound) and indexes it first; unique
constraints include it (DESIGN.md, "Scale").
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel

TITLE_MAX = 100
BODY_MAX = 5000
REASON_MAX = 200
IMAGES_MAX = 9


class NoticeKind(models.TextChoices):
    NOTICE = "notice", _("Notice")
    PUBLICITY = "publicity", _("Publicity")
    CIVILITY = "civility", _("Civility campaign")
    SAFETY = "safety", _("Safety reminder")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Notice(TimeStampedModel):
    """A notice or publicity post of one compound.

    draft → published → withdrawn (a withdrawn notice is shown to no resident and on no screen; it stays for the
    record). Published and inside its window it is *current*. ``buildings`` empty: the whole compound;
    ``staff_only``: the compound's staff, never residents or lobby screens.
    """

    TRANSITIONS: dict[str, frozenset[str]] = {
        NoticeStatus.DRAFT: frozenset({NoticeStatus.PUBLISHED}),
        NoticeStatus.PUBLISHED: frozenset({NoticeStatus.WITHDRAWN}),
        NoticeStatus.WITHDRAWN: frozenset(),
    }

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(
        "estates.Compound", verbose_name=_("compound"), on_delete=models.CASCADE, related_name="notices"
    )
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices, default=NoticeKind.NOTICE)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("text"), max_length=BODY_MAX)
    staff_only = models.BooleanField(_("staff only"), default=False)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    published_from = models.DateTimeField(_("shown from"))
    published_until = models.DateTimeField(_("shown until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason for withdrawing"), max_length=REASON_MAX, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["community", "compound", "status", "-published_from"], name="notice_compound_current"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_until__isnull=True) | Q(published_until__gt=models.F("published_from")),
                name="notice_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NoticeBuilding(models.Model):
    """A building a notice is addressed to (none: the whole compound)."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="audience_buildings")
    building = models.ForeignKey(
        "estates.Building", verbose_name=_("building"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["community", "building"], name="notice_building_building")]
        constraints = [
            models.UniqueConstraint(fields=["community", "notice", "building"], name="notice_building_unique")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.building_id}"


def notice_image_path(instance: NoticeImage, filename: str) -> str:
    """Images are stored under a random name; the uploaded name is never used."""
    return f"notices/{instance.community_id}/{uuid.uuid4().hex}.jpg"


class NoticeImage(models.Model):
    """A picture of a notice, checked by content and re-encoded on upload (no EXIF, no location)."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey(Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="images")
    image = models.FileField(_("picture"), upload_to=notice_image_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("picture")
        verbose_name_plural = _("pictures")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["community", "notice"], name="notice_image_notice")]

    def __str__(self) -> str:
        return f"{self.notice_id}/{self.pk}"


class ReadReceipt(models.Model):
    """A resident opened a notice: written once per notice and person (the read count is the receipts)."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [
            models.UniqueConstraint(fields=["community", "notice", "user"], name="notice_receipt_once"),
        ]
        indexes = [models.Index(fields=["community", "user"], name="notice_receipt_user")]

    def __str__(self) -> str:
        return f"{self.notice_id} ← {self.user_id}"


class LobbyScreen(models.Model):
    """A TV in a unit lobby showing the compound's current notices, upcoming activities, done action items and
    headline figures. Opened by a signed link (``lobby.screen_link``); ``token_hash`` is the SHA-256 of the
    link's token, looked up on every request; ``nonce`` makes each screen's token unique and is replaced never
    (a new link is a new screen). A revoked or expired screen shows nothing. ``building``: the screen also shows
    the notices addressed to that building."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(
        "estates.Compound", verbose_name=_("compound"), on_delete=models.CASCADE, related_name="lobby_screens"
    )
    building = models.ForeignKey(
        "estates.Building", verbose_name=_("building"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    location = models.CharField(_("location"), max_length=100)
    nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("lobby screen")
        verbose_name_plural = _("lobby screens")
        indexes = [models.Index(fields=["community", "compound", "-created_at"], name="lobby_screen_compound")]

    def __str__(self) -> str:
        return self.location

    @staticmethod
    def hash_token(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
