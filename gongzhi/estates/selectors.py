"""Scoped reads of the estate. Every view and API endpoint reads through these (DESIGN rule 2)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from gongzhi.accounts.roles import BINDING_DECIDERS, ESTATE_VIEWERS, HOUSEHOLD_VIEWERS
from gongzhi.core.crypto import normalize_phone, phone_hash
from gongzhi.core.errors import NotAllowed, NotFound
from gongzhi.insights.kpis import (
    Ratio,
    occupancy_rate,
    occupancy_rate_by_compound,
    permanent_residents,
    permanent_residents_by_compound,
)

from .models import (
    BindingStatus,
    Building,
    Compound,
    House,
    HouseBinding,
    HouseEvent,
    HouseStatus,
    LedgerImport,
    Phase,
    Resident,
    Unit,
)
from .scope import compound_filter


def compounds_for(user: Any, roles: Iterable[str] = ESTATE_VIEWERS) -> QuerySet[Compound]:
    """Compounds where the user holds one of ``roles`` (every compound for superusers)."""
    qs = Compound.objects.select_related("community", "community__parent", "property_company")
    if getattr(user, "is_superuser", False):
        return qs.order_by("code")
    q = compound_filter(user, roles)
    return qs.filter(q).order_by("code") if q is not None else qs.none()


def compound_get(*, user: Any, code: str, roles: Iterable[str] = ESTATE_VIEWERS) -> Compound:
    """One compound by code; NotFound when it does not exist or lies outside the user's scope."""
    compound = compounds_for(user, roles).filter(code=code).first()
    if compound is None:
        if Compound.objects.filter(code=code).exists():
            raise NotAllowed(_("You do not have access to this compound."))
        raise NotFound(_("No such compound."))
    return compound


def houses_for(user: Any) -> QuerySet[House]:
    """Houses the user may open: households of compounds in scope, or the resident's own approved houses."""
    qs = House.objects.select_related("compound", "building", "unit", "phase")
    if getattr(user, "is_superuser", False):
        return qs
    q = compound_filter(user, HOUSEHOLD_VIEWERS)
    own = Q(bindings__user=user, bindings__status=BindingStatus.APPROVED) if user.is_authenticated else None
    if q is None and own is None:
        return qs.none()
    ids = Compound.objects.filter(q).values("id") if q is not None else None
    cond = Q(compound_id__in=ids) if ids is not None else Q(pk__in=[])
    if own is not None:
        cond |= Q(pk__in=House.objects.filter(own).values("pk"))
    return qs.filter(cond)


def house_get(*, user: Any, house_id: int) -> House:
    house = houses_for(user).filter(pk=house_id).first()
    if house is None:
        if House.objects.filter(pk=house_id).exists():
            raise NotAllowed(_("You do not have access to this house."))
        raise NotFound(_("No such house."))
    return house


@dataclass
class HouseSearch:
    q: str = ""
    building_id: int | None = None
    status: str = ""
    phase_id: int | None = None


def house_search(*, compound: Compound, search: HouseSearch, with_phones: bool) -> QuerySet[House]:
    """Houses of one compound (already scope-checked) matching building / room / owner name / phone."""
    qs = House.objects.filter(community_id=compound.community_id, compound=compound).select_related(
        "building", "unit", "phase"
    )
    text = search.q.strip()
    if text:
        digits = normalize_phone(text)
        cond = Q(room__icontains=text) | Q(owner_name__icontains=text) | Q(building__name__icontains=text)
        if len(digits) == 11 and digits.isdigit():
            h = phone_hash(digits)
            cond |= Q(owner_phone_hash=h) | Q(residents__phone_hash=h)
        qs = qs.filter(cond).distinct()
    if search.building_id:
        qs = qs.filter(building_id=search.building_id)
    if search.phase_id:
        qs = qs.filter(phase_id=search.phase_id)
    if search.status:
        qs = qs.filter(status=search.status)
    return qs.order_by("building__sort_key", "building__name", "unit__sort_key", "floor", "room")


# A short mark for each status, printed in every cell of the house matrix beside its colour, so the status
# can be read without telling colours apart (and by screen readers, with the full name in the link's label).
STATUS_MARKS: dict[str, Any] = {
    HouseStatus.UNDELIVERED: pgettext_lazy("house status mark", "N/D"),
    HouseStatus.VACANT: pgettext_lazy("house status mark", "Vac"),
    HouseStatus.RENOVATING: pgettext_lazy("house status mark", "Ren"),
    HouseStatus.OCCUPIED: pgettext_lazy("house status mark", "Occ"),
    HouseStatus.RENTED: pgettext_lazy("house status mark", "Let"),
}


