"""Open311 GeoReport v2: the API keys outside systems post with, and which key brought in which voice.

Keys are few (a handful per compound) and looked up by their hash alone, like invitation tokens; only the
hash and a short prefix (for telling keys apart on screen) are stored, never the key itself.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "o311_"
PREFIX_LENGTH = 12  # "o311_" and the first 7 random characters: enough to tell keys apart, useless to guess


class Open311Key(models.Model):
    """An API key for one compound (jurisdiction). Revoked keys stay, for the audit trail and old voices."""

    community = models.ForeignKey(
        "estates.Area", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    compound = models.ForeignKey(
        "estates.Compound", verbose_name=_("compound"), on_delete=models.CASCADE, related_name="open311_keys"
    )
    name = models.CharField(_("key name"), max_length=100)
    prefix = models.CharField(_("key starts with"), max_length=20)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")
        indexes = [models.Index(fields=["community", "compound", "-created_at"], name="open311_key_compound")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Open311Submission(models.Model):
    """Which key brought a voice in: that key may read the voice back even when it is not public."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    voice = models.OneToOneField(
        "voices.Voice", verbose_name=_("voice"), on_delete=models.CASCADE, related_name="open311_submission"
    )
    key = models.ForeignKey(Open311Key, verbose_name=_("key"), on_delete=models.CASCADE, related_name="submissions")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")
        indexes = [models.Index(fields=["community", "key", "-created_at"], name="open311_submission_key")]

    def __str__(self) -> str:
        return f"#{self.voice_id} ← {self.key_id}"
