"""Duty posts (护学岗, patrols) and the volunteer register.

A ``DutyPost`` of one compound has a weekly pattern (``ShiftPattern``: weekday, start, end) and a staffing rule
(at least so many police officers, property staff and resident volunteers per shift). Its ``Shift`` rows are
generated from the pattern over a date range, skipping the holidays and vacations of the community's
``DutyCalendar`` and adding its make-up workdays (调休). People are put on shifts as ``Assignment`` rows, each
with the kind they serve as; they check in and out on their phones. Two people exchange shifts with a
``SwapRequest`` (proposed → accepted / declined / withdrawn). ``Volunteer`` is the register of a compound's
resident volunteers (applied → active → suspended / retired; applied → refused).

Every table that grows carries ``community`` (copied down from the compound) and indexes it first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel

NAME_MAX = 100
TEXT_MAX = 500


class PostKind(models.TextChoices):
    SCHOOL_SAFETY = "school_safety", _("School-safety post")
    PATROL = "patrol", _("Security patrol")
    OTHER = "other", _("Other duty")


class ServeKind(models.TextChoices):
    """What a person serves as on a shift (the staffing rule counts these)."""

    OFFICER = "officer", _("Police officer")
    PROPERTY = "property", _("Property staff")
    VOLUNTEER = "volunteer", _("Resident volunteer")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    VACATION = "vacation", _("Vacation")
    WORKDAY = "workday", _("Make-up workday")


class SwapStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class VolunteerStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    RETIRED = "retired", _("Retired")
    REFUSED = "refused", _("Refused")


class NameDisplay(models.TextChoices):
    FULL = "full", _("Full name")
    MASKED = "masked", _("Masked name (张*)")


class DutyCalendarDay(models.Model):
    """A range of days of a community's duty calendar: a holiday, a vacation, or a make-up workday (调休) that
    runs the pattern of ``as_weekday`` (0 = Monday)."""

    community = models.ForeignKey("estates.Area", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=NAME_MAX)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    as_weekday = models.PositiveSmallIntegerField(_("runs as weekday"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("duty calendar day")
        verbose_name_plural = _("duty calendar days")
        ordering = ["first_day", "pk"]
        indexes = [models.Index(fields=["community", "first_day"], name="duty_calendar_first")]
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=models.F("first_day")), name="duty_calendar_range"),
            models.CheckConstraint(condition=Q(as_weekday__lte=6), name="duty_calendar_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.first_day}–{self.last_day}"


class DutyPost(TimeStampedModel):
    """A duty post of a compound, with its weekly pattern and staffing rule."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(
        "estates.Compound", verbose_name=_("compound"), on_delete=models.CASCADE, related_name="duty_posts"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX)
    kind = models.CharField(_("kind"), max_length=20, choices=PostKind.choices, default=PostKind.SCHOOL_SAFETY)
    place = models.CharField(_("place"), max_length=NAME_MAX, blank=True)
    follows_calendar = models.BooleanField(
        _("follows the school calendar"), default=True, help_text=_("No shifts on holidays and vacations.")
    )
    min_officers = models.PositiveSmallIntegerField(_("police officers per shift (at least)"), default=0)
    min_property = models.PositiveSmallIntegerField(_("property staff per shift (at least)"), default=0)
    min_volunteers = models.PositiveSmallIntegerField(_("resident volunteers per shift (at least)"), default=0)
    places = models.PositiveSmallIntegerField(_("people per shift (at most)"), default=4)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("duty post")
        verbose_name_plural = _("duty posts")
        indexes = [models.Index(fields=["community", "compound"], name="duty_post_compound")]

    def __str__(self) -> str:
        return self.name

    def minimum(self, kind: str) -> int:
        rule: dict[str, int] = {
            ServeKind.OFFICER: self.min_officers,
            ServeKind.PROPERTY: self.min_property,
            ServeKind.VOLUNTEER: self.min_volunteers,
        }
        return rule.get(kind, 0)