@dataclass(slots=True)
class MatrixRoom:
    """One cell of the house matrix: just what the cell shows (no model instance, no personal data).

    ``label`` is the room and its status in words ("1201 已入住"), for screen readers; ``mark`` the short
    status printed in the cell beside its colour.
    """

    id: int
    room: str
    status: str
    label: str
    mark: str


@dataclass
class MatrixUnit:
    unit: Unit
    floors: list[tuple[int, list[MatrixRoom]]] = field(default_factory=list)


@dataclass
class MatrixBuilding:
    building: Building
    units: list[MatrixUnit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _room_key(room: MatrixRoom) -> tuple[int, str]:
    return (len(room.room), room.room)


def house_matrix(
    *, compound: Compound, building_id: int | None = None, buildings: list[Building] | None = None
) -> list[MatrixBuilding]:
    """The 房态图: building → unit → floor (top first) → rooms, in 3 queries however many houses.

    ``buildings``: the compound's buildings when the caller has them already (one query less).
    """
    if buildings is None:
        buildings = list(compound_buildings(compound=compound))
    if building_id:
        buildings = [b for b in buildings if b.id == building_id]
    ids = [b.id for b in buildings]
    units = Unit.objects.filter(community_id=compound.community_id, building__in=ids).order_by("sort_key", "name")
    houses = House.objects.filter(community_id=compound.community_id, building__in=ids).values_list(
        "id", "unit_id", "room", "floor", "status"
    )
    labels: dict[str, str] = {value: str(label) for value, label in HouseStatus.choices}
    marks: dict[str, str] = {value: str(mark) for value, mark in STATUS_MARKS.items()}
    by_unit: dict[int, dict[int, list[MatrixRoom]]] = {}
    for pk, unit_id, room, floor, status in houses:
        cell = MatrixRoom(pk, room, status, f"{room} {labels.get(status, status)}", marks.get(status, "?"))
        by_unit.setdefault(unit_id, {}).setdefault(floor, []).append(cell)
    by_building: dict[int, MatrixBuilding] = {b.id: MatrixBuilding(building=b) for b in buildings}
    for u in units:
        floors = by_unit.get(u.id, {})
        mb = by_building[u.building_id]
        mb.units.append(
            MatrixUnit(unit=u, floors=[(f, sorted(floors[f], key=_room_key)) for f in sorted(floors, reverse=True)])
        )
        for rooms in floors.values():
            for cell in rooms:
                mb.counts[cell.status] = mb.counts.get(cell.status, 0) + 1
    return list(by_building.values())


def house_status_counts(*, compound: Compound) -> dict[str, int]:
    rows = (
        House.objects.filter(community_id=compound.community_id, compound=compound)
        .values("status")
        .annotate(n=Count("id"))
    )
    return {r["status"]: r["n"] for r in rows}


def house_detail(*, user: Any, house_id: int) -> House:
    """A house with its current residents and status history, for the house page."""
    house = house_get(user=user, house_id=house_id)
    return (
        House.objects.filter(pk=house.pk)
        .select_related("compound", "building", "unit", "phase")
        .prefetch_related(
            Prefetch("residents", queryset=Resident.objects.order_by("moved_out_on", "relation", "id")),
            Prefetch("events", queryset=HouseEvent.objects.select_related("actor").order_by("-effective_on", "-id")),
        )
        .get()
    )


def bindings_pending(user: Any) -> QuerySet[HouseBinding]:
    """House-binding requests waiting for a decision in the compounds where the user decides them."""
    ids = compounds_for(user, BINDING_DECIDERS).values("id")
    return (
        HouseBinding.objects.filter(compound_id__in=ids, status=BindingStatus.PENDING)
        .select_related("house", "house__building", "house__unit", "compound", "user")
        .order_by("created_at")
    )


def bindings_of(user: Any) -> QuerySet[HouseBinding]:
    """The resident's own requests."""
    return (
        HouseBinding.objects.filter(user=user)
        .select_related("house", "house__building", "house__unit", "compound")
        .order_by("-created_at")
    )


def houses_of_resident(user: Any) -> QuerySet[House]:
    return (
        House.objects.filter(bindings__user=user, bindings__status=BindingStatus.APPROVED)
        .select_related("compound", "building", "unit")
        .prefetch_related(
            Prefetch("residents", queryset=Resident.objects.filter(moved_out_on__isnull=True).order_by("id"))
        )
        .distinct()
    )


def imports_for(*, compound: Compound) -> QuerySet[LedgerImport]:
    return LedgerImport.objects.filter(community_id=compound.community_id, compound=compound).order_by("-created_at")


# --- Staff pages ---------------------------------------------------------------------------------------------


@dataclass
class CompoundRow:
    """One line of the compound list: the compound and its headline figures at a date."""

    compound: Compound
    houses: int
    occupancy: Ratio
    permanent_residents: int


def compounds_search(*, user: Any, q: str = "") -> QuerySet[Compound]:
    """Compounds in the user's scope whose name or code contains ``q``, with their number of houses."""
    qs = compounds_for(user)
    text = q.strip()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(code__icontains=text.lower()))
    return qs.annotate(n_houses=Count("houses"))


