"""Joint dispute mediation (矛盾联调) and security linkage (治安联动).

A case of one compound has parties (households, persons, the property company), evidence, mediators assigned
by capacity (community police officer, lawyer, grid worker, community staff, people's mediator), sessions with
attendance and notes, an agreement (调解协议书) in versions — a signed version is never edited, a change is a
new version with a reason —, an outcome, and follow-up visits after an agreement. A case is private: only its
parties, its mediators and the community secretary see it; every view (and every refused attempt) is a
``CaseAccess`` row the secretary reads.

Every growing table carries ``community`` (copied down from the compound) and indexes it first (DESIGN.md,
"Scale"). Cases, sessions, agreements and incidents change status only along their ``TRANSITIONS`` tables;
``CaseEvent`` and ``IncidentEvent`` are append-only timelines (the figures are read from ``CaseEvent``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedPhoneField

TEXT_MAX = 2000
TITLE_MAX = 100
NAME_MAX = 50
PLACE_MAX = 200
REASON_MAX = 200


class CaseType(models.TextChoices):
    NOISE = "noise", _("Noise")
    LEAK = "leak", _("Leak between floors")
    PARKING = "parking", _("Parking")
    PETS = "pets", _("Pets")
    RENOVATION = "renovation", _("Renovation")
    FEES = "fees", _("Fees")
    NEIGHBOURS = "neighbours", _("Neighbours")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MEDIATING = "mediating", _("In mediation")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


class Outcome(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement reached")
    PARTIAL = "partial", _("Partly reached")
    REFERRED = "referred", _("Failed and referred")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Outcomes that rest on a signed agreement and are followed up.
AGREED_OUTCOMES = frozenset({Outcome.AGREEMENT, Outcome.PARTIAL})


class ReferredTo(models.TextChoices):
    COURT = "court", _("Court")
    ARBITRATION = "arbitration", _("Arbitration")
    POLICE = "police", _("Police")
    DEPARTMENT = "department", _("Government department")


class PartyKind(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    PERSON = "person", _("Person")
    COMPANY = "company", _("Property company")


class Capacity(models.TextChoices):
    OFFICER = "officer", _("Community police officer")
    LAWYER = "lawyer", _("Lawyer")
    GRID_WORKER = "grid_worker", _("Grid worker")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    PEOPLES_MEDIATOR = "peoples_mediator", _("People's mediator")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    SUPERSEDED = "superseded", _("Superseded")


class FollowUpStatus(models.TextChoices):
    DUE = "due", _("Due")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")


class Case(models.Model):
    """A dispute of one compound. open → mediating (a session scheduled) → closed (with an outcome); a closed
    case whose agreement a follow-up found broken may be reopened, and is closed again with a new outcome."""

    TRANSITIONS: dict[str, frozenset[str]] = {
        CaseStatus.OPEN: frozenset({CaseStatus.MEDIATING, CaseStatus.CLOSED}),
        CaseStatus.MEDIATING: frozenset({CaseStatus.CLOSED}),
        CaseStatus.CLOSED: frozenset({CaseStatus.REOPENED}),
        CaseStatus.REOPENED: frozenset({CaseStatus.MEDIATING, CaseStatus.CLOSED}),
    }

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(
        "estates.Compound", verbose_name=_("compound"), on_delete=models.PROTECT, related_name="mediation_cases"
    )
    case_type = models.CharField(_("type"), max_length=20, choices=CaseType.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), max_length=TEXT_MAX)
    place = models.CharField(_("where"), max_length=PLACE_MAX, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), max_length=TEXT_MAX, blank=True)
    referred_to = models.CharField(_("referred to"), max_length=20, choices=ReferredTo.choices, blank=True)
    referred_where = models.CharField(_("referred where"), max_length=PLACE_MAX, blank=True)
    referred_on = models.DateField(_("referred on"), null=True, blank=True)
    voice = models.ForeignKey(
        "voices.Voice", verbose_name=_("from voice"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        indexes = [
            models.Index(fields=["community", "compound", "status", "-opened_at"], name="mediation_case_status"),
            models.Index(fields=["community", "closed_at"], name="mediation_case_closed"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "voice"], condition=Q(voice__isnull=False), name="mediation_case_voice_once"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class CaseParty(models.Model):
    """A party: a household (a house of the compound), a person (a resident with an account, or a name and phone),
    or the compound's property company."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField(_("kind"), max_length=20, choices=PartyKind.choices)
    house = models.ForeignKey(
        "estates.House", verbose_name=_("house"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=NAME_MAX)
    phone = EncryptedPhoneField(_("phone"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["added_at", "pk"]
        indexes = [
            models.Index(fields=["community", "case"], name="mediation_party_case"),
            models.Index(fields=["user"], name="mediation_party_user"),
            models.Index(fields=["house"], name="mediation_party_house"),
            models.Index(fields=["organization"], name="mediation_party_org"),
        ]

    def __str__(self) -> str:
        return self.name


class CaseMediator(models.Model):
    """A person assigned to mediate a case, in one capacity; only active assignments see the case."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="mediators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mediator"), on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.CharField(_("capacity"), max_length=20, choices=Capacity.choices)
    is_active = models.BooleanField(_("active"), default=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"))
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["assigned_at", "pk"]
        indexes = [
            models.Index(fields=["user", "is_active"], name="mediation_mediator_user"),
            models.Index(fields=["community", "case"], name="mediation_mediator_case"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "case", "user"], condition=Q(is_active=True), name="mediation_mediator_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.user_id} {self.capacity}"


def evidence_path(instance: CaseEvidence, filename: str) -> str:
    """Evidence is stored under a random name; the uploaded name is kept only as ``original_name``."""
    ext = "pdf" if instance.kind == EvidenceKind.DOCUMENT else "jpg"
    return f"mediation/{instance.community_id}/{uuid.uuid4().hex}.{ext}"


class CaseEvidence(models.Model):
    """A photo (re-encoded, no EXIF) or a PDF document; served only to those who may see the case."""

    MAX_PER_CASE = 50

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(default=0)
    note = models.CharField(_("note"), max_length=REASON_MAX, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["community", "case"], name="mediation_evidence_case")]

    def __str__(self) -> str:
        return self.original_name


class CaseSession(models.Model):
    """A mediation session: scheduled (time, place, invited parties) → held (attendance, notes), or cancelled."""

    TRANSITIONS: dict[str, frozenset[str]] = {
        SessionStatus.SCHEDULED: frozenset({SessionStatus.HELD, SessionStatus.CANCELLED}),
        SessionStatus.HELD: frozenset(),
        SessionStatus.CANCELLED: frozenset(),
    }

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=PLACE_MAX)
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    invited = models.ManyToManyField(CaseParty, verbose_name=_("invited parties"), blank=True, related_name="+")
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=REASON_MAX, blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    reminded_for = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["community", "case", "starts_at"], name="mediation_session_case"),
            models.Index(fields=["status", "starts_at"], name="mediation_session_due"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.starts_at:%Y-%m-%d %H:%M}"


class SessionAttendance(models.Model):
    """Whether an invited party came to a session."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(CaseSession, on_delete=models.CASCADE, related_name="attendance")
    party = models.ForeignKey(CaseParty, on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField(_("present"), default=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["community", "session", "party"], name="mediation_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.party_id}"


class Agreement(models.Model):
    """A version of the case's agreement (调解协议书). A draft may be edited; once signed it is never edited:
    a change is a new version with a reason, and signing it supersedes the one before."""

    TRANSITIONS: dict[str, frozenset[str]] = {
        AgreementStatus.DRAFT: frozenset({AgreementStatus.SIGNED}),
        AgreementStatus.SIGNED: frozenset({AgreementStatus.SUPERSEDED}),
        AgreementStatus.SUPERSEDED: frozenset(),
    }

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveSmallIntegerField(_("version"))
    terms = models.TextField(_("terms"), max_length=TEXT_MAX * 2)
    reason = models.CharField(_("reason for the change"), max_length=REASON_MAX, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["community", "case", "version"], name="mediation_agreement_version"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A signed (or superseded) version keeps its terms: only its status may still move on."""
        if self.pk is not None:
            stored = Agreement.objects.filter(pk=self.pk).values("status", "terms", "signed_on", "reason").first()
            changed = stored is not None and (stored["terms"], stored["signed_on"], stored["reason"]) != (
                self.terms,
                self.signed_on,
                self.reason,
            )
            if changed and stored is not None and stored["status"] != AgreementStatus.DRAFT:
                raise TypeError("A signed agreement is never edited.")
        super().save(*args, **kwargs)


class FollowUp(models.Model):
    """A follow-up visit after a signed agreement (by default 7 and 30 days after signing): is it kept?"""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="follow_ups")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="follow_ups")
    number = models.PositiveSmallIntegerField(_("visit"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.DUE)
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    kept = models.BooleanField(_("agreement kept"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=TEXT_MAX, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["due_on", "number"]
        indexes = [
            models.Index(fields=["community", "case"], name="mediation_followup_case"),
            models.Index(fields=["status", "due_on"], name="mediation_followup_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["community", "agreement", "number"], name="mediation_followup_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.number} {self.due_on}"


class CaseEvent(models.Model):
    """The append-only timeline of a case; a ``close`` event carries the outcome (the figures read these)."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(_("verb"), max_length=40)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    kept = models.BooleanField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["community", "case", "at"], name="mediation_event_case"),
            models.Index(fields=["community", "verb", "at"], name="mediation_event_verb"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Case events are append-only.")
        super().save(*args, **kwargs)


class CaseAccess(models.Model):
    """One view of a case (its page, a piece of evidence, the agreement PDF) — or a refused attempt. The
    community secretary reads these; nobody changes them."""

    community = models.ForeignKey("estates.Area", null=True, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, null=True, on_delete=models.PROTECT, related_name="+")
    case_ref = models.PositiveBigIntegerField(_("case number"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    what = models.CharField(_("what"), max_length=20)
    allowed = models.BooleanField(_("allowed"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case access")
        verbose_name_plural = _("case accesses")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["community", "-at"], name="mediation_access_community"),
            models.Index(fields=["community", "case", "-at"], name="mediation_access_case"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.case_ref} {self.what} {self.allowed}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("The access log is append-only.")
        super().save(*args, **kwargs)


class MediationPolicy(models.Model):
    """A community's follow-up schedule: days after signing for the first and the second visit."""

    community = models.OneToOneField("estates.Area", on_delete=models.CASCADE, related_name="+")
    first_days = models.PositiveSmallIntegerField(_("first follow-up after (days)"), default=7)
    second_days = models.PositiveSmallIntegerField(_("second follow-up after (days)"), default=30)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mediation policy")
        verbose_name_plural = _("mediation policies")

    def __str__(self) -> str:
        return f"{self.community_id}: {self.first_days}/{self.second_days}"


# --- Security linkage (治安联动) ---------------------------------------------------------------------------------


class IncidentKind(models.TextChoices):
    THEFT = "theft", _("Theft")
    DISTURBANCE = "disturbance", _("Fight or disturbance")
    SUSPICIOUS = "suspicious", _("Suspicious person")
    FIRE = "fire", _("Fire hazard")
    TRAFFIC = "traffic", _("Traffic or parking")
    OTHER = "other", _("Other")


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


class SecurityIncident(models.Model):
    """An incident the property company's staff report to the compound's police station: reported →
    acknowledged by the station → closed with its outcome. Both sides see the timeline."""

    TRANSITIONS: dict[str, frozenset[str]] = {
        IncidentStatus.REPORTED: frozenset({IncidentStatus.ACKNOWLEDGED}),
        IncidentStatus.ACKNOWLEDGED: frozenset({IncidentStatus.CLOSED}),
        IncidentStatus.CLOSED: frozenset(),
    }

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(
        "estates.Compound", verbose_name=_("compound"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "accounts.Organization", verbose_name=_("police station"), on_delete=models.PROTECT, related_name="+"
    )
    company = models.ForeignKey(
        "accounts.Organization", verbose_name=_("reported by company"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    description = models.TextField(_("description"), max_length=TEXT_MAX)
    place = models.CharField(_("where"), max_length=PLACE_MAX)
    occurred_at = models.DateTimeField(_("happened at"))
    status = models.CharField(
        _("status"), max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.REPORTED
    )
    outcome = models.TextField(_("outcome"), max_length=TEXT_MAX, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(_("reported at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("security incident")
        verbose_name_plural = _("security incidents")
        indexes = [
            models.Index(fields=["community", "station", "status"], name="mediation_incident_station"),
            models.Index(fields=["community", "company", "-reported_at"], name="mediation_incident_company"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


class IncidentEvent(models.Model):
    """The append-only timeline of an incident."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(SecurityIncident, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(_("verb"), max_length=40)
    note = models.TextField(_("note"), max_length=TEXT_MAX, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["community", "incident", "at"], name="mediation_incident_event")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Incident events are append-only.")
        super().save(*args, **kwargs)
