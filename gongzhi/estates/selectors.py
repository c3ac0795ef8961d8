"""Scoped reads of the estate. Every view and API endpoint reads through these (DESIGN rule 2)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from gongzhi.accounts.roles import BINDING_DECIDERS, ESTATE_VIEWERS, HOUSEHOLD_VIEWERS
from gongzhi.core.crypto import normalize_phone, phone_hash
from gongzhi.core.errors import NotAllowed, NotFound

from .models import (
    BindingStatus,
    Building,
    Compound,
    House,
    HouseBinding,
    HouseEvent,
    LedgerImport,
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
            raise NotAllowed("You do not have access to this compound.")
        raise NotFound("No such compound.")
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
            raise NotAllowed("You do not have access to this house.")
        raise NotFound("No such house.")
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


@dataclass
class MatrixUnit:
    unit: Unit
    floors: list[tuple[int, list[House]]] = field(default_factory=list)


@dataclass
class MatrixBuilding:
    building: Building
    units: list[MatrixUnit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def house_matrix(*, compound: Compound, building_id: int | None = None) -> list[MatrixBuilding]:
    """The 房态图: building → unit → floor (top first) → rooms, in a fixed number of queries."""
    buildings = list(
        Building.objects.filter(community_id=compound.community_id, compound=compound).order_by("sort_key", "name")
    )
    if building_id:
        buildings = [b for b in buildings if b.id == building_id]
    units = Unit.objects.filter(community_id=compound.community_id, building__in=[b.id for b in buildings]).order_by(
        "sort_key", "name"
    )
    houses = (
        House.objects.filter(community_id=compound.community_id, building__in=[b.id for b in buildings])
        .only("id", "unit_id", "building_id", "room", "floor", "status")
        .order_by("floor", "room")
    )
    by_unit: dict[int, dict[int, list[House]]] = {}
    for h in houses:
        by_unit.setdefault(h.unit_id, {}).setdefault(h.floor, []).append(h)
    by_building: dict[int, MatrixBuilding] = {b.id: MatrixBuilding(building=b) for b in buildings}
    for u in units:
        floors = by_unit.get(u.id, {})
        mb = by_building[u.building_id]
        mb.units.append(MatrixUnit(unit=u, floors=sorted(floors.items(), key=lambda kv: -kv[0])))
        for rooms in floors.values():
            for h in rooms:
                mb.counts[h.status] = mb.counts.get(h.status, 0) + 1
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
