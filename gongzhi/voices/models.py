"""Residents' voices (诉求) and the work orders they become: timeline, assignments, replies, ratings.

Every table that grows carries ``community`` (copied down from the compound) and is indexed by it first;
``Category`` is a small shared table. Status changes follow ``Voice.TRANSITIONS``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedPhoneField

TEXT_MAX = 2000


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")
    REQUEST = "request", _("Request for help")
    REPAIR = "repair", _("Repair")
    ENQUIRY = "enquiry", _("Enquiry")


class LocationKind(models.TextChoices):
    OWN_HOUSE = "own_house", _("My house")
    BUILDING = "building", _("A building")
    PUBLIC_AREA = "public_area", _("A public area")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged as duplicate")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Channel(models.TextChoices):
    """Where a voice came in."""

    APP = "app", _("Platform")
    API = "api", _("REST API")
    OPEN311 = "open311", _("Open311")
    LEDGER = "ledger", _("Ledger import")


class Score(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


OPEN_STATUSES = frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.REOPENED})
# Voices in these states count in no KPI (KPIS.md: rejected as invalid, merged as duplicate).
UNCOUNTED_STATUSES = frozenset({Status.REJECTED, Status.MERGED})


class Category(models.Model):
    """A small shared table (a reference table when distributed): what a voice is about."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    keywords = models.CharField(
        _("keywords"), max_length=500, blank=True, help_text=_("Words that suggest this category, space separated.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Voice(models.Model):
    """A resident's voice and, once accepted, the work order it becomes."""

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.SUBMITTED: frozenset({Status.ACCEPTED, Status.REJECTED, Status.MERGED, Status.WITHDRAWN}),
        Status.ACCEPTED: frozenset({Status.DISPATCHED, Status.RESOLVED, Status.WITHDRAWN}),
        # dispatched → dispatched is a transfer to another organization.
        Status.DISPATCHED: frozenset({Status.DISPATCHED, Status.RESOLVED, Status.WITHDRAWN}),
        Status.RESOLVED: frozenset({Status.CLOSED, Status.REOPENED}),
        Status.REOPENED: frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.RESOLVED, Status.WITHDRAWN}),
        Status.CLOSED: frozenset(),
        Status.REJECTED: frozenset(),
        Status.MERGED: frozenset(),
        Status.WITHDRAWN: frozenset(),
    }

    community = models.ForeignKey(
        "estates.Area", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    compound = models.ForeignKey(
        "estates.Compound", verbose_name=_("compound"), on_delete=models.CASCADE, related_name="voices"
    )
    # Empty for voices that came from outside (Open311, an imported ledger): see ``contact_*``.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voices",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.APP)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"), max_length=TEXT_MAX)
    location_kind = models.CharField(_("where"), max_length=20, choices=LocationKind.choices)
    house = models.ForeignKey(
        "estates.House", verbose_name=_("house"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    building = models.ForeignKey(
        "estates.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Shown on the compound's public wall and in its open data (Open311), never with your name."),
    )
    praised_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("praised organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    praised_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("praised person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggested_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("suggested organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # What the deadline sweep has done, so that each reminder and escalation happens once.
    response_reminded = models.BooleanField(default=False)
    response_escalation = models.PositiveSmallIntegerField(default=0)
    resolution_reminded = models.BooleanField(default=False)
    resolution_escalation = models.PositiveSmallIntegerField(default=0)
    idempotency_key = models.CharField(max_length=64, blank=True)
    me_too_count = models.PositiveIntegerField(_("me too"), default=0)
    reply = models.TextField(_("official reply"), blank=True)
    # Outside channels: an earlier system's number (ledger 编号) and the key a re-import matches on (the
    # number, or a hash of the whole row when there is none); Open311's location and contact.
    external_ref = models.CharField(_("earlier number"), max_length=64, blank=True)
    ledger_key = models.CharField(max_length=80, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    address_text = models.CharField(_("address"), max_length=255, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = EncryptedPhoneField(_("contact phone"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("voice")
        verbose_name_plural = _("voices")
        indexes = [
            models.Index(fields=["community", "compound", "status", "-submitted_at"], name="voice_queue"),
            models.Index(fields=["community", "compound", "is_public", "-submitted_at"], name="voice_wall"),
            models.Index(fields=["community", "author", "-submitted_at"], name="voice_author"),
            models.Index(fields=["community", "lead_organization", "status"], name="voice_lead"),
            models.Index(fields=["community", "submitted_at"], name="voice_submitted"),
            models.Index(fields=["community", "status", "response_due_at"], name="voice_response_due"),
            models.Index(fields=["community", "status", "resolution_due_at"], name="voice_resolution_due"),
            # Staff queues: the open voices only (a few percent of all), in queue order, with the columns the
            # scope filter reads, so that a queue never reads the closed history (bench/voice_pages.py).
            models.Index(
                fields=["resolution_due_at", "response_due_at", "id", "compound", "author"],
                condition=models.Q(status__in=["submitted", "accepted", "dispatched", "reopened"]),
                name="voice_open_queue",
            ),
            # A scope's open voices, compound by compound, in queue order (``selectors.voices_in_scope``): a
            # queue reads its own compounds' open voices from here alone, whatever the size of the table and of
            # their closed history.
            models.Index(
                fields=["compound", "resolution_due_at", "response_due_at", "id"],
                condition=models.Q(status__in=["submitted", "accepted", "dispatched", "reopened"]),
                name="voice_open_compound",
            ),
            # The public wall (and Open311's public feed): exactly the voices it shows, newest first.
            models.Index(
                fields=["community", "compound", "-submitted_at"],
                condition=models.Q(is_public=True) & ~models.Q(status__in=["rejected", "merged", "withdrawn"]),
                name="voice_wall_shown",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "author", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="voice_idempotency_unique",
            ),
            models.UniqueConstraint(
                fields=["community", "compound", "ledger_key"],
                condition=~models.Q(ledger_key=""),
                name="voice_ledger_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} · {self.text[:20]}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class VoiceEvent(models.Model):
    """The append-only timeline of a voice. ``public`` events are shown to the author (and on the wall)."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    voice = models.ForeignKey(Voice, verbose_name=_("voice"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verb = models.CharField(_("verb"), max_length=40)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, blank=True)
    public = models.BooleanField(_("public"), default=True)
    note = models.TextField(_("note"), blank=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("voice event")
        verbose_name_plural = _("voice events")
        indexes = [
            models.Index(fields=["community", "voice", "at"], name="voice_event_timeline"),
            models.Index(fields=["community", "verb", "at"], name="voice_event_verb"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Voice events are append-only.")
        super().save(*args, **kwargs)


class VoiceAssignment(models.Model):
    """An organization handling a voice; joint handling has several, exactly one of them the lead."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    voice = models.ForeignKey(Voice, verbose_name=_("voice"), on_delete=models.CASCADE, related_name="assignments")
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    is_lead = models.BooleanField(_("lead"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    assigned_at = models.DateTimeField(_("assigned at"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [
            models.Index(fields=["community", "organization", "is_active"], name="voice_assignment_org"),
            # The voices an organization is (still) assigned: all of them (voices_visible), or those in the
            # communities its staff do not already see whole (selectors.voices_in_scope).
            models.Index(
                fields=["organization", "community", "voice"],
                condition=models.Q(is_active=True),
                name="voice_assignment_scope",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "voice", "organization"],
                condition=models.Q(is_active=True),
                name="voice_assignment_active_unique",
            ),
            models.UniqueConstraint(
                fields=["community", "voice"],
                condition=models.Q(is_active=True, is_lead=True),
                name="voice_assignment_one_lead",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.voice_id} → {self.organization_id}{' (lead)' if self.is_lead else ''}"


class VoiceReply(models.Model):
    """A public reply (the author and, for public voices, neighbours see it) or an internal note (staff only)."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    voice = models.ForeignKey(Voice, verbose_name=_("voice"), on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_internal = models.BooleanField(_("internal note"), default=False)
    text = models.TextField(_("text"), max_length=TEXT_MAX)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        indexes = [models.Index(fields=["community", "voice", "created_at"], name="voice_reply_voice")]

    def __str__(self) -> str:
        return f"#{self.voice_id} {self.text[:20]}"


class PhotoStage(models.TextChoices):
    RAISED = "raised", _("With the voice")
    RESOLVED = "resolved", _("With the resolution")


def photo_path(instance: VoicePhoto, filename: str) -> str:
    """Photos are stored under a random name; the uploaded name is never used."""
    return f"voices/{instance.community_id}/{uuid.uuid4().hex}.jpg"


class VoicePhoto(models.Model):
    """A photo, re-encoded on upload (no EXIF, no location), served only to those who may see the voice."""

    MAX_PER_VOICE = 9

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    voice = models.ForeignKey(Voice, verbose_name=_("voice"), on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("stage"), max_length=20, choices=PhotoStage.choices, default=PhotoStage.RAISED)
    image = models.FileField(_("photo"), upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["community", "voice", "stage"], name="voice_photo_voice")]

    def __str__(self) -> str:
        return f"{self.voice_id}/{self.pk}"


class VoiceRating(models.Model):
    """The author's rating of a resolution. After a reopen a new rating replaces this one for KPIs."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    voice = models.ForeignKey(Voice, verbose_name=_("voice"), on_delete=models.CASCADE, related_name="ratings")
    # Empty for a rating taken from an imported ledger.
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    score = models.CharField(_("rating"), max_length=20, choices=Score.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        indexes = [
            models.Index(fields=["community", "voice", "at"], name="voice_rating_voice"),
            models.Index(fields=["community", "at"], name="voice_rating_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.voice_id} {self.get_score_display()}"


class MeToo(models.Model):
    """A neighbour saying "me too" to a voice instead of raising a new one."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    voice = models.ForeignKey(Voice, verbose_name=_("voice"), on_delete=models.CASCADE, related_name="me_toos")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("me too")
        verbose_name_plural = _("me toos")
        constraints = [models.UniqueConstraint(fields=["community", "voice", "user"], name="me_too_once")]

    def __str__(self) -> str:
        return f"#{self.voice_id} + {self.user_id}"


class RoutingRule(models.Model):
    """Voices of a category in a community go to an organization (edited by community staff)."""

    community = models.ForeignKey(
        "estates.Area", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organization"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [models.UniqueConstraint(fields=["community", "category"], name="routing_rule_unique")]

    def __str__(self) -> str:
        return f"{self.category} → {self.organization}"


class DeadlinePolicy(models.Model):
    """Response and resolution deadlines in hours for a kind (× category). Empty community: the default.

    The most specific policy wins: community + category, community, default + category, default. An empty
    resolution time means the kind is not resolved against a deadline (praise).
    """

    community = models.ForeignKey(
        "estates.Area", verbose_name=_("community"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    response_hours = models.PositiveIntegerField(_("response within (hours)"))
    resolution_hours = models.PositiveIntegerField(_("resolve within (hours)"), null=True, blank=True)

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "kind", "category"],
                name="deadline_policy_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.category or ''} {self.response_hours}h/{self.resolution_hours}h"


class PeriodicJob(models.Model):
    """A periodic background job's schedule: the guard that keeps a self-scheduling task from doubling."""

    name = models.CharField(max_length=64, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self) -> str:
        return self.name


class IntakeStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


class VoiceIntake(models.Model):
    """A voice sent through the intake (``POST /api/voices/intake/``), waiting for the worker to raise it.

    The request writes one row (user, validated payload, idempotency key) and nothing else; the drainer
    (``services/intake.py``) turns queued rows into voices through ``voice_submit_outcome`` and records the
    outcome here: ``done`` with the voice, or ``refused`` with the error the synchronous API would have given.
    The row is the record of the request itself (who sent what, when); the audit events are written when it is
    drained. Keyed by user, not by community: the request does not read the compound (see the architecture
    note), and rows are transient — they only matter until the client has read the outcome.
    """

    TRANSITIONS: dict[str, frozenset[str]] = {
        IntakeStatus.QUEUED: frozenset({IntakeStatus.DONE, IntakeStatus.REFUSED}),
        IntakeStatus.DONE: frozenset(),
        IntakeStatus.REFUSED: frozenset(),
    }

    # No index of its own on user or voice: the unique (user, key) index serves "the user's intakes", and each
    # index is work for the request's INSERT (a voice deleted by a superuser clears its intakes by a scan).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    payload = models.JSONField(_("payload"))
    idempotency_key = models.CharField(max_length=64)
    # Database defaults: the request's INSERT names only user, payload and key.
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=IntakeStatus.choices,
        default=IntakeStatus.QUEUED,
        db_default=IntakeStatus.QUEUED,
    )
    voice = models.ForeignKey(
        Voice,
        verbose_name=_("voice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    error_code = models.CharField(max_length=40, blank=True, default="", db_default="")
    error_field = models.CharField(max_length=40, blank=True, default="", db_default="")
    error = models.TextField(_("error"), blank=True, default="", db_default="")
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    created_at = models.DateTimeField(_("created at"), db_default=Now())
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("voice intake")
        verbose_name_plural = _("voice intakes")
        constraints = [
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="voice_intake_idempotency"),
        ]
        indexes = [
            # The drainer's queue: the queued rows in order (a small partial index: done rows leave it).
            models.Index(fields=["id"], condition=models.Q(status="queued"), name="voice_intake_queued"),
        ]

    def __str__(self) -> str:
        return f"intake {self.pk} ({self.status})"