def compound_rows(compounds: Iterable[Compound], *, at: datetime.date) -> list[CompoundRow]:
    """Headline KPIs for a page of compounds, through the KPI definitions, in a fixed number of queries."""
    page = list(compounds)
    ids = [c.id for c in page]
    communities = {c.community_id for c in page}
    houses = House.objects.filter(community_id__in=communities, compound_id__in=ids)
    rates = occupancy_rate_by_compound(houses, at)
    people = permanent_residents_by_compound(
        Resident.objects.filter(community_id__in=communities, compound_id__in=ids), at
    )
    counts = dict(houses.order_by().values("compound_id").annotate(n=Count("id")).values_list("compound_id", "n"))
    return [
        CompoundRow(
            compound=c,
            houses=counts.get(c.id, 0),
            occupancy=rates.get(c.id, Ratio(0, 0)),
            permanent_residents=people.get(c.id, 0),
        )
        for c in page
    ]


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    mark: str
    count: int


@dataclass(frozen=True)
class Change:
    """A change for display: ``sign`` is "+", "−" or "", ``size`` the absolute value (KPIS.md: −80.3%, +5.0 pp)."""

    value: float

    @property
    def sign(self) -> str:
        return "+" if self.value > 0 else "−" if self.value < 0 else ""

    @property
    def size(self) -> float:
        return abs(self.value)


@dataclass
class CompoundOverview:
    """The figures on a compound's overview page: KPIs as of ``at`` and a year before, house status today."""

    compound: Compound
    at: datetime.date
    occupancy: Ratio
    permanent_residents: int
    year_before: datetime.date
    occupancy_year_before: Ratio
    permanent_residents_year_before: int
    status_counts: list[StatusCount]
    houses: int

    @property
    def occupancy_change_pp(self) -> Change | None:
        """The change of 入住率 on a year before, in percentage points; None without data on either date."""
        now, then = self.occupancy.value, self.occupancy_year_before.value
        return None if now is None or then is None else Change((now - then) * 100)

    @property
    def permanent_residents_change(self) -> Change | None:
        """The relative change of 常住人口 on a year before (0.25 = +25%); None when there were none then."""
        then = self.permanent_residents_year_before
        return Change((self.permanent_residents - then) / then) if then else None


