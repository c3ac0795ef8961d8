"""Activities (活动联办) and care of vacant homes (空置房照看).

An activity of one compound is organised by the community and/or the property company (and other
organizations), for an audience (the whole compound, some buildings, or the elderly). It goes draft →
published → held, or is cancelled. Residents sign up alone or as a household (the party size counts against
the capacity); when the places are taken, a sign-up joins the waitlist, and a cancellation promotes the
waitlist in order. Attendees check in by scanning the activity's QR code on their phone (or staff mark them),
and may then leave feedback once. Staff add photos to the activity's gallery.

Care of vacant homes: the owner of a vacant house asks the property company to look after it on a schedule,
with tasks chosen from the compound's task list. Staff record each visit with a checklist and photos; a
problem found on a visit tells the owner at once and opens a repair work order (a voice).

Every table that grows carries ``community`` (copied down from the compound) and indexes it first; unique
constraints include it (DESIGN.md, "Scale").
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel

TEXT_MAX = 2000
TITLE_MAX = 100
CAPACITY_MAX = 10000
PARTY_MAX = 10


class ActivityCategory(models.TextChoices):
    SERVICE = "service", _("Convenience services")
    FESTIVAL = "festival", _("Festivals and culture")
    ELDERLY = "elderly", _("Care for the elderly")
    CIVILITY = "civility", _("Civility publicity")
    VOLUNTEER = "volunteer", _("Volunteer service")
    OTHER = "other", _("Other")


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Audience(models.TextChoices):
    COMPOUND = "compound", _("The whole compound")
    BUILDINGS = "buildings", _("Some buildings")
    ELDERLY = "elderly", _("The elderly")


class SignupMode(models.TextChoices):
    PERSON = "person", _("By person")
    HOUSEHOLD = "household", _("By household")


class Activity(TimeStampedModel):
    """An activity of one compound. draft → published → held; a draft or published one may be cancelled."""

    TRANSITIONS: dict[str, frozenset[str]] = {
        ActivityStatus.DRAFT: frozenset({ActivityStatus.PUBLISHED, ActivityStatus.CANCELLED}),
        ActivityStatus.PUBLISHED: frozenset({ActivityStatus.HELD, ActivityStatus.CANCELLED}),
        ActivityStatus.HELD: frozenset(),
        ActivityStatus.CANCELLED: frozenset(),
    }

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(
        "estates.Compound", verbose_name=_("compound"), on_delete=models.CASCADE, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), max_length=TEXT_MAX, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=ActivityCategory.choices)
    by_community = models.BooleanField(_("organised by the community"), default=True)
    by_property = models.BooleanField(_("organised by the property company"), default=False)
    other_organizers = models.CharField(_("other organizers"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveIntegerField(_("places"))
    signup_mode = models.CharField(_("sign-up"), max_length=20, choices=SignupMode.choices, default=SignupMode.PERSON)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.COMPOUND)
    buildings = models.ManyToManyField("estates.Building", verbose_name=_("buildings"), blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT)
    # Raised whenever what calendars show changes (the .ics SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    # Part of every check-in QR code; a new nonce makes earlier codes useless.
    checkin_nonce = models.CharField(max_length=32, default="")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    # The start time the day-before reminder went out for.
    reminded_for = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["community", "compound", "starts_at"]),
            models.Index(fields=["community", "status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="activity_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration(self) -> datetime.timedelta:
        return self.ends_at - self.starts_at

    @property
    def organizers(self) -> list[str]:
        names: list[str] = []
        if self.by_community:
            names.append(str(_("Community")))
        if self.by_property:
            names.append(str(_("Property company")))
        if self.other_organizers:
            names.append(self.other_organizers)
        return names


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waitlist")
    CANCELLED = "cancelled", _("Cancelled")


class CheckinMethod(models.TextChoices):
    QR = "qr", _("QR code")
    STAFF = "staff", _("Marked by staff")


OPEN_SIGNUP = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)


class Signup(TimeStampedModel):
    """One person's (or household's) place at an activity, or place on its waitlist.

    The waitlist is served in order of ``created_at`` (then id). ``party_size`` people come with a household
    sign-up and all count against the capacity.
    """

    TRANSITIONS: dict[str, frozenset[str]] = {
        SignupStatus.CONFIRMED: frozenset({SignupStatus.CANCELLED}),
        SignupStatus.WAITLISTED: frozenset({SignupStatus.CONFIRMED, SignupStatus.CANCELLED}),
        SignupStatus.CANCELLED: frozenset(),
    }

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_signups")
    house = models.ForeignKey("estates.House", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    party_size = models.PositiveSmallIntegerField(_("people"), default=1)
    is_elderly = models.BooleanField(_("aged 60 or over"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=SignupStatus.choices)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checkin_method = models.CharField(max_length=10, choices=CheckinMethod.choices, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["community", "activity", "status"]),
            models.Index(fields=["community", "user", "status"]),
            models.Index(fields=["community", "checked_in_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "activity", "user"],
                condition=Q(status__in=["confirmed", "waitlisted"]),
                name="signup_one_open_per_user",
            ),
            models.CheckConstraint(condition=Q(party_size__gte=1), name="signup_party_positive"),
        ]


class Feedback(TimeStampedModel):
    """An attendee's rating (1–5) and comment; one per person and activity."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), max_length=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(fields=["community", "activity", "user"], name="feedback_once"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_range"),
        ]


