"""Comparing work-order rows with the stored voices: what will be created, updated or left alone.

A row names a voice by its ledger key (or ``GZ-<id>``). For a voice that came from a ledger, a row may
correct its kind, category, text and place, and move it forward: 处理中 → 已办结 → 已关闭, or 处理中 → 无效,
with the times of the new steps. What is recorded stays: a status cannot move back, and a recorded time or
rating cannot be changed (the KPIs of past periods are read from them). A voice raised on the platform
cannot be changed by a ledger at all. Empty cells of optional columns change nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_noop

from gongzhi.estates.ledger.errors import RowError
from gongzhi.estates.ledger.spec import Plan

from ..models import Kind, LocationKind, Status
from .rows import (
    HEADER,
    KIND_LABELS,
    LEDGER_STATUS,
    RATING_LABELS,
    STATUS_LABELS,
    LedgerStatus,
    WorkOrderRow,
    clean_text,
    platform_ref,
)
from .state import Stored, StoredVoice
from .times import iso, minute

MAX_SAMPLES = 100
DUPLICATE_MSGID = gettext_noop(
    "This work order (the same 编号, or the same row when 编号 is empty) is already in row %(first)s."
)
# Ledger status → the statuses a row may move a stored voice to it from.
FORWARD: dict[str, frozenset[str]] = {
    LedgerStatus.RESOLVED: frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.REOPENED}),
    LedgerStatus.CLOSED: frozenset(
        {Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.REOPENED, Status.RESOLVED}
    ),
    LedgerStatus.INVALID: frozenset({Status.SUBMITTED, Status.ACCEPTED}),
}
DONE = (LedgerStatus.RESOLVED, LedgerStatus.CLOSED)


@dataclass(frozen=True, slots=True)
class Place:
    """A row's category and where, as ids of the platform."""

    category_id: int
    location_kind: str
    building_id: int | None
    house_id: int | None


@dataclass(frozen=True, slots=True)
class Step:
    """A timeline event a row adds: accept, resolve (acknowledge for praise), close or reject."""

    verb: str
    status: str
    at: datetime.datetime


@dataclass
class Outcome:
    """What a row does to its stored voice (or, with ``voice`` None, the voice it creates)."""

    row: WorkOrderRow
    place: Place
    voice: StoredVoice | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # key → (before, after), for people
    fields: dict[str, Any] = field(default_factory=dict)  # Voice field → new value
    steps: list[Step] = field(default_factory=list)
    rating: str = ""  # a rating to add

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.steps or self.rating)


def place_of(row: WorkOrderRow, stored: Stored, errors: list[RowError]) -> Place | None:
    """The row's category and place, or None after adding errors: unknown category, building or house."""
    ok = True
    category_id = stored.categories.get(row.category)
    if category_id is None:
        known = "、".join(stored.categories)
        errors.append(
            RowError(
                row.row,
                HEADER["category"],
                gettext_noop("Unknown category %(name)s. The categories are: %(names)s."),
                {"name": row.category, "names": known},
            )
        )
        ok = False
    kind, building_id, house_id = LocationKind.PUBLIC_AREA, None, None
    if row.room:
        found = stored.houses.get((row.building, row.unit, row.room))
        if found is None:
            errors.append(
                RowError(
                    row.row,
                    HEADER["room"],
                    gettext_noop("The compound has no house %(house)s."),
                    {"house": f"{row.building}{row.unit}{row.room}"},
                )
            )
            ok = False
        else:
            kind, (house_id, building_id) = LocationKind.OWN_HOUSE, found
    elif row.building:
        building_id = stored.buildings.get(row.building)
        if building_id is None:
            errors.append(
                RowError(
                    row.row,
                    HEADER["building"],
                    gettext_noop("The compound has no building %(building)s."),
                    {"building": row.building},
                )
            )
            ok = False
        kind = LocationKind.BUILDING
    if not ok or category_id is None:
        return None
    return Place(category_id=category_id, location_kind=kind, building_id=building_id, house_id=house_id)


def voice_status(row: WorkOrderRow) -> str:
    """The status a new voice gets from its row."""
    if row.status == LedgerStatus.OPEN:
        return Status.ACCEPTED if row.accepted_at is not None else Status.SUBMITTED
    return {
        LedgerStatus.RESOLVED: Status.RESOLVED,
        LedgerStatus.CLOSED: Status.CLOSED,
        LedgerStatus.INVALID: Status.REJECTED,
    }[row.status]


def resolve_verb(kind: str) -> str:
    return "acknowledge" if kind == Kind.PRAISE else "resolve"


def new_voice_steps(row: WorkOrderRow) -> list[Step]:
    """The history of a new voice after it was raised, at the ledger's times."""
    if row.status == LedgerStatus.INVALID:
        return [Step("reject", Status.REJECTED, row.resolved_at or row.accepted_at or row.submitted_at)]
    steps: list[Step] = []
    accepted = row.accepted_at or (row.resolved_at if row.status in DONE else None)
    if accepted is not None:
        steps.append(Step("accept", Status.ACCEPTED, accepted))
    if row.status in DONE and row.resolved_at is not None:
        steps.append(Step(resolve_verb(row.kind), Status.RESOLVED, row.resolved_at))
        if row.status == LedgerStatus.CLOSED:
            steps.append(Step("close", Status.CLOSED, row.resolved_at))
    return steps


