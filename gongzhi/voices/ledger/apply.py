"""Writing work-order rows: bulk inserts and updates in batches, inside the caller's transaction.

Mirrors the house ledger: what is stored is loaded once (``stored_load``); each batch of rows becomes a few
multi-row inserts (voices, timeline events, ratings, audit events) and grouped updates, so the number of
queries grows with the number of batches, never with the number of rows.

A new voice gets ``channel=ledger``, no author, and is not public (its residents never chose to show it on
the wall). Its timeline holds its steps at the ledger's times (raised, accepted, resolved or acknowledged,
closed, rejected) and one staff-only ``import`` event at the time of the import, by the importer.

Deadlines come from the deadline policy, counted from 提交时间, so the KPIs measure imported history like
any other (响应率 reads the response deadline, 按期办结率 the resolution deadline). Imported history must not
wake the deadline sweep: a deadline already past (or within the reminder window) when the voice is imported
is marked as reminded and escalated. An imported 处理中 voice whose deadline is still ahead is an ordinary
open work order, reminded and escalated like any other when its time comes.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.utils import timezone

from gongzhi.core.audit import audit_build
from gongzhi.core.models import AuditEvent
from gongzhi.estates.ledger.bulk import RowInserter, RowUpdater
from gongzhi.estates.ledger.errors import LedgerRejected
from gongzhi.estates.ledger.spec import Plan, Progress
from gongzhi.estates.models import Compound

from ..models import Category, Channel, Status, Voice, VoiceEvent, VoiceRating
from ..rules import ESCALATION_CHAIN
from ..services.policy import deadline_hours, route_for
from ..tasks import REMIND_BEFORE
from .plan import Outcome, Step, new_voice_steps, outcomes, voice_status
from .rows import KIND_LABELS, RATING_LABELS, STATUS_LABELS, WorkOrderRow
from .state import IMPORT_VERB, Stored, stored_load
from .times import iso

BATCH = 1000
VOICE_COLUMNS = (
    "community", "compound", "author", "channel", "kind", "category", "text", "location_kind", "house", "building",
    "is_public", "status", "suggested_organization", "submitted_at", "accepted_at", "resolved_at", "closed_at",
    "response_due_at", "resolution_due_at", "response_reminded", "response_escalation", "resolution_reminded",
    "resolution_escalation", "idempotency_key", "me_too_count", "reply", "external_ref", "ledger_key",
    "address_text", "contact_name", "contact_email", "contact_phone", "updated_at",
)  # fmt: skip
EVENT_COLUMNS = ("community", "voice", "actor", "verb", "status", "public", "note", "at")
RATING_COLUMNS = ("community", "voice", "rater", "score", "comment", "at")
AUDIT_COLUMNS = ("community", "actor", "verb", "object_type", "object_id", "before", "after", "at")


class WorkOrderWriter:
    def __init__(self, *, actor: Any, compound: Compound, stored: Stored) -> None:
        self.actor = actor
        self.actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        self.compound = compound
        self.community_id = compound.community_id
        self.stored = stored
        self.now = timezone.now()
        self.plan = Plan()
        self._deadlines: dict[tuple[str, int], tuple[int, int | None]] = {}
        self._routes: dict[int, int | None] = {}
        self.voices = RowInserter(Voice, VOICE_COLUMNS)
        self.events = RowInserter(VoiceEvent, EVENT_COLUMNS)
        self.ratings = RowInserter(VoiceRating, RATING_COLUMNS)
        self.audits = RowInserter(AuditEvent, AUDIT_COLUMNS)

    # --- policy and routing, looked up once per kind × category
    def _hours(self, kind: str, category_id: int) -> tuple[int, int | None]:
        key = (kind, category_id)
        if key not in self._deadlines:
            self._deadlines[key] = deadline_hours(
                community_id=self.community_id, kind=kind, category=Category(pk=category_id)
            )
        return self._deadlines[key]

    def _route(self, category_id: int) -> int | None:
        if category_id not in self._routes:
            organization = route_for(compound=self.compound, category=Category(pk=category_id))
            self._routes[category_id] = organization.pk if organization is not None else None
        return self._routes[category_id]

    def _sweep_done(self, due: datetime.datetime | None) -> tuple[bool, int]:
        """(reminded, escalation level) for a deadline: history already past needs no reminder."""
        if due is not None and due <= self.now + REMIND_BEFORE:
            return True, len(ESCALATION_CHAIN)
        return False, 0

    # --- one batch
    def batch_write(self, batch: list[Outcome]) -> None:
        events: list[tuple[Any, ...]] = []
        ratings: list[tuple[Any, ...]] = []
        audits: list[tuple[Any, ...]] = []
        created = [o for o in batch if o.voice is None]
        updated = [o for o in batch if o.voice is not None and o.changed]
        self.plan.unchanged += len(batch) - len(created) - len(updated)
        if created:
            self._create(created, events, ratings, audits)
        if updated:
            self._update(updated, events, ratings, audits)
        self.events.insert(events)
        self.ratings.insert(ratings)
        self.audits.insert(audits)

    def _create(
        self,
        batch: list[Outcome],
        events: list[tuple[Any, ...]],
        ratings: list[tuple[Any, ...]],
        audits: list[tuple[Any, ...]],
    ) -> None:
        values: list[tuple[Any, ...]] = []
        histories: list[tuple[str, list[Step]]] = []
        for o in batch:
            row, place = o.row, o.place
            status = voice_status(row)
            steps = new_voice_steps(row)
            histories.append((status, steps))
            at = {s.verb: s.at for s in steps}
            accepted = at.get("accept") or (row.accepted_at if status == Status.REJECTED else None)
            resolved = at.get("resolve") or at.get("acknowledge")
            closed = at.get("close") or (row.resolved_at if status == Status.REJECTED else None)
            response_hours, resolution_hours = self._hours(row.kind, place.category_id)
            response_due = row.submitted_at + datetime.timedelta(hours=response_hours)
            resolution_due = (
                row.submitted_at + datetime.timedelta(hours=resolution_hours) if resolution_hours is not None else None
            )
            values.append(
                (
                    self.community_id,
                    self.compound.pk,
                    None,
                    Channel.LEDGER.value,
                    row.kind,
                    place.category_id,
                    row.text,
                    place.location_kind,
                    place.house_id,
                    place.building_id,
                    False,
                    status,
                    self._route(place.category_id),
                    row.submitted_at,
                    accepted,
                    resolved,
                    closed,
                    response_due,
                    resolution_due,
                    *self._sweep_done(response_due),
                    *self._sweep_done(resolution_due),
                    "",
                    0,
                    "",
                    row.ref,
                    row.key,
                    "",
                    "",
                    "",
                    "",
                    self.now,
                )
            )
        ids = self.voices.insert(values, returning=True)
        for o, voice_id, (status, steps) in zip(batch, ids, histories, strict=True):
            row = o.row
            events.append(self._event(voice_id, "submit", Status.SUBMITTED, row.submitted_at))
            events.extend(self._event(voice_id, s.verb, s.status, s.at) for s in steps)
            events.append(self._import_event(voice_id, status))
            if row.rating and row.resolved_at is not None:
                ratings.append((self.community_id, voice_id, None, row.rating, "", row.resolved_at))
            after = {
                "ref": row.ref,
                "submitted_at": iso(row.submitted_at),
                "kind": KIND_LABELS[row.kind],
                "category": row.category,
                "where": f"{row.building}{row.unit}{row.room}",
                "status": STATUS_LABELS[row.status],
                "accepted_at": iso(row.accepted_at),
                "resolved_at": iso(row.resolved_at),
                "rating": RATING_LABELS.get(row.rating, ""),
            }
            audits.append(self._audit("voice.ledger_create", voice_id, None, after))
        self.plan.created += len(batch)

    def _update(
        self,
        batch: list[Outcome],
        events: list[tuple[Any, ...]],
        ratings: list[tuple[Any, ...]],
        audits: list[tuple[Any, ...]],
    ) -> None:
        groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
        for o in batch:
            voice = o.voice
            assert voice is not None
            if o.fields:
                names = tuple(sorted(o.fields))
                groups[names].append((*(o.fields[n] for n in names), self.now, voice.id))
            events.extend(self._event(voice.id, s.verb, s.status, s.at) for s in o.steps)
            events.append(self._import_event(voice.id, o.fields.get("status", voice.status)))
            if o.rating:
                at = o.row.resolved_at or voice.resolved_at
                ratings.append((self.community_id, voice.id, None, o.rating, "", at))
            before = {k: b for k, (b, _a) in o.changes.items()}
            after = {k: a for k, (_b, a) in o.changes.items()}
            if "status" in o.fields:
                before["voice_status"], after["voice_status"] = voice.status, o.fields["status"]
            audits.append(self._audit("voice.ledger_update", voice.id, before, after))
        for names, rows in groups.items():
            RowUpdater(Voice, [*names, "updated_at"]).update(rows)
        self.plan.updated += len(batch)

    def _event(self, voice_id: int, verb: str, status: str, at: datetime.datetime) -> tuple[Any, ...]:
        return (self.community_id, voice_id, None, verb, status, True, "", at)

    def _import_event(self, voice_id: int, status: str) -> tuple[Any, ...]:
        return (self.community_id, voice_id, self.actor_id, IMPORT_VERB, status, False, "", self.now)

    def _audit(self, verb: str, voice_id: int, before: dict[str, Any] | None, after: dict[str, Any]) -> tuple[Any, ...]:
        event = audit_build(
            actor=self.actor,
            verb=verb,
            object_type="voices.voice",
            object_id=voice_id,
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


def workorders_apply(
    *, actor: Any, compound: Compound, rows: list[WorkOrderRow], present: frozenset[str], progress: Progress
) -> Plan:
    """Apply checked rows to the compound (the caller holds the transaction and the import lock).

    The rows are compared again with what is stored now: a row that turned bad since the preview (a voice
    handled meanwhile) rejects the whole import.
    """
    stored = stored_load(compound, rows)
    found, errors = outcomes(rows, stored, present)
    if errors:
        raise LedgerRejected(errors)
    writer = WorkOrderWriter(actor=actor, compound=compound, stored=stored)
    for start in range(0, len(found), BATCH):
        writer.batch_write(found[start : start + BATCH])
        progress(min(start + BATCH, len(found)))
    return writer.plan
