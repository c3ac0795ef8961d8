"""The voice intake: tokens for residents' apps, one INSERT per request, and the drainer that raises the voices.

The second way to raise a voice over the API (the synchronous ``POST /api/voices/`` stays, for the phone form and
existing clients). A request checks the token and the payload's shape in memory and costs one INSERT
(``intake_create``); the drainer (``intake_drain``, run every few seconds by the worker and by ``manage.py
voices_intake``) takes queued intakes in batches — ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
several drainers share the queue without taking the same row — and raises each through
``voice_submit_outcome`` exactly as the synchronous API does (residence and house checks, category suggestion,
deadlines, routing, timeline, audit, notifications). Each intake ends ``done`` with its voice or ``refused``
with the error the synchronous API would have answered (in Chinese, the platform's language).
"""

from __future__ import annotations

import datetime
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organization, User
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import DomainError, NotAllowed, NotFound
from gongzhi.estates.models import Building, Compound, House

from ..intake import IntakeToken, IntakeTokenError, intake_token_sign
from ..models import Category, Channel, IntakeStatus, Voice, VoiceIntake
from ..rules import may_use_intake
from ._common import require
from .submit import voice_submit_outcome

logger = logging.getLogger("gongzhi.voices.intake")

BATCH = 100  # intakes a drainer takes (and locks) at once: one transaction, a savepoint per voice
MAX_ATTEMPTS = 3  # an intake that fails unexpectedly this often is refused (never retried for ever)


# ---------------------------------------------------------------- tokens


@transaction.atomic
def intake_token_issue(*, user: Any, now: datetime.datetime | None = None) -> tuple[str, datetime.datetime]:
    """An intake token for an approved resident (of any compound), and its expiry; audited."""
    require(bool(may_use_intake(user)), _("Only residents may raise voices."))
    token, expires_at = intake_token_sign(user_id=user.pk, now=now or timezone.now())
    audit_record(
        actor=user,
        verb="voice.intake_token",
        object_type="accounts.user",
        object_id=user.pk,
        after={"expires_at": expires_at},
    )
    return token, expires_at


# ---------------------------------------------------------------- the request: one INSERT


@dataclass(frozen=True)
class Receipt:
    """An intake as the request knows it: new (``created``) or the one the same key queued before."""

    id: int
    status: str
    created: bool
    voice_id: int | None = None
    error_code: str = ""
    error_field: str = ""
    error: str = ""


def _insert_sql() -> str:
    qn = connection.ops.quote_name
    table, users = qn(VoiceIntake._meta.db_table), qn(User._meta.db_table)
    payload = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    # One statement: the row, only for an active user, and nothing when the user already used the key.
    return (
        f"INSERT INTO {table} (user_id, payload, idempotency_key) "  # noqa: S608 - names from the models
        f"SELECT %s, {payload}, %s WHERE EXISTS (SELECT 1 FROM {users} WHERE id = %s AND is_active) "
        f"ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING id"
    )