def location_text(stored: Stored, building_id: int | None, house_id: int | None) -> str:
    if house_id is not None:
        return "".join(stored.house_names.get(house_id, ("", "", "")))
    if building_id is not None:
        return stored.building_names.get(building_id, "")
    return ""


class _Comparer:
    """Compares one row with its stored voice into an ``Outcome``, collecting every row error."""

    def __init__(self, outcome: Outcome, voice: StoredVoice, stored: Stored, present: frozenset[str]) -> None:
        self.o = outcome
        self.row = outcome.row
        self.v = voice
        self.stored = stored
        self.present = present
        self.errors: list[RowError] = []

    def error(self, key: str, msgid: str, **params: Any) -> None:
        self.errors.append(RowError(self.row.row, HEADER[key] if key else "", msgid, params))

    def change(self, key: str, before: Any, after: Any, **fields: Any) -> None:
        self.o.changes[key] = (before, after)
        self.o.fields.update(fields)

    def run(self) -> list[RowError]:
        row, v = self.row, self.v
        if v.status == Status.WITHDRAWN:
            self.error("status", gettext_noop("The author withdrew this voice; a ledger cannot change it."))
            return self.errors
        self._fields()
        self._recorded()
        if not self.errors:
            self._progress()
        if not v.from_ledger and (self.errors or self.o.changed):
            return [
                RowError(
                    row.row,
                    HEADER["ref"],
                    gettext_noop("%(ref)s was raised on the platform; change it there, not in a ledger."),
                    {"ref": platform_ref(v.id)},
                )
            ]
        return self.errors

    def _fields(self) -> None:
        row, v, place = self.row, self.v, self.o.place
        if row.kind != v.kind:
            self.change("kind", KIND_LABELS.get(v.kind, v.kind), KIND_LABELS[row.kind], kind=row.kind)
        if place.category_id != v.category_id:
            before = self.stored.category_names.get(v.category_id, "")
            self.change("category", before, row.category, category_id=place.category_id)
        if row.text != clean_text(v.text):
            self.change("text", v.text, row.text, text=row.text)
        located = (place.location_kind, place.building_id, place.house_id)
        if any(k in self.present for k in ("building", "unit", "room")) and located != (
            v.location_kind,
            v.building_id,
            v.house_id,
        ):
            self.change(
                "building",
                location_text(self.stored, v.building_id, v.house_id),
                location_text(self.stored, place.building_id, place.house_id),
                location_kind=place.location_kind,
                building_id=place.building_id,
                house_id=place.house_id,
            )

    def _recorded(self) -> None:
        """Times and ratings already recorded must match; the status may only move forward."""
        row, v = self.row, self.v
        if minute(v.submitted_at) != row.submitted_at:
            self._recorded_time("submitted_at", v.submitted_at)
        if row.accepted_at is not None and v.accepted_at is not None and minute(v.accepted_at) != row.accepted_at:
            self._recorded_time("accepted_at", v.accepted_at)
        end = v.closed_at if row.status == LedgerStatus.INVALID else v.resolved_at
        if row.resolved_at is not None and end is not None and minute(end) != row.resolved_at:
            self._recorded_time("resolved_at", end)
        if row.rating and v.rating and row.rating != v.rating:
            self.error(
                "rating",
                gettext_noop("The rating %(value)s is recorded; a ledger cannot change it."),
                value=RATING_LABELS.get(v.rating, v.rating),
            )
        now = LEDGER_STATUS.get(v.status)
        if now != row.status and v.status not in FORWARD.get(row.status, frozenset()):
            self.error(
                "status",
                gettext_noop("The work order is already %(stored)s; the ledger cannot make it %(status)s."),
                stored=STATUS_LABELS.get(now or "", v.status),
                status=STATUS_LABELS[row.status],
            )

    def _recorded_time(self, key: str, at: datetime.datetime) -> None:
        self.error(
            key,
            gettext_noop("The recorded time is %(value)s; a ledger cannot change a recorded time."),
            value=iso(at),
        )

    def _progress(self) -> None:
        """New times, the new status and the steps that lead to it."""
        row, v, o = self.row, self.v, self.o
        done = row.status in DONE
        accepted = None
        if v.accepted_at is None:
            accepted = row.accepted_at or (row.resolved_at if done else None)
            if accepted is not None:
                self._new_time("accepted_at", accepted, accepted_at=accepted)
        if done and v.resolved_at is None and row.resolved_at is not None:
            self._new_time("resolved_at", row.resolved_at, resolved_at=row.resolved_at)
        if row.status == LedgerStatus.INVALID and v.closed_at is None and row.resolved_at is not None:
            self._new_time("resolved_at", row.resolved_at, closed_at=row.resolved_at)
        if row.rating and not v.rating:
            o.rating = row.rating
            o.changes["rating"] = ("", RATING_LABELS[row.rating])
        status = self._status(accepted)
        if status == v.status:
            return
        o.fields["status"] = status
        before, after = LEDGER_STATUS[v.status], LEDGER_STATUS[status]
        if before != after:  # 处理中 stays 处理中 when accepted: the new 受理时间 shows that
            o.changes["status"] = (STATUS_LABELS[before], STATUS_LABELS[after])
        latest = max(t for t in (v.last_step, minute(v.submitted_at)) if t is not None)
        if v.status == Status.SUBMITTED and status != Status.REJECTED and accepted is not None:
            o.steps.append(Step("accept", Status.ACCEPTED, accepted))
        if status == Status.REJECTED:
            o.steps.append(Step("reject", status, o.fields.get("closed_at") or latest))
            return
        if status in (Status.RESOLVED, Status.CLOSED) and v.status != Status.RESOLVED:
            assert row.resolved_at is not None
            o.steps.append(Step(resolve_verb(row.kind), Status.RESOLVED, row.resolved_at))
        if status == Status.CLOSED:
            closed = max(row.resolved_at or latest, latest)
            o.steps.append(Step("close", status, closed))
            if v.closed_at is None:
                o.fields["closed_at"] = closed

    def _new_time(self, key: str, at: datetime.datetime, **fields: Any) -> None:
        """A step the voice had not taken yet: it must come after everything already on its timeline."""
        if self.v.last_step is not None and at < minute(self.v.last_step):
            self.errors.append(
                RowError(
                    self.row.row,
                    HEADER[key],
                    gettext_noop("%(column)s is before the last recorded step of the work order (%(at)s)."),
                    {"column": HEADER[key], "at": iso(self.v.last_step)},
                )
            )
            return
        self.change(key, "", iso(at), **fields)

    def _status(self, accepted: datetime.datetime | None) -> str:
        row, v = self.row, self.v
        if row.status == LedgerStatus.OPEN:
            return Status.ACCEPTED if v.status == Status.SUBMITTED and accepted is not None else v.status
        if row.status == LedgerStatus.INVALID:
            return v.status if v.status in (Status.REJECTED, Status.MERGED) else Status.REJECTED
        return Status.RESOLVED if row.status == LedgerStatus.RESOLVED else Status.CLOSED