class ShiftPattern(models.Model):
    """One weekly slot of a post: every ``weekday`` (0 = Monday) from ``starts`` to ``ends``."""

    post = models.ForeignKey(DutyPost, on_delete=models.CASCADE, related_name="patterns")
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))

    class Meta:
        ordering = ["weekday", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["post", "weekday", "starts"], name="duty_pattern_once"),
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="duty_pattern_ends_after"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="duty_pattern_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.starts:%H:%M}-{self.ends:%H:%M}"


class Shift(models.Model):
    """One occurrence of a post's pattern."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(DutyPost, verbose_name=_("post"), on_delete=models.CASCADE, related_name="shifts")
    date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        indexes = [models.Index(fields=["community", "post", "starts_at"], name="duty_shift_post_start")]
        constraints = [
            models.UniqueConstraint(fields=["community", "post", "starts_at"], name="duty_shift_once"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="duty_shift_ends_after"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Assignment(models.Model):
    """A person on a shift, serving as ``kind``; the shift's times are copied here for the overlap check and
    the person's own list."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    shift = models.ForeignKey(Shift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="duty_assignments"
    )
    kind = models.CharField(_("serves as"), max_length=20, choices=ServeKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [
            models.Index(fields=["user", "starts_at"], name="duty_assignment_user"),
            models.Index(fields=["community", "shift"], name="duty_assignment_shift"),
            models.Index(fields=["starts_at", "reminded_at"], name="duty_assignment_remind"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["community", "shift", "user"], name="duty_assignment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.shift_id}"


class SwapRequest(models.Model):
    """The holder of ``offered`` proposes to exchange it with the holder of ``wanted``, who accepts or declines."""

    TRANSITIONS: dict[str, frozenset[str]] = {
        SwapStatus.PROPOSED: frozenset({SwapStatus.ACCEPTED, SwapStatus.DECLINED, SwapStatus.WITHDRAWN}),
        SwapStatus.ACCEPTED: frozenset(),
        SwapStatus.DECLINED: frozenset(),
        SwapStatus.WITHDRAWN: frozenset(),
    }

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    offered = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    wanted = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    counterpart = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=SwapStatus.choices, default=SwapStatus.PROPOSED)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        indexes = [models.Index(fields=["counterpart", "status"], name="duty_swap_counterpart")]

    def __str__(self) -> str:
        return f"{self.offered_id} ⇄ {self.wanted_id} ({self.status})"


class Volunteer(TimeStampedModel):
    """A resident volunteer of a compound."""

    TRANSITIONS: dict[str, frozenset[str]] = {
        VolunteerStatus.APPLIED: frozenset({VolunteerStatus.ACTIVE, VolunteerStatus.REFUSED}),
        VolunteerStatus.ACTIVE: frozenset({VolunteerStatus.SUSPENDED, VolunteerStatus.RETIRED}),
        VolunteerStatus.SUSPENDED: frozenset({VolunteerStatus.ACTIVE, VolunteerStatus.RETIRED}),
        VolunteerStatus.RETIRED: frozenset({VolunteerStatus.ACTIVE}),
        VolunteerStatus.REFUSED: frozenset(),
    }

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(
        "estates.Compound", verbose_name=_("compound"), on_delete=models.CASCADE, related_name="volunteers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="volunteering"
    )
    skills = models.CharField(_("skills"), max_length=TEXT_MAX, blank=True)
    availability = models.CharField(_("availability"), max_length=TEXT_MAX, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VolunteerStatus.choices, default=VolunteerStatus.APPLIED
    )
    name_display = models.CharField(
        _("name on the honour board"), max_length=10, choices=NameDisplay.choices, default=NameDisplay.MASKED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [models.Index(fields=["community", "compound", "status"], name="duty_volunteer_compound")]
        constraints = [
            models.UniqueConstraint(fields=["community", "compound", "user"], name="duty_volunteer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.compound_id}"