def year_before(day: datetime.date) -> datetime.date:
    """The same day a year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def compound_overview(*, compound: Compound, at: datetime.date) -> CompoundOverview:
    """入住率 and 常住人口 at ``at`` and a year before (insights.kpis), houses by status today: 5 queries."""
    houses = House.objects.filter(community_id=compound.community_id, compound=compound)
    residents = Resident.objects.filter(community_id=compound.community_id, compound=compound)
    counts = house_status_counts(compound=compound)
    before = year_before(at)
    return CompoundOverview(
        compound=compound,
        at=at,
        occupancy=occupancy_rate(houses, at),
        permanent_residents=permanent_residents(residents, at),
        year_before=before,
        occupancy_year_before=occupancy_rate(houses, before),
        permanent_residents_year_before=permanent_residents(residents, before),
        status_counts=[
            StatusCount(status=value, label=str(label), mark=str(STATUS_MARKS[value]), count=counts.get(value, 0))
            for value, label in HouseStatus.choices
        ],
        houses=sum(counts.values()),
    )


def compound_buildings(*, compound: Compound) -> QuerySet[Building]:
    return Building.objects.filter(community_id=compound.community_id, compound=compound).order_by("sort_key", "name")


def compound_phases(*, compound: Compound) -> QuerySet[Phase]:
    return Phase.objects.filter(community_id=compound.community_id, compound=compound).order_by("name")


@dataclass
class BindingRow:
    """A pending request with the hint staff decide on: does the applicant's mobile match the ledger owner's?"""

    binding: HouseBinding
    owner_phone_matches: bool


def binding_rows(bindings: Iterable[HouseBinding]) -> list[BindingRow]:
    rows = []
    for b in bindings:
        house = b.house
        owner_hash = house.owner_phone_hash or phone_hash(normalize_phone(house.owner_phone))
        rows.append(BindingRow(binding=b, owner_phone_matches=bool(owner_hash) and owner_hash == b.user.phone_hash))
    return rows


def decides_bindings(user: Any) -> bool:
    """Whether the user decides house-binding requests in any compound."""
    return compounds_for(user, BINDING_DECIDERS).exists()


def binding_for_decision(*, user: Any, pk: int) -> HouseBinding:
    """A request (any status) in a compound where the user decides requests."""
    ids = compounds_for(user, BINDING_DECIDERS).values("id")
    binding = (
        HouseBinding.objects.filter(pk=pk, compound_id__in=ids)
        .select_related("house", "house__building", "house__unit", "compound", "user")
        .first()
    )
    if binding is None:
        if HouseBinding.objects.filter(pk=pk).exists():
            raise NotAllowed(_("You may not decide this request."))
        raise NotFound(_("No such request."))
    return binding


def binding_of(*, user: Any, pk: int) -> HouseBinding:
    """One of the resident's own requests; somebody else's is simply not found."""
    binding = bindings_of(user).filter(pk=pk).first()
    if binding is None:
        raise NotFound(_("No such request."))
    return binding


def bindings_open_of(user: Any) -> QuerySet[HouseBinding]:
    """The resident's requests still waiting, or refused (with the reason), newest first."""
    return bindings_of(user).filter(status__in=[BindingStatus.PENDING, BindingStatus.REFUSED])


# --- Choosing a house to bind to: structure only (names of buildings, units, rooms), never owner data ----------

BINDING_COMPOUND_CHOICES = 200


@dataclass
class BindingCascade:
    """What the resident has picked so far (compound → building → unit) and the choices of the next step."""

    compounds: list[Compound] = field(default_factory=list)
    compound: Compound | None = None
    buildings: list[Building] = field(default_factory=list)
    building: Building | None = None
    units: list[Unit] = field(default_factory=list)
    unit: Unit | None = None
    rooms: list[House] = field(default_factory=list)


def binding_cascade(
    *, q: str = "", compound_code: str = "", building_id: int | None = None, unit_id: int | None = None
) -> BindingCascade:
    """The choices for a house-binding request. Picks that do not belong together are dropped, not trusted."""
    cascade = BindingCascade()
    compounds = Compound.objects.only("id", "code", "name", "community_id").order_by("name", "code")
    if compound_code:
        cascade.compound = compounds.filter(code=compound_code).first()
    if cascade.compound is None:
        text = q.strip()
        if text:
            compounds = compounds.filter(Q(name__icontains=text) | Q(code__icontains=text.lower()))
        cascade.compounds = list(compounds[:BINDING_COMPOUND_CHOICES])
        return cascade
    compound = cascade.compound
    cascade.buildings = list(compound_buildings(compound=compound).only("id", "name"))
    cascade.building = next((b for b in cascade.buildings if b.id == building_id), None)
    if cascade.building is None:
        return cascade
    cascade.units = list(
        Unit.objects.filter(community_id=compound.community_id, building=cascade.building)
        .only("id", "name", "building_id")
        .order_by("sort_key", "name")
    )
    cascade.unit = next((u for u in cascade.units if u.id == unit_id), None)
    if cascade.unit is None:
        return cascade
    cascade.rooms = list(
        House.objects.filter(community_id=compound.community_id, unit=cascade.unit)
        .only("id", "room", "floor", "community_id", "compound_id", "unit_id")
        .order_by("floor", "room")
    )
    return cascade