def outcomes(rows: list[WorkOrderRow], stored: Stored, present: frozenset[str]) -> tuple[list[Outcome], list[RowError]]:
    """Every row's outcome, or the errors that depend on what is stored (and on the other rows)."""
    errors: list[RowError] = []
    result: list[Outcome] = []
    seen_keys: dict[str, int] = {}
    seen_voices: dict[int, int] = {}
    for row in rows:
        row_errors: list[RowError] = []
        first = seen_keys.setdefault(row.key, row.row)
        voice = stored.voice_for(row)
        if voice is not None:
            first = min(first, seen_voices.setdefault(voice.id, row.row))
        if first != row.row:
            errors.append(RowError(row.row, "", DUPLICATE_MSGID, {"first": first}))
            continue
        if voice is None and row.platform_id is not None:
            row_errors.append(
                RowError(
                    row.row,
                    HEADER["ref"],
                    gettext_noop("The compound has no voice %(ref)s."),
                    {"ref": row.ref},
                )
            )
        place = place_of(row, stored, row_errors)
        if place is None or row_errors:
            errors.extend(row_errors)
            continue
        outcome = Outcome(row=row, place=place, voice=voice)
        if voice is not None:
            row_errors = _Comparer(outcome, voice, stored, present).run()
            if row_errors:
                errors.extend(row_errors)
                continue
        result.append(outcome)
    return result, errors


def display(key: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if key == "text":
        text = str(value)
        return text if len(text) <= 60 else text[:60] + "…"
    return str(value)


def sample(outcome: Outcome) -> dict[str, Any]:
    row = outcome.row
    return {
        "row": row.row,
        "ref": row.ref,
        "action": "create" if outcome.voice is None else "update",
        "kind": KIND_LABELS[row.kind],
        "category": row.category,
        "status": STATUS_LABELS[row.status],
        "text": display("text", row.text),
        "changes": [[HEADER[k], display(k, b), display(k, a)] for k, (b, a) in outcome.changes.items()],
    }


def workorders_plan(rows: list[WorkOrderRow], stored: Stored, present: frozenset[str]) -> Plan:
    found, errors = outcomes(rows, stored, present)
    plan = Plan(errors=errors)
    for outcome in found:
        if outcome.voice is None:
            plan.created += 1
        elif outcome.changed:
            plan.updated += 1
        else:
            plan.unchanged += 1
            continue
        if len(plan.samples) < MAX_SAMPLES:
            plan.samples.append(sample(outcome))
    return plan
