"""The estate: areas, compounds, phases, buildings, units, houses, residents and their history.

Tables that grow with use carry ``community`` (copied down) and index it first, so the schema can be
distributed by community without a redesign (DESIGN.md, "Scale").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedPhoneField
from gongzhi.core.models import TimeStampedModel


class AreaLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    SUB_DISTRICT = "sub_district", _("Sub-district")
    COMMUNITY = "community", _("Community")


class Area(models.Model):
    """District → sub-district → community. A small shared (reference) table."""

    level = models.CharField(_("level"), max_length=20, choices=AreaLevel.choices)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [models.UniqueConstraint(fields=["parent", "level", "name"], name="area_unique")]

    def __str__(self) -> str:
        return self.name


class HouseStatus(models.TextChoices):
    UNDELIVERED = "undelivered", _("Not delivered")
    VACANT = "vacant", _("Vacant")
    RENOVATING = "renovating", _("Renovating")
    OCCUPIED = "occupied", _("Occupied")
    RENTED = "rented", _("Rented out")


OCCUPIED_STATUSES = (HouseStatus.OCCUPIED, HouseStatus.RENTED)


class HouseType(models.TextChoices):
    """What a house is used as; fee standards are set per type (finance uses these same choices)."""

    RESIDENTIAL = "residential", _("Residential")
    VILLA = "villa", _("Villa")
    COMMERCIAL = "commercial", _("Commercial")


class Source(models.TextChoices):
    """Where a house event or a resident record came from."""

    STAFF = "staff", _("recorded by staff")
    LEDGER = "ledger", _("ledger import")
    BINDING = "binding", _("house binding")
    DEMO = "demo", _("demo data")


class Compound(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey(
        Area,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="compounds",
        limit_choices_to={"level": AreaLevel.COMMUNITY},
    )
    property_company = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("property company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_compounds",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    delivered_on = models.DateField(_("delivery date"), null=True, blank=True)

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        indexes = [models.Index(fields=["community", "code"])]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(Compound, verbose_name=_("compound"), on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("name"), max_length=40)
    delivered_on = models.DateField(_("delivery date"), null=True, blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [models.UniqueConstraint(fields=["community", "compound", "name"], name="phase_unique")]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(
        Compound, verbose_name=_("compound"), on_delete=models.CASCADE, related_name="buildings"
    )
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="buildings",
    )
    name = models.CharField(_("building"), max_length=40)
    sort_key = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["sort_key", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "compound", "name"], name="building_unique")]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey(Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("unit"), max_length=40)
    sort_key = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_key", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "building", "name"], name="unit_unique")]

    def __str__(self) -> str:
        return f"{self.building.name}{self.name}"


class House(TimeStampedModel):
    """A house. ``status`` is the latest of its ``HouseEvent`` history, kept here for fast lists."""

    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(Compound, verbose_name=_("compound"), on_delete=models.CASCADE, related_name="houses")
    building = models.ForeignKey(Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="houses")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="houses")
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="houses",
    )
    room = models.CharField(_("room"), max_length=20)
    floor = models.SmallIntegerField(_("floor"))
    area = models.DecimalField(_("gross area (m²)"), max_digits=9, decimal_places=2)
    status = models.CharField(_("status"), max_length=20, choices=HouseStatus.choices)
    # db_default too: bulk writers that name their columns (benchmarks, older scripts) still get a type.
    house_type = models.CharField(
        _("house type"),
        max_length=20,
        choices=HouseType.choices,
        default=HouseType.RESIDENTIAL,
        db_default=HouseType.RESIDENTIAL,
    )
    delivered_on = models.DateField(_("delivery date"), null=True, blank=True)
    moved_in_on = models.DateField(_("move-in date"), null=True, blank=True)
    owner_name = models.CharField(_("owner"), max_length=50, blank=True)
    owner_phone = EncryptedPhoneField(_("owner's mobile"))
    owner_phone_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        constraints = [models.UniqueConstraint(fields=["community", "unit", "room"], name="house_unique")]
        indexes = [
            models.Index(fields=["community", "compound", "status"]),
            models.Index(fields=["community", "compound", "building", "unit", "floor"]),
        ]

    def __str__(self) -> str:
        return f"{self.building.name}{self.unit.name}{self.room}"


class HouseEvent(models.Model):
    """A change of a house's status, effective on a date. Occupancy at any date is computed from these."""

    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=20, choices=HouseStatus.choices)
    effective_on = models.DateField(_("effective on"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.STAFF)

    class Meta:
        verbose_name = _("house status change")
        verbose_name_plural = _("house status changes")
        indexes = [models.Index(fields=["community", "house", "effective_on"])]
        ordering = ["effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.effective_on} {self.get_status_display()}"


class Relation(models.TextChoices):
    OWNER = "owner", _("Owner")
    FAMILY = "family", _("Family member")
    TENANT = "tenant", _("Tenant")


class Resident(TimeStampedModel):
    """A person living in (or owning) a house. Ledger imports create unnamed permanent residents."""

    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="+")
    house = models.ForeignKey(House, verbose_name=_("house"), on_delete=models.CASCADE, related_name="residents")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residencies",
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = EncryptedPhoneField(_("mobile"))
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    is_permanent = models.BooleanField(_("permanent resident"), default=True)
    moved_in_on = models.DateField(_("move-in date"), null=True, blank=True)
    moved_out_on = models.DateField(_("move-out date"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.STAFF)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        indexes = [
            models.Index(fields=["community", "compound", "is_permanent"]),
            models.Index(fields=["community", "house"]),
        ]

    def __str__(self) -> str:
        return self.name or str(_("(name not registered)"))


class BindingStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ENDED = "ended", _("Ended (moved out)")


class HouseBinding(TimeStampedModel):
    """A resident's request to be bound to a house, decided by property or community staff."""

    TRANSITIONS: dict[str, frozenset[str]] = {
        BindingStatus.PENDING: frozenset({BindingStatus.APPROVED, BindingStatus.REFUSED, BindingStatus.WITHDRAWN}),
        BindingStatus.APPROVED: frozenset({BindingStatus.ENDED}),
        BindingStatus.REFUSED: frozenset(),
        BindingStatus.WITHDRAWN: frozenset(),
        BindingStatus.ENDED: frozenset(),
    }

    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="+")
    house = models.ForeignKey(House, verbose_name=_("house"), on_delete=models.CASCADE, related_name="bindings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.CASCADE,
        related_name="bindings",
    )
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    status = models.CharField(_("status"), max_length=20, choices=BindingStatus.choices, default=BindingStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("house binding request")
        verbose_name_plural = _("house binding requests")
        indexes = [
            models.Index(fields=["community", "compound", "status"]),
            models.Index(fields=["user", "status"]),  # a resident's own requests and houses
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "house", "user"],
                condition=models.Q(status__in=["pending", "approved"]),
                name="binding_one_open_per_house_user",
            )
        ]


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking")
    READY = "ready", _("Ready to apply")
    INVALID = "invalid", _("Has errors")
    APPLYING = "applying", _("Applying")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class LedgerImport(TimeStampedModel):
    """An uploaded ledger on its way through preview → confirm; the worker reports progress here."""

    TRANSITIONS: dict[str, frozenset[str]] = {
        ImportStatus.CHECKING: frozenset({ImportStatus.READY, ImportStatus.INVALID, ImportStatus.FAILED}),
        ImportStatus.READY: frozenset({ImportStatus.APPLYING, ImportStatus.CANCELLED}),
        ImportStatus.INVALID: frozenset({ImportStatus.CANCELLED}),
        ImportStatus.APPLYING: frozenset({ImportStatus.APPLIED, ImportStatus.FAILED, ImportStatus.INVALID}),
        ImportStatus.APPLIED: frozenset(),
        ImportStatus.FAILED: frozenset(),
        ImportStatus.CANCELLED: frozenset(),
    }

    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(Compound, verbose_name=_("compound"), on_delete=models.CASCADE, related_name="imports")
    ledger = models.CharField(_("ledger"), max_length=20, default="houses")
    file = models.FileField(_("file"), upload_to="ledgers/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.CHECKING)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")
        indexes = [models.Index(fields=["community", "compound", "-created_at"])]

    @property
    def percent(self) -> int:
        return int(self.rows_done * 100 / self.rows_total) if self.rows_total else 0


class ImportLock(models.Model):
    """Held while a ledger is applied to a compound: two imports of one compound never run at once."""

    compound = models.OneToOneField(Compound, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField(auto_now_add=True)
    holder = models.CharField(max_length=100)

    def __str__(self) -> str:
        return f"{self.compound_id} @ {self.taken_at}"