def photo_path(instance: models.Model, filename: str) -> str:
    """Photos are stored under a random name; the uploaded name is never used."""
    return f"activities/{instance.community_id}/{uuid.uuid4().hex}.jpg"  # type: ignore[attr-defined]


class ActivityPhoto(TimeStampedModel):
    MAX_PER_ACTIVITY = 60

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["community", "activity"])]


# --- care of vacant homes -------------------------------------------------------------------------------------


class CareTask(models.Model):
    """One task of a compound's care list (edited by the property company)."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey("estates.Compound", on_delete=models.CASCADE, related_name="care_tasks")
    name = models.CharField(_("task"), max_length=60)
    sort_key = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("care task")
        verbose_name_plural = _("care tasks")
        ordering = ["sort_key", "id"]
        constraints = [models.UniqueConstraint(fields=["community", "compound", "name"], name="care_task_unique")]

    def __str__(self) -> str:
        return self.name


class CareSchedule(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")


SCHEDULE_DAYS = {CareSchedule.WEEKLY: 7, CareSchedule.FORTNIGHTLY: 14, CareSchedule.MONTHLY: 30}


class CareStatus(models.TextChoices):
    ACTIVE = "active", _("Under care")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class CarePlan(TimeStampedModel):
    """An owner's request that the property company look after a vacant house. active ⇄ paused → ended."""

    TRANSITIONS: dict[str, frozenset[str]] = {
        CareStatus.ACTIVE: frozenset({CareStatus.PAUSED, CareStatus.ENDED}),
        CareStatus.PAUSED: frozenset({CareStatus.ACTIVE, CareStatus.ENDED}),
        CareStatus.ENDED: frozenset(),
    }

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey("estates.Compound", on_delete=models.CASCADE, related_name="+")
    house = models.ForeignKey("estates.House", verbose_name=_("house"), on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_plans")
    schedule = models.CharField(_("how often"), max_length=20, choices=CareSchedule.choices)
    tasks = models.ManyToManyField(CareTask, verbose_name=_("tasks"), related_name="+")
    note = models.CharField(_("note for the staff"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CareStatus.choices, default=CareStatus.ACTIVE)
    starts_on = models.DateField(_("first visit on"))
    next_due_on = models.DateField(_("next visit due"))
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("care of a vacant home")
        verbose_name_plural = _("care of vacant homes")
        indexes = [
            models.Index(fields=["community", "compound", "status", "next_due_on"]),
            models.Index(fields=["community", "owner"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "house"],
                condition=Q(status__in=["active", "paused"]),
                name="care_one_open_per_house",
            )
        ]

    @property
    def interval(self) -> datetime.timedelta:
        return datetime.timedelta(days=SCHEDULE_DAYS[CareSchedule(self.schedule)])


class CareVisit(TimeStampedModel):
    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visited on"))
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), max_length=TEXT_MAX, blank=True)
    problem = models.TextField(_("problem found"), max_length=TEXT_MAX, blank=True)
    voice = models.ForeignKey(
        "voices.Voice", verbose_name=_("work order"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["community", "plan", "visited_on"])]

    @property
    def has_problem(self) -> bool:
        return bool(self.problem)


class CareVisitItem(models.Model):
    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(CareVisit, on_delete=models.CASCADE, related_name="items")
    task_name = models.CharField(_("task"), max_length=60)
    done = models.BooleanField(_("done"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.task_name


class CareVisitPhoto(TimeStampedModel):
    MAX_PER_VISIT = 9

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(CareVisit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
