"""What a compound already holds for the rows of a work-order ledger, loaded in a few queries.

Categories, the compound's buildings and houses, and the stored voices the rows name (by ledger key or by
``GZ-<id>``) with their latest rating and the time of their last recorded step, so that rows are compared
without a query per row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Max

from gongzhi.estates.models import Building, Compound, House

from ..models import Category, Channel, Voice, VoiceEvent, VoiceRating
from .rows import WorkOrderRow

CHUNK = 900  # keys per IN (…) list, under every database's parameter limit
IMPORT_VERB = "import"  # the staff-only timeline event that records an import


@dataclass(slots=True)
class StoredVoice:
    id: int
    ledger_key: str
    channel: str
    status: str
    kind: str
    category_id: int
    text: str
    location_kind: str
    building_id: int | None
    house_id: int | None
    submitted_at: datetime.datetime
    accepted_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    rating: str = ""  # the latest rating's score
    last_step: datetime.datetime | None = None  # the latest timeline event other than an import

    @property
    def from_ledger(self) -> bool:
        return self.channel == Channel.LEDGER


@dataclass
class Stored:
    categories: dict[str, int] = field(default_factory=dict)  # name → id
    category_names: dict[int, str] = field(default_factory=dict)
    buildings: dict[str, int] = field(default_factory=dict)  # name → id
    building_names: dict[int, str] = field(default_factory=dict)
    houses: dict[tuple[str, str, str], tuple[int, int]] = field(default_factory=dict)  # (楼栋, 单元, 房号) → ids
    house_names: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    by_key: dict[str, StoredVoice] = field(default_factory=dict)  # ledger key → voice
    by_id: dict[int, StoredVoice] = field(default_factory=dict)  # voices a GZ-<id> may name

    def voice_for(self, row: WorkOrderRow) -> StoredVoice | None:
        pk = row.platform_id
        return self.by_id.get(pk) if pk is not None else self.by_key.get(row.key)


VOICE_FIELDS = (
    "id",
    "ledger_key",
    "channel",
    "status",
    "kind",
    "category_id",
    "text",
    "location_kind",
    "building_id",
    "house_id",
    "submitted_at",
    "accepted_at",
    "resolved_at",
    "closed_at",
)


def _chunks(items: list[int] | list[str]) -> list[list[int] | list[str]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def stored_load(compound: Compound, rows: list[WorkOrderRow]) -> Stored:
    stored = Stored()
    for pk, name in Category.objects.values_list("id", "name"):
        stored.categories[name] = pk
        stored.category_names[pk] = name
    scope = {"community_id": compound.community_id, "compound": compound}
    for pk, name in Building.objects.filter(**scope).values_list("id", "name"):
        stored.buildings[name] = pk
        stored.building_names[pk] = name
    houses = House.objects.filter(**scope).values_list("id", "building_id", "building__name", "unit__name", "room")
    for pk, building_id, building, unit, room in houses.iterator(chunk_size=5000):
        stored.houses[(building, unit, room)] = (pk, building_id)
        stored.house_names[pk] = (building, unit, room)
    voices = Voice.objects.filter(**scope)
    keys = sorted({row.key for row in rows if row.platform_id is None})
    ids = sorted({n for row in rows if (n := row.platform_id) is not None})
    found: dict[int, StoredVoice] = {}
    for chunk in _chunks(keys):
        for values in voices.filter(ledger_key__in=chunk).values_list(*VOICE_FIELDS):
            voice = StoredVoice(*values)
            found[voice.id] = stored.by_key[voice.ledger_key] = voice
    for chunk in _chunks(ids):
        for values in voices.filter(pk__in=chunk).values_list(*VOICE_FIELDS):
            loaded = StoredVoice(*values)
            voice = found.setdefault(loaded.id, loaded)
            if not voice.ledger_key.startswith("ref:"):  # a voice with an earlier number is named by it
                stored.by_id[voice.id] = voice
    _history_load(compound, found)
    return stored


def _history_load(compound: Compound, voices: dict[int, StoredVoice]) -> None:
    """Each voice's latest rating and last recorded step."""
    for chunk in _chunks(sorted(voices)):
        ratings = (
            VoiceRating.objects.filter(community_id=compound.community_id, voice_id__in=chunk)
            .order_by("at", "id")
            .values_list("voice_id", "score")
        )
        for voice_id, score in ratings:
            voices[voice_id].rating = score  # the last one wins
        steps = (
            VoiceEvent.objects.filter(community_id=compound.community_id, voice_id__in=chunk)
            .exclude(verb=IMPORT_VERB)
            .values("voice_id")
            .annotate(last=Max("at"))
            .values_list("voice_id", "last")
        )
        for voice_id, last in steps:
            voices[voice_id].last_step = last
