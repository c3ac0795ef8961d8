"""Joint meetings (联席会议) and the action items (整改事项) they decide.

A meeting of one compound is convened by community staff, invites organizations and named people, publishes
its agenda, takes sign-ins (QR or marked by staff), records minutes and decisions per agenda item, and on
closing turns decisions into action items. Minutes are published in versions: a published version never
changes; a correction is a new version with a reason, and both stay readable. Action items carry their
progress, updates with before/after photos, sub-items whose progress rolls up by weight, and the ratings of
the residents whose voices they answer.

Every table that grows with use carries ``community`` (copied down from the compound) and indexes it first;
unique constraints include it (DESIGN.md, "Scale"). Meetings, minutes and action items change status only
along their ``TRANSITIONS`` tables.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.voices.models import Score

TEXT_MAX = 2000
TITLE_MAX = 100


class MeetingKind(models.TextChoices):
    JOINT = "joint", _("Three-party joint meeting")
    OWNERS = "owners", _("Owners' meeting")
    COORDINATION = "coordination", _("Department coordination meeting")
    SITE_VISIT = "site_visit", _("Site visit")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    HELD = "held", _("Held")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Party(models.TextChoices):
    """Which side of co-governance a participant speaks for (attendee counts are by party)."""

    COMMUNITY = "community", _("Community")
    PROPERTY = "property", _("Property company")
    RESIDENTS = "residents", _("Residents")
    DEPARTMENT = "department", _("Government departments")
    SUPERIOR = "superior", _("Sub-district and district")
    OTHER = "other", _("Other")


class Rsvp(models.TextChoices):
    PENDING = "pending", _("No answer yet")
    YES = "yes", _("Attending")
    NO = "no", _("Not attending")
    MAYBE = "maybe", _("Maybe")


class Meeting(TimeStampedModel):
    """A meeting of one compound's co-governance: a three-party joint meeting, an owners' meeting, a department
    coordination meeting or a site visit.

    draft → published (the agenda goes to the invitees) → held → closed (minutes recorded, decisions made into
    action items); a draft or published meeting may be cancelled, with a reason. A private meeting is seen only
    by the community's staff, supervisors and its invitees; a public one also by every staff member of the
    compound, and its published minutes are summarised for the compound's residents.
    """

    TRANSITIONS: dict[str, frozenset[str]] = {
        MeetingStatus.DRAFT: frozenset({MeetingStatus.PUBLISHED, MeetingStatus.CANCELLED}),
        MeetingStatus.PUBLISHED: frozenset({MeetingStatus.HELD, MeetingStatus.CANCELLED}),
        MeetingStatus.HELD: frozenset({MeetingStatus.CLOSED}),
        MeetingStatus.CLOSED: frozenset(),
        MeetingStatus.CANCELLED: frozenset(),
    }

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(
        "estates.Compound", verbose_name=_("compound"), on_delete=models.CASCADE, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), max_length=TEXT_MAX, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=300, blank=True)
    is_private = models.BooleanField(
        _("private"), default=False, help_text=_("Only the community's staff, supervisors and invitees see it.")
    )
    status = models.CharField(_("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT)
    convener = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("convener"), on_delete=models.PROTECT, related_name="+"
    )
    # Raised whenever the time, place or status that calendars show changes (the .ics SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    # Part of every QR sign-in code; a new nonce makes earlier codes useless (``sign_in_rotate``).
    sign_in_nonce = models.CharField(max_length=32, default="")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    # What the reminder sweep has done: the start time the day-before reminder went out for, and when the
    # convener was reminded to close the meeting.
    reminded_for = models.DateTimeField(null=True, blank=True)
    close_reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            models.Index(fields=["community", "compound", "-starts_at"], name="meeting_compound_start"),
            models.Index(fields=["community", "status", "starts_at"], name="meeting_status_start"),
            models.Index(fields=["community", "status", "ends_at"], name="meeting_status_end"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        """Not closed or cancelled."""
        return self.status in (MeetingStatus.DRAFT, MeetingStatus.PUBLISHED, MeetingStatus.HELD)


class MeetingInvitation(models.Model):
    """An invitation: to an organization (all its members are invitees) or to a named person.

    A person's answer (RSVP) is on a row of their own: answering for oneself when invited through one's
    organization adds that row, with ``organization`` set to the inviting one.
    """

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="invitations"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meeting_invitations",
    )
    party = models.CharField(_("party"), max_length=20, choices=Party.choices, default=Party.OTHER)
    rsvp = models.CharField(_("answer"), max_length=10, choices=Rsvp.choices, default=Rsvp.PENDING)
    rsvp_note = models.CharField(_("note"), max_length=200, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["community", "meeting"], name="meeting_invitation_meeting")]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(organization__isnull=False), name="meeting_invitation_someone"
            ),
            models.UniqueConstraint(
                fields=["community", "meeting", "user"],
                condition=Q(user__isnull=False),
                name="meeting_invitation_person_once",
            ),
            models.UniqueConstraint(
                fields=["community", "meeting", "organization"],
                condition=Q(user__isnull=True),
                name="meeting_invitation_organization_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.user_id or ''}/{self.organization_id or ''}"


def attachment_path(instance: MeetingAttachment, filename: str) -> str:
    """Attachments are stored under a random name; the uploaded name is kept only as ``original_name``."""
    ext = {
        "application/pdf": "pdf",
        "image/jpeg": "jpg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    }.get(instance.content_type, "bin")
    return f"meetings/attachments/{instance.community_id}/{uuid.uuid4().hex}.{ext}"


class MeetingAttachment(models.Model):
    """A document of a meeting (a plan, a drawing, a signed sheet): PDF, photo or Office file, checked by content."""

    MAX_PER_MEETING = 20

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["community", "meeting"], name="meeting_attachment_meeting")]

    def __str__(self) -> str:
        return self.original_name


class AgendaSource(models.TextChoices):
    FREE = "free", _("Written freely")
    TOPIC = "topic", _("Hot topic")
    VOICES = "voices", _("Overdue voices")
    ACTION = "action", _("Open action item")


class AgendaItem(models.Model):
    """One item of a meeting's agenda: picked from the candidates (a hot topic, overdue voices, an open action
    item) or written freely. A private item is left out of the residents' summary of the minutes."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    detail = models.TextField(_("detail"), max_length=TEXT_MAX, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=AgendaSource.choices, default=AgendaSource.FREE)
    topic_words = models.CharField(_("topic words"), max_length=200, blank=True)
    action_item = models.ForeignKey(
        "ActionItem",
        verbose_name=_("action item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )
    is_private = models.BooleanField(_("private"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["community", "meeting", "position"], name="agenda_item_meeting")]
        constraints = [
            models.UniqueConstraint(fields=["community", "meeting", "position"], name="agenda_item_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class AgendaItemVoice(models.Model):
    """A voice an agenda item is about (explicit link: it carries the community)."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="voice_links")
    voice = models.ForeignKey("voices.Voice", verbose_name=_("voice"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "agenda_item", "voice"], name="agenda_item_voice_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agenda_item_id} ↔ {self.voice_id}"


class SignInMethod(models.TextChoices):
    QR = "qr", _("Scanned the sign-in code")
    STAFF = "staff", _("Marked by staff")


class Attendance(models.Model):
    """Someone at the meeting: signed in by scanning its QR code, or marked by staff (a person without an
    account is marked by name and party)."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=50)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    method = models.CharField(_("signed in by"), max_length=10, choices=SignInMethod.choices)
    signed_in_at = models.DateTimeField(_("signed in at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["signed_in_at", "pk"]
        indexes = [models.Index(fields=["community", "meeting", "party"], name="attendance_meeting_party")]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "meeting", "user"],
                condition=Q(user__isnull=False),
                name="attendance_once_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.name}"


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CORRECTED = "corrected", _("Corrected by a later version")
    DISCARDED = "discarded", _("Discarded")


class Minutes(TimeStampedModel):
    """One version of a meeting's minutes: a text per agenda item (``MinutesEntry``).

    A draft is written while the meeting is held (closing needs it complete) and published once the meeting
    is closed; a published version never changes. A correction is a new version (``previous`` = the one it
    corrects, with a reason); publishing it marks the previous one "corrected", which stays readable.
    """

    TRANSITIONS: dict[str, frozenset[str]] = {
        MinutesStatus.DRAFT: frozenset({MinutesStatus.PUBLISHED, MinutesStatus.DISCARDED}),
        MinutesStatus.PUBLISHED: frozenset({MinutesStatus.CORRECTED}),
        MinutesStatus.CORRECTED: frozenset(),
        MinutesStatus.DISCARDED: frozenset(),
    }

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="minutes")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self", verbose_name=_("corrects"), null=True, blank=True, on_delete=models.RESTRICT, related_name="corrections"
    )
    status = models.CharField(_("status"), max_length=20, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT)
    correction_reason = models.CharField(_("reason for the correction"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        indexes = [models.Index(fields=["community", "meeting", "version"], name="minutes_meeting_version")]
        constraints = [
            models.UniqueConstraint(fields=["community", "meeting", "version"], name="minutes_version_unique"),
            models.UniqueConstraint(
                fields=["community", "meeting"], condition=Q(status="draft"), name="minutes_one_draft"
            ),
            models.UniqueConstraint(
                fields=["community", "meeting"], condition=Q(status="published"), name="minutes_one_published"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} v{self.version}"

    @property
    def is_public(self) -> bool:
        """Published once (the current version or one corrected since)."""
        return self.status in (MinutesStatus.PUBLISHED, MinutesStatus.CORRECTED)


class MinutesEntry(models.Model):
    """The minutes of one agenda item in one version."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    minutes = models.ForeignKey(Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="entries")
    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="minutes_entries"
    )
    text = models.TextField(_("minutes"), max_length=TEXT_MAX * 2)

    class Meta:
        verbose_name = _("minutes entry")
        verbose_name_plural = _("minutes entries")
        indexes = [models.Index(fields=["community", "minutes"], name="minutes_entry_minutes")]
        constraints = [
            models.UniqueConstraint(fields=["community", "minutes", "agenda_item"], name="minutes_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.minutes_id}/{self.agenda_item_id}"


class Decision(models.Model):
    """A decision on an agenda item. One that ``becomes_action`` turns into an action item when the meeting
    closes (``action_item`` is then set); until then it may be changed or removed."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="decisions"
    )
    text = models.TextField(_("decision"), max_length=TEXT_MAX)
    becomes_action = models.BooleanField(_("becomes an action item"), default=False)
    action_title = models.CharField(_("action item"), max_length=TITLE_MAX, blank=True)
    responsible_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("responsible organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    budget = models.DecimalField(_("budget estimate"), max_digits=12, decimal_places=2, null=True, blank=True)
    action_item = models.ForeignKey(
        "ActionItem",
        verbose_name=_("action item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["community", "meeting", "agenda_item"], name="decision_meeting_item")]

    def __str__(self) -> str:
        return self.text[:40]


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DELAYED = "delayed", _("Delayed")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ACTION_STATUSES = frozenset({ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DELAYED})


class ActionItem(TimeStampedModel):
    """An action item (整改事项): what is to be done, by whom, by when, for how much, and how far it has got.

    planned → in progress → done; delayed or cancelled with a reason; a done item moves back to in progress
    only with a reason. ``progress`` is 0–100; an item with sub-items takes theirs, weighted by ``weight``
    (cancelled sub-items left out). ``is_public`` items appear on the compound's public 整改清单.
    """

    TRANSITIONS: dict[str, frozenset[str]] = {
        ActionStatus.PLANNED: frozenset(
            {ActionStatus.IN_PROGRESS, ActionStatus.DELAYED, ActionStatus.DONE, ActionStatus.CANCELLED}
        ),
        ActionStatus.IN_PROGRESS: frozenset({ActionStatus.DELAYED, ActionStatus.DONE, ActionStatus.CANCELLED}),
        # delayed → delayed: delayed again, with a new reason (and usually a new due date).
        ActionStatus.DELAYED: frozenset(
            {ActionStatus.DELAYED, ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.CANCELLED}
        ),
        ActionStatus.DONE: frozenset({ActionStatus.IN_PROGRESS}),
        ActionStatus.CANCELLED: frozenset(),
    }
    # Moves that need a reason (the item's ``status_reason``).
    REASON_NEEDED: frozenset[tuple[str, str]] = frozenset(
        {(a, ActionStatus.DELAYED) for a in OPEN_ACTION_STATUSES}
        | {(a, ActionStatus.CANCELLED) for a in OPEN_ACTION_STATUSES}
        | {(ActionStatus.DONE, ActionStatus.IN_PROGRESS)}
    )

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(
        "estates.Compound", verbose_name=_("compound"), on_delete=models.CASCADE, related_name="action_items"
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sub_items",
    )
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    detail = models.TextField(_("detail"), max_length=TEXT_MAX, blank=True)
    responsible_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("responsible organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due date"))
    budget = models.DecimalField(_("budget estimate"), max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    is_public = models.BooleanField(_("on the public list"), default=True)
    # How many times the item has been done (a done item moved back and done again is rated afresh).
    done_round = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [
            models.Index(fields=["community", "compound", "status", "due_on"], name="action_compound_status_due"),
            models.Index(fields=["community", "compound", "is_public", "parent"], name="action_public_list"),
            models.Index(fields=["community", "responsible_organization", "status"], name="action_responsible"),
            models.Index(fields=["community", "meeting"], name="action_meeting"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="action_progress_max_100"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="action_weight_positive"),
            models.CheckConstraint(condition=Q(budget__gte=0) | Q(budget__isnull=True), name="action_budget_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES


class ActionItemVoice(models.Model):
    """A voice an action item answers: its author is told when the item is done, and may rate it."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="voice_links")
    voice = models.ForeignKey("voices.Voice", verbose_name=_("voice"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["community", "voice"], name="action_voice_voice")]
        constraints = [
            models.UniqueConstraint(fields=["community", "action_item", "voice"], name="action_item_voice_unique")
        ]

    def __str__(self) -> str:
        return f"{self.action_item_id} ↔ {self.voice_id}"


class UpdateSource(models.TextChoices):
    APP = "app", _("Platform")
    BULK = "bulk", _("Bulk update")
    ROLLUP = "rollup", _("From its sub-items")
    MEETING = "meeting", _("Meeting decision")


class ActionUpdate(models.Model):
    """The append-only history of an action item: each change of status or progress, with its note."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    action_item = models.ForeignKey(
        ActionItem, verbose_name=_("action item"), on_delete=models.CASCADE, related_name="updates"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=20, choices=UpdateSource.choices, default=UpdateSource.APP)
    status_before = models.CharField(max_length=20, choices=ActionStatus.choices, blank=True)
    status_after = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices)
    progress_before = models.PositiveSmallIntegerField(null=True, blank=True)
    progress_after = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.TextField(_("note"), max_length=TEXT_MAX, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("action item update")
        verbose_name_plural = _("action item updates")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["community", "action_item", "at"], name="action_update_item")]

    def __str__(self) -> str:
        return f"{self.action_item_id} {self.status_after} {self.progress_after}%"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Action item updates are append-only.")
        super().save(*args, **kwargs)


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")


def action_photo_path(instance: ActionPhoto, filename: str) -> str:
    """Photos are stored under a random name; the uploaded name is never used."""
    return f"meetings/actions/{instance.community_id}/{uuid.uuid4().hex}.jpg"


class ActionPhoto(models.Model):
    """A before or after photo of an action item, re-encoded on upload (no EXIF, no location)."""

    MAX_PER_UPDATE = 9
    MAX_PER_ITEM = 60

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    action_item = models.ForeignKey(
        ActionItem, verbose_name=_("action item"), on_delete=models.CASCADE, related_name="photos"
    )
    update = models.ForeignKey(ActionUpdate, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    stage = models.CharField(_("stage"), max_length=20, choices=PhotoStage.choices)
    image = models.FileField(_("photo"), upload_to=action_photo_path, max_length=200)
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
        indexes = [models.Index(fields=["community", "action_item", "stage"], name="action_photo_item")]

    def __str__(self) -> str:
        return f"{self.action_item_id}/{self.pk}"


class ActionRating(models.Model):
    """A resident's rating of a done action item that answers their voice; once per resident each time the
    item is done (``round``)."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    action_item = models.ForeignKey(
        ActionItem, verbose_name=_("action item"), on_delete=models.CASCADE, related_name="ratings"
    )
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(default=1)
    score = models.CharField(_("rating"), max_length=20, choices=Score.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("action item rating")
        verbose_name_plural = _("action item ratings")
        indexes = [models.Index(fields=["community", "action_item", "at"], name="action_rating_item")]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "action_item", "rater", "round"], name="action_rating_once_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action_item_id} {self.get_score_display()}"