def intake_create(*, token: IntakeToken, payload: dict[str, Any], idempotency_key: str) -> Receipt:
    """Queue a voice: one INSERT (atomic by itself, so no transaction is opened), no audit event yet — the row
    is the record of the request; the drainer writes the voice's audit events. The same key again returns the
    intake it queued (the payload sent again is not compared, as for the synchronous API's key)."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(), [token.user_id, body, idempotency_key, token.user_id])
        row = cursor.fetchone()
    if row is not None:
        return Receipt(id=int(row[0]), status=IntakeStatus.QUEUED, created=True)
    existing = (
        VoiceIntake.objects.filter(user_id=token.user_id, idempotency_key=idempotency_key)
        .values("id", "status", "voice_id", "error_code", "error_field", "error")
        .first()
    )
    if existing is None:  # no row and no conflict: the user is gone or deactivated since the token was issued
        raise IntakeTokenError(_("This intake token is no longer valid; log in again."), code="invalid_token")
    return Receipt(created=False, **existing)


# ---------------------------------------------------------------- the drainer


@dataclass
class _References:
    """The rows a batch of intakes names, read in one query per table (as the API reads them one by one)."""

    users: dict[int, User] = field(default_factory=dict)
    compounds: dict[str, Compound] = field(default_factory=dict)
    categories: dict[int, Category] = field(default_factory=dict)
    houses: dict[int, House] = field(default_factory=dict)
    buildings: dict[int, Building] = field(default_factory=dict)
    organizations: dict[int, Organization] = field(default_factory=dict)


def _ids(intakes: Iterable[VoiceIntake], name: str) -> set[int]:
    found = set()
    for intake in intakes:
        value = intake.payload.get(name) if isinstance(intake.payload, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value < 2**63:
            found.add(value)
    return found


def _by_pk(qs: QuerySet[Any], ids: set[int]) -> dict[int, Any]:
    return {row.pk: row for row in qs.filter(pk__in=ids)} if ids else {}


def _references(intakes: list[VoiceIntake]) -> _References:
    codes = {str(i.payload.get("compound")) for i in intakes if isinstance(i.payload, dict)}
    return _References(
        users=_by_pk(User.objects.all(), {i.user_id for i in intakes}),
        compounds={
            c.code: c for c in Compound.objects.filter(code__in=codes).select_related("community", "property_company")
        },
        categories=_by_pk(Category.objects.filter(is_active=True), _ids(intakes, "category")),
        houses=_by_pk(House.objects.select_related("building"), _ids(intakes, "house")),
        buildings=_by_pk(Building.objects.all(), _ids(intakes, "building")),
        organizations=_by_pk(Organization.objects.all(), _ids(intakes, "praised_organization")),
    )


def _reference(rows: dict[int, Any], pk: Any, *, field: str, message: str) -> Any:
    """A row named by id in the payload; an unknown id is refused on that field (the API's 400)."""
    if pk is None:
        return None
    found = rows.get(pk)
    if found is None:
        raise DomainError(message, field=field)
    return found


def _raise_voice(intake: VoiceIntake, refs: _References) -> Voice:
    """The voice of one intake, through the resident's service; a DomainError is the refusal."""
    p = intake.payload
    if not isinstance(p, dict):
        raise DomainError(_("Some of the input is not valid; see errors."))
    user = refs.users.get(intake.user_id)
    if user is None or not user.is_active:
        raise NotAllowed(_("Log in to raise a voice."))
    compound = refs.compounds.get(str(p.get("compound")))
    if compound is None:
        raise NotFound(_("No such compound."), field="compound")
    submitted = voice_submit_outcome(
        channel=Channel.API,
        author=user,
        compound=compound,
        kind=str(p.get("kind", "")),
        text=str(p.get("text", "")),
        location_kind=str(p.get("location_kind", "")),
        category=_reference(refs.categories, p.get("category"), field="category", message=_("Choose a category.")),
        house=_reference(refs.houses, p.get("house"), field="house", message=_("No such house.")),
        building=_reference(refs.buildings, p.get("building"), field="building", message=_("No such building.")),
        is_public=p.get("is_public") is True,
        praised_organization=_reference(
            refs.organizations,
            p.get("praised_organization"),
            field="praised_organization",
            message=_("No such organization."),
        ),
        idempotency_key=intake.idempotency_key,
        # The resident raised it when the intake came in: deadlines and the timeline start then.
        now=intake.created_at,
    )
    return submitted.voice


def _refuse(intake: VoiceIntake, *, code: str, field: str | None, message: str, now: datetime.datetime) -> None:
    intake.status = IntakeStatus.REFUSED
    intake.error_code, intake.error_field, intake.error = code[:40], (field or "")[:40], message
    intake.processed_at = now
    audit_record(
        actor=None,
        verb="voice.intake_refused",
        obj=intake,
        after={"user": intake.user_id, "code": intake.error_code, "field": intake.error_field},
    )


def _drain_one(intake: VoiceIntake, refs: _References) -> str:
    """Raise or refuse one intake (inside the batch's transaction); what became of it."""
    try:
        voice = _raise_voice(intake, refs)
    except DomainError as refused:
        _refuse(intake, code=refused.code, field=refused.field, message=str(refused.message), now=timezone.now())
        return "refused"
    except Exception:  # a bug or a database error in one voice: its savepoint is rolled back, the batch goes on
        logger.exception("voice intake %s failed", intake.pk)
        intake.attempts += 1
        if intake.attempts >= MAX_ATTEMPTS:
            _refuse(
                intake,
                code="failed",
                field=None,
                message=_("This voice could not be raised; please send it again."),
                now=timezone.now(),
            )
            return "refused"
        return "retry"
    intake.status, intake.voice = IntakeStatus.DONE, voice
    intake.processed_at = timezone.now()
    return "done"


def _queued() -> QuerySet[VoiceIntake]:
    qs = VoiceIntake.objects.filter(status=IntakeStatus.QUEUED).order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs.select_for_update()  # SQLite: no row locks (a write transaction is exclusive there)


@transaction.atomic
def intake_drain_batch(*, size: int = BATCH, on_locked: Callable[[list[int]], None] | None = None) -> dict[str, int]:
    """Take up to ``size`` queued intakes (skipping those another drainer holds) and raise their voices.

    One transaction for the batch; each voice in its own savepoint (``voice_submit_outcome`` is atomic), so a
    refusal undoes only its own work. ``on_locked`` (tests) is called with the ids while their locks are held.
    """
    intakes = list(_queued()[:size])
    counts: dict[str, int] = {}
    if not intakes:
        return counts
    if on_locked is not None:
        on_locked([i.pk for i in intakes])
    refs = _references(intakes)
    # Refusals are kept in the platform's language (the worker has no request to take one from).
    with translation.override(settings.LANGUAGE_CODE):
        for intake in intakes:
            outcome = _drain_one(intake, refs)
            counts[outcome] = counts.get(outcome, 0) + 1
    VoiceIntake.objects.bulk_update(
        intakes, ["status", "voice", "error_code", "error_field", "error", "attempts", "processed_at"]
    )
    return counts


def intake_drain(
    *, size: int = BATCH, seconds: float | None = None, now: datetime.datetime | None = None
) -> dict[str, int]:
    """Drain the queue batch by batch until it is empty (or ``seconds`` have passed); counts by outcome.

    ``now`` is accepted for the periodic runner and not used: each voice starts when its intake came in."""
    del now
    started = time.monotonic()
    counts: dict[str, int] = {}
    while True:
        done = intake_drain_batch(size=size)
        for key, n in done.items():
            counts[key] = counts.get(key, 0) + n
        if not done or set(done) == {"retry"}:
            return counts
        if seconds is not None and time.monotonic() - started >= seconds:
            return counts


__all__ = [
    "BATCH",
    "Receipt",
    "intake_create",
    "intake_drain",
    "intake_drain_batch",
    "intake_token_issue",
]
