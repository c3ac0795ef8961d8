"""What a compound already holds, loaded in a few queries so that rows are compared without per-row SQL."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q

from gongzhi.estates.models import Building, Compound, House, HouseEvent, Phase, Resident, Unit

CHINESE_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
MAX_SORT_KEY = 2_000_000_000


def sort_key_of(name: str) -> int:
    """The number a name starts with, for ordering: "12栋" → 12, "三单元" → 3, "A座" → 0."""
    m = re.search(r"\d+", name)
    if m:
        return min(int(m[0]), MAX_SORT_KEY)
    m = re.match(r"[零一二两三四五六七八九十]+", name)
    if not m:
        return 0
    text = m[0]
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CHINESE_DIGITS.get(tens, 1) if tens else 1) * 10 + (CHINESE_DIGITS.get(ones, 0) if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + CHINESE_DIGITS[ch]
    return value


@dataclass(slots=True)
class StoredHouse:
    id: int
    phase: str
    floor: int
    area: Decimal
    status: str
    delivered_on: datetime.date | None
    moved_in_on: datetime.date | None
    owner_name: str
    phone_hash: str
    house_type: str
    residents: int = 0  # current permanent residents
    fixed: int = 0  # of those, the ones a ledger may not move out (named, with an account, or added by staff)
    last_event: datetime.date | None = None


@dataclass
class Stored:
    phases: dict[str, int] = field(default_factory=dict)
    buildings: dict[str, int] = field(default_factory=dict)
    units: dict[tuple[str, str], int] = field(default_factory=dict)  # (building, unit) → id
    houses: dict[tuple[str, str, str], StoredHouse] = field(default_factory=dict)  # (building, unit, room)


def stored_load(compound: Compound) -> Stored:
    """Phases, buildings, units, houses, resident counts and last event dates of the compound: six queries."""
    scope = {"community_id": compound.community_id, "compound": compound}
    stored = Stored()
    stored.phases = dict(Phase.objects.filter(**scope).values_list("name", "id"))
    stored.buildings = dict(Building.objects.filter(**scope).values_list("name", "id"))
    stored.units = {(b, u): pk for pk, b, u in Unit.objects.filter(**scope).values_list("id", "building__name", "name")}
    by_id: dict[int, StoredHouse] = {}
    rows = House.objects.filter(**scope).values_list(
        "id",
        "building__name",
        "unit__name",
        "room",
        "phase__name",
        "floor",
        "area",
        "status",
        "delivered_on",
        "moved_in_on",
        "owner_name",
        "owner_phone_hash",
        "house_type",
    )
    for (
        pk,
        building,
        unit,
        room,
        phase,
        floor,
        area,
        status,
        delivered,
        moved_in,
        owner,
        phone_hash,
        house_type,
    ) in rows.iterator(chunk_size=5000):
        house = StoredHouse(pk, phase or "", floor, area, status, delivered, moved_in, owner, phone_hash, house_type)
        stored.houses[(building, unit, room)] = house
        by_id[pk] = house
    removable = Q(source="ledger", name="", user__isnull=True)
    counts = (
        Resident.objects.filter(**scope, is_permanent=True, moved_out_on__isnull=True)
        .values("house_id")
        .annotate(n=Count("id"), removable=Count("id", filter=removable))
        .values_list("house_id", "n", "removable")
    )
    for house_id, n, n_removable in counts:
        if house_id in by_id:
            by_id[house_id].residents = n
            by_id[house_id].fixed = n - n_removable
    last_events = (
        HouseEvent.objects.filter(community_id=compound.community_id, house__compound=compound)
        .values("house_id")
        .annotate(last=Max("effective_on"))
        .values_list("house_id", "last")
    )
    for house_id, last in last_events:
        if house_id in by_id:
            by_id[house_id].last_event = last
    return stored
