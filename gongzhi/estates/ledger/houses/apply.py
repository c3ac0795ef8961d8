"""Writing house rows: bulk inserts and updates in batches, inside the caller's transaction.

The compound's buildings, units and houses are loaded once (``stored_load``); each batch of rows becomes a
few ``bulk_create``/``bulk_update`` calls for houses, status events, residents and audit events, so the
number of queries grows with the number of batches, never with the number of rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.utils import timezone

from gongzhi.core import crypto
from gongzhi.core.audit import audit_build
from gongzhi.core.models import AuditEvent
from gongzhi.estates.models import (
    OCCUPIED_STATUSES,
    Building,
    Compound,
    House,
    HouseEvent,
    HouseStatus,
    Phase,
    Relation,
    Resident,
    Unit,
)

from ..bulk import RowInserter, RowUpdater
from ..errors import LedgerRejected
from ..spec import Plan, Progress
from .plan import HIDDEN, house_changes, residents_error
from .rows import HouseRow
from .state import Stored, StoredHouse, sort_key_of, stored_load

BATCH = 1000
SOURCE = "ledger"
HOUSE_COLUMNS = (
    "community", "compound", "building", "unit", "phase", "room", "floor", "area", "status", "delivered_on",
    "moved_in_on", "owner_name", "owner_phone", "owner_phone_hash", "house_type", "created_at", "updated_at",
)  # fmt: skip
EVENT_COLUMNS = ("community", "house", "status", "effective_on", "recorded_at", "actor", "source")
RESIDENT_COLUMNS = (
    "community", "compound", "house", "user", "name", "phone", "phone_hash", "relation", "is_permanent",
    "moved_in_on", "moved_out_on", "source", "created_at", "updated_at",
)  # fmt: skip
AUDIT_COLUMNS = ("community", "actor", "verb", "object_type", "object_id", "before", "after", "at")
# Row key → the House fields it writes.
HOUSE_FIELDS: dict[str, tuple[str, ...]] = {
    "phase": ("phase",),
    "floor": ("floor",),
    "area": ("area",),
    "status": ("status",),
    "delivered_on": ("delivered_on",),
    "moved_in_on": ("moved_in_on",),
    "owner_name": ("owner_name",),
    "phone": ("owner_phone", "owner_phone_hash"),
    "house_type": ("house_type",),
}


def _audit_value(key: str, value: Any) -> Any:
    if key == "phone":
        return value if value in ("", HIDDEN) else crypto.mask_phone(value)
    return value


class HouseWriter:
    def __init__(self, *, actor: Any, compound: Compound, present: frozenset[str], stored: Stored) -> None:
        self.actor = actor
        self.actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        self.compound = compound
        self.community_id = compound.community_id
        self.present = present
        self.stored = stored
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.move_out: dict[int, int] = {}  # house id → ledger residents to move out
        self.plan = Plan()
        self.houses = RowInserter(House, HOUSE_COLUMNS)
        self.events = RowInserter(HouseEvent, EVENT_COLUMNS)
        self.residents = RowInserter(Resident, RESIDENT_COLUMNS)
        self.audits = RowInserter(AuditEvent, AUDIT_COLUMNS)

    # --- buildings, units and phases the rows name but the compound lacks
    def structure_create(self, rows: list[HouseRow]) -> None:
        stored, cid, compound_id = self.stored, self.community_id, self.compound.pk
        phase_dates: dict[str, datetime.date | None] = {}
        for row in rows:
            if row.phase and row.phase not in stored.phases:  # a new phase is delivered with its first house
                first, on = phase_dates.get(row.phase), row.delivered_on
                phase_dates[row.phase] = on if first is None or (on is not None and on < first) else first
        phases = [
            Phase(community_id=cid, compound_id=compound_id, name=name, delivered_on=on)
            for name, on in phase_dates.items()
        ]
        Phase.objects.bulk_create(phases, batch_size=BATCH)
        stored.phases.update({p.name: p.pk for p in phases})
        building_phase: dict[str, int | None] = {}
        units: dict[tuple[str, str], None] = {}
        for row in rows:
            if row.building not in stored.buildings and row.building not in building_phase:
                building_phase[row.building] = stored.phases.get(row.phase) if row.phase else None
            if row.key[:2] not in stored.units:
                units[row.key[:2]] = None
        buildings = [
            Building(community_id=cid, compound_id=compound_id, name=name, phase_id=phase, sort_key=sort_key_of(name))
            for name, phase in building_phase.items()
        ]
        Building.objects.bulk_create(buildings, batch_size=BATCH)
        stored.buildings.update({b.name: b.pk for b in buildings})
        new_units = [
            Unit(
                community_id=cid,
                compound_id=compound_id,
                building_id=stored.buildings[b],
                name=u,
                sort_key=sort_key_of(u),
            )
            for b, u in units
        ]
        Unit.objects.bulk_create(new_units, batch_size=BATCH)
        stored.units.update({key: unit.pk for key, unit in zip(units, new_units, strict=True)})

    # --- one batch of rows
    def batch_write(self, rows: list[HouseRow]) -> None:
        created: list[HouseRow] = []
        updated: list[tuple[HouseRow, StoredHouse, dict[str, tuple[Any, Any]]]] = []
        for row in rows:
            current = self.stored.houses.get(row.key)
            if current is None:
                created.append(row)
                continue
            changes = house_changes(row, current, self.present)
            if changes:
                updated.append((row, current, changes))
            else:
                self.plan.unchanged += 1
        events: list[tuple[Any, ...]] = []
        residents: list[tuple[Any, ...]] = []
        audits: list[tuple[Any, ...]] = []
        if created:
            self._create(created, events, residents, audits)
        if updated:
            self._update(updated, events, residents, audits)
        self.events.insert(events)
        self.residents.insert(residents)
        self.audits.insert(audits)

    def _create(
        self,
        rows: list[HouseRow],
        events: list[tuple[Any, ...]],
        residents: list[tuple[Any, ...]],
        audits: list[tuple[Any, ...]],
    ) -> None:
        stored, cid, compound_id, now = self.stored, self.community_id, self.compound.pk, self.now
        ids = self.houses.insert(
            (
                (
                    cid,
                    compound_id,
                    stored.buildings[row.building],
                    stored.units[(row.building, row.unit)],
                    stored.phases.get(row.phase) if row.phase else None,
                    row.room,
                    row.floor,
                    row.area,
                    row.status,
                    row.delivered_on,
                    row.moved_in_on,
                    row.owner_name,
                    row.phone,
                    crypto.phone_hash(row.phone),
                    row.house_type,
                    now,
                    now,
                )
                for row in rows
            ),
            returning=True,
        )
        for row, house_id in zip(rows, ids, strict=True):
            for status, on in self._first_events(row):
                events.append(self._event(house_id, status, on))
            residents.extend(self._residents(house_id, row.permanent or 0, row.moved_in_on))
            after = {
                "building": row.building,
                "unit": row.unit,
                "room": row.room,
                "phase": row.phase,
                "floor": row.floor,
                "area": row.area,
                "status": row.status,
                "delivered_on": row.delivered_on,
                "moved_in_on": row.moved_in_on,
                "owner_name": row.owner_name,
                "phone": _audit_value("phone", row.phone),
                "permanent_residents": row.permanent or 0,
                "house_type": row.house_type,
            }
            audits.append(self._audit("house.ledger_create", house_id, None, after))
        self.plan.created += len(rows)

    def _first_events(self, row: HouseRow) -> list[tuple[str, datetime.date]]:
        """A new house's history: delivered (vacant) on 交付日期, then its status from 入住日期 or delivery."""
        if row.status in OCCUPIED_STATUSES and row.moved_in_on is not None:
            events: list[tuple[str, datetime.date]] = []
            if row.delivered_on is not None and row.delivered_on < row.moved_in_on:
                events.append((HouseStatus.VACANT, row.delivered_on))
            events.append((row.status, row.moved_in_on))
            return events
        if row.status == HouseStatus.UNDELIVERED or row.delivered_on is None:
            return [(row.status, self.today)]
        return [(row.status, row.delivered_on)]

    def _update(
        self,
        updates: list[tuple[HouseRow, StoredHouse, dict[str, tuple[Any, Any]]]],
        events: list[tuple[Any, ...]],
        residents: list[tuple[Any, ...]],
        audits: list[tuple[Any, ...]],
    ) -> None:
        groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
        for row, current, changes in updates:
            keys = tuple(key for key in changes if key in HOUSE_FIELDS)
            if keys:
                groups[keys].append((*self._house_values(row, keys), self.now, current.id))
            if "status" in changes:
                on = row.moved_in_on if row.status in OCCUPIED_STATUSES and row.moved_in_on else self.today
                if current.last_event is not None and on < current.last_event:
                    on = current.last_event  # the new status must be the latest of the house's history
                events.append(self._event(current.id, row.status, on))
            elif "moved_in_on" in changes and row.status in OCCUPIED_STATUSES and row.moved_in_on:
                events.extend(self._move_in_corrected(current, row.status, row.moved_in_on))
            if "permanent_residents" in changes and row.permanent is not None:
                delta = row.permanent - current.residents
                moved_in = row.moved_in_on if "moved_in_on" in self.present else current.moved_in_on
                if delta > 0:
                    residents.extend(self._residents(current.id, delta, moved_in))
                elif delta < 0:
                    self.move_out[current.id] = -delta
            before = {k: _audit_value(k, b) for k, (b, _a) in changes.items()}
            after = {k: _audit_value(k, a) for k, (_b, a) in changes.items()}
            audits.append(self._audit("house.ledger_update", current.id, before, after))
        for keys, values in groups.items():
            fields = [f for key in keys for f in HOUSE_FIELDS[key]]
            RowUpdater(House, [*fields, "updated_at"]).update(values)
        self.plan.updated += len(updates)

    def _house_values(self, row: HouseRow, keys: tuple[str, ...]) -> list[Any]:
        values: list[Any] = []
        for key in keys:
            if key == "phase":
                values.append(self.stored.phases.get(row.phase) if row.phase else None)
            elif key == "phone":
                values.extend([row.phone, crypto.phone_hash(row.phone)])
            else:
                values.append(getattr(row, key))
        return values

    def _move_in_corrected(self, current: StoredHouse, status: str, moved_in: datetime.date) -> list[tuple[Any, ...]]:
        """A corrected move-in date of a lived-in house rewrites its occupancy history by new events: occupied
        from the new date, and — when the date moved later — not occupied from the old date until then."""
        corrections = []
        if current.moved_in_on is not None and moved_in > current.moved_in_on:
            corrections.append(self._event(current.id, HouseStatus.VACANT, current.moved_in_on))
        corrections.append(self._event(current.id, status, moved_in))
        return corrections

    def _event(self, house_id: int, status: str, on: datetime.date) -> tuple[Any, ...]:
        return (self.community_id, house_id, status, on, self.now, self.actor_id, SOURCE)

    def _residents(self, house_id: int, n: int, moved_in: datetime.date | None) -> list[tuple[Any, ...]]:
        resident = (
            self.community_id,
            self.compound.pk,
            house_id,
            None,
            "",
            "",
            "",
            Relation.FAMILY.value,
            True,
            moved_in,
            None,
            SOURCE,
            self.now,
            self.now,
        )
        return [resident] * n

    def _audit(self, verb: str, house_id: int, before: dict[str, Any] | None, after: dict[str, Any]) -> tuple[Any, ...]:
        event = audit_build(
            actor=self.actor,
            verb=verb,
            object_type="estates.house",
            object_id=house_id,
            community_id=self.community_id,
            before=before,
            after=after,
        )
        return (
            event.community_id,
            event.actor_id,
            event.verb,
            event.object_type,
            event.object_id,
            event.before,
            event.after,
            self.now,
        )

    def residents_move_out(self) -> None:
        """Move out the newest unnamed ledger residents of houses whose 常住人数 went down."""
        ids = list(self.move_out)
        leaving: list[int] = []
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            taken: dict[int, int] = defaultdict(int)
            candidates = (
                Resident.objects.filter(
                    community_id=self.community_id,
                    house_id__in=chunk,
                    is_permanent=True,
                    moved_out_on__isnull=True,
                    source=SOURCE,
                    name="",
                    user__isnull=True,
                )
                .order_by("house_id", "-id")
                .values_list("id", "house_id")
            )
            for pk, house_id in candidates:
                if taken[house_id] < self.move_out[house_id]:
                    taken[house_id] += 1
                    leaving.append(pk)
        for start in range(0, len(leaving), BATCH):
            Resident.objects.filter(pk__in=leaving[start : start + BATCH]).update(
                moved_out_on=self.today, updated_at=self.now
            )


def houses_apply(
    *, actor: Any, compound: Compound, rows: list[HouseRow], present: frozenset[str], progress: Progress
) -> Plan:
    """Apply checked rows to the compound (the caller holds the transaction and the import lock)."""
    stored = stored_load(compound)
    errors = [e for row in rows if (e := residents_error(row, stored.houses.get(row.key))) is not None]
    if errors:
        raise LedgerRejected(errors)
    writer = HouseWriter(actor=actor, compound=compound, present=present, stored=stored)
    writer.structure_create(rows)
    for start in range(0, len(rows), BATCH):
        writer.batch_write(rows[start : start + BATCH])
        progress(min(start + BATCH, len(rows)))
    writer.residents_move_out()
    return writer.plan
