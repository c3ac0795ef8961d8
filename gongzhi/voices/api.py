"""REST endpoints for residents' voices: list, raise, read with the timeline, and move along the state machine.

Reads go through ``voices.selectors`` (DESIGN rule 2), writes through ``voices.services`` (rule 1); an illegal
transition or a lost race is the services' ``Conflict`` (409). Names follow the selectors: neighbours who see
a public voice never learn who wrote it (nor which house); lists mask the author's name (rule 7).

Ids of small shared tables (categories, organizations) and of the compound, house and building a new voice
is about are looked up as references only: the services decide whether the actor may use them.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.throttling import BaseThrottle, UserRateThrottle

from gongzhi.accounts.models import Organization, User
from gongzhi.api.schemas import CleanText, Id, PageMeta, PageQuery, StrictSchema, error_responses
from gongzhi.api.security import SessionCsrfAuth, acting_user
from gongzhi.core import crypto
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.estates.models import Building, Compound, House

from . import services
from .intake import IntakeBearer, IntakeIn, IntakeThrottle, IntakeToken, intake_parse, intake_payload
from .models import (
    TEXT_MAX,
    Category,
    Channel,
    IntakeStatus,
    Kind,
    LocationKind,
    Score,
    Voice,
    VoiceEvent,
    VoiceIntake,
    VoiceReply,
)
from .models import Status as VoiceStatus
from .rules import may_see_author
from .selectors import ScopedList, author_label, voice_get, voice_replies, voice_scope, voice_timeline
from .services.intake import Receipt, intake_create, intake_token_issue
from .services.residents import COMMENT_MAX
from .services.submit import IDEMPOTENCY_KEY_MAX, voice_submit_outcome

router = Router(tags=["voices"])

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
WRITE_THROTTLE: BaseThrottle = UserRateThrottle(getattr(settings, "API_WRITE_RATE", "60/m"))
INTAKE_THROTTLE: BaseThrottle = IntakeThrottle(getattr(settings, "API_WRITE_RATE", "60/m"))
# The list's default period: the voices raised in the last LIST_DAYS days (as Open311's GET requests), so that a
# page costs what the scope's recent activity costs, never its years of history; ``since`` reaches further back.
LIST_DAYS = 90

Action = Literal["accept", "reject", "merge", "dispatch", "resolve", "withdraw", "rate", "reopen"]
# The fields each action takes besides ``action``; any other field is an error, not silently ignored.
ACTION_FIELDS: dict[str, frozenset[str]] = {
    "accept": frozenset({"note"}),
    "reject": frozenset({"reason"}),
    "merge": frozenset({"original"}),
    "dispatch": frozenset({"organization", "note"}),
    "resolve": frozenset({"reply"}),
    "withdraw": frozenset({"reason"}),
    "rate": frozenset({"score", "comment"}),
    "reopen": frozenset({"reason"}),
}


# ---------------------------------------------------------------- schemas


class VoiceListQuery(PageQuery):
    status: VoiceStatus | None = None
    kind: Kind | None = None
    compound: str | None = Field(None, max_length=40, description="A compound's code.")
    q: CleanText = Field("", max_length=50, description="Words in the voice's text.")
    since: datetime.datetime | None = Field(
        None,
        description=f"Voices raised at or after this time (ISO 8601; without an offset, Shanghai time). "
        f"Default: {LIST_DAYS} days ago — pass an earlier time for older voices, open or not.",
    )
    until: datetime.datetime | None = Field(
        None, description="Voices raised before this time (ISO 8601). Default: no end."
    )


class VoiceIn(StrictSchema):
    compound: str = Field(max_length=40, description="The code of the compound the voice is about.")
    kind: Kind
    category: Id | None = Field(None, description="A category id; suggested from the text when omitted.")
    text: CleanText = Field(max_length=TEXT_MAX)
    location_kind: LocationKind
    house: Id | None = Field(None, description="A house id: one of your own houses (location own_house).")
    building: Id | None = Field(None, description="A building id of the compound (location building).")
    is_public: bool = Field(False, strict=True, description="Neighbours may see it; never with your name.")
    praised_organization: Id | None = Field(None, description="For praise: the organization praised.")
    idempotency_key: CleanText = Field(
        "",
        max_length=IDEMPOTENCY_KEY_MAX,
        description="Sending the same key again returns the same voice (or use the Idempotency-Key header).",
    )


class TransitionIn(StrictSchema):
    """One step of the work order: the action, and only the fields that action takes."""

    action: Action
    note: CleanText = Field("", max_length=TEXT_MAX, description="accept, dispatch: a note on the timeline.")
    reason: CleanText = Field(
        "", max_length=TEXT_MAX, description="reject (required), withdraw, reopen: the reason the author sees."
    )
    reply: CleanText = Field("", max_length=TEXT_MAX, description="resolve (required): the official reply.")
    original: Id | None = Field(None, description="merge (required): the id of the voice this one duplicates.")
    organization: Id | None = Field(
        None, description="dispatch: the organization to send it to (the routing rule's when omitted)."
    )
    score: Score | None = Field(None, description="rate (required).")
    comment: CleanText = Field("", max_length=COMMENT_MAX, description="rate: a comment on the answer.")


class CategoryOut(Schema):
    id: int
    name: str


class VoiceOut(Schema):
    id: int
    compound: str
    compound_name: str
    kind: str
    kind_label: str
    category: CategoryOut
    text: str
    location_kind: str
    location_label: str
    house: int | None = Field(description="Shown only to those who see the author.")
    building: str | None
    is_public: bool
    is_mine: bool
    author: str
    status: str
    status_label: str
    lead_organization: str | None
    merged_into: int | None
    me_too_count: int
    reply: str
    submitted_at: datetime.datetime
    accepted_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    response_due_at: datetime.datetime | None
    resolution_due_at: datetime.datetime | None


class VoicePage(PageMeta):
    items: list[VoiceOut]


class EventOut(Schema):
    verb: str
    status: str
    status_label: str
    note: str
    actor: str | None
    organization: str | None
    public: bool
    at: datetime.datetime


class ReplyOut(Schema):
    text: str
    organization: str | None
    is_internal: bool
    created_at: datetime.datetime


class VoiceDetailOut(VoiceOut):
    timeline: list[EventOut]
    replies: list[ReplyOut]


# ---------------------------------------------------------------- helpers


def _id(value: int) -> int:
    """Ids outside a database integer are simply not found (never a database error)."""
    if not 1 <= value < 2**63:
        raise NotFound(_("No such voice."))
    return value


def _voice_out(voice: Voice, *, user: User, author: str, sees_author: bool) -> dict[str, Any]:
    return {
        "id": voice.pk,
        "compound": voice.compound.code,
        "compound_name": voice.compound.name,
        "kind": voice.kind,
        "kind_label": str(voice.get_kind_display()),
        "category": {"id": voice.category.pk, "name": voice.category.name},
        "text": voice.text,
        "location_kind": voice.location_kind,
        "location_label": str(voice.get_location_kind_display()),
        "house": voice.house_id if sees_author else None,
        "building": voice.building.name if voice.building else None,
        "is_public": voice.is_public,
        "is_mine": voice.author_id == user.pk,
        "author": author,
        "status": voice.status,
        "status_label": str(voice.get_status_display()),
        "lead_organization": voice.lead_organization.name if voice.lead_organization else None,
        "merged_into": voice.merged_into_id,
        "me_too_count": voice.me_too_count,
        "reply": voice.reply,
        "submitted_at": voice.submitted_at,
        "accepted_at": voice.accepted_at,
        "resolved_at": voice.resolved_at,
        "closed_at": voice.closed_at,
        "response_due_at": voice.response_due_at,
        "resolution_due_at": voice.resolution_due_at,
    }


def _voice_detail(
    user: User,
    pk: int,
    *,
    record_view: bool = False,
    voice: Voice | None = None,
    fresh: tuple[VoiceEvent, ...] | None = None,
) -> dict[str, Any]:
    """The voice with its timeline and replies; ``voice``: the one just raised by ``user`` (not read again);
    ``fresh``: its public timeline events as the service wrote them (a voice just raised has no replies)."""
    voice = voice if voice is not None else voice_get(user=user, pk=pk)
    if record_view:
        services.voice_view_record(actor=user, voice=voice)
    sees_author = bool(may_see_author(user, voice))
    label = author_label(user=user, voice=voice)
    events: Iterable[VoiceEvent]
    replies: Iterable[VoiceReply]
    if fresh is not None:
        events, replies = fresh, ()
    else:
        events = voice_timeline(user=user, voice=voice).select_related("actor", "organization")
        replies = voice_replies(user=user, voice=voice).select_related("organization")

    def actor_of(event: Any) -> str | None:
        if event.actor_id is None:
            return None
        if event.actor_id == voice.author_id:
            return label
        return str(event.actor.name) if sees_author else None

    return {
        **_voice_out(voice, user=user, author=label, sees_author=sees_author),
        "timeline": [
            {
                "verb": e.verb,
                "status": e.status,
                "status_label": str(e.get_status_display()) if e.status else "",
                "note": e.note,
                "actor": actor_of(e),
                "organization": e.organization.name if e.organization else None,
                "public": e.public,
                "at": e.at,
            }
            for e in events
        ],
        "replies": [
            {
                "text": r.text,
                "organization": r.organization.name if r.organization else None,
                "is_internal": r.is_internal,
                "created_at": r.created_at,
            }
            for r in replies
        ],
    }


def _aware(at: datetime.datetime) -> datetime.datetime:
    """A time from the client; without an offset it is Shanghai time (the platform's), as in Open311."""
    return timezone.make_aware(at, timezone.get_default_timezone()) if timezone.is_naive(at) else at


def _filtered(filters: VoiceListQuery) -> dict[str, Any]:
    """The client's filters, as filters of the voices in scope."""
    found: dict[str, Any] = {}
    if filters.status:
        found["status"] = filters.status
    if filters.kind:
        found["kind"] = filters.kind
    if filters.compound:
        found["compound__code"] = filters.compound
    if filters.q:
        found["text__icontains"] = filters.q
    return found


def _reference(
    model: Any, pk: int | None, *, field: str, message: str, related: tuple[str, ...] = (), **filters: Any
) -> Any:
    """A row named by id in the input; an unknown id is a 400 on that field."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk, **filters).select_related(*related).first()
    if found is None:
        raise DomainError(message, field=field)
    return found


def _idempotency_key(payload: VoiceIn, header: str | None) -> str:
    header = (header or "").strip()
    if header and payload.idempotency_key and header != payload.idempotency_key:
        raise DomainError(
            _("The Idempotency-Key header and the idempotency_key field differ."), field="idempotency_key"
        )
    return header or payload.idempotency_key


# ---------------------------------------------------------------- endpoints


@router.get(
    "",
    response={200: VoicePage, **error_responses()},
    summary="Voices I may see: my own, and as staff those of my compounds and organizations",
)
def voice_list(request: HttpRequest, filters: Query[VoiceListQuery]) -> dict[str, Any]:
    """Newest first. By default the voices raised in the last 90 days (`since` for older ones, `until` to end
    the period earlier); `count` and `pages` count the voices of that period that match the filters."""
    user = acting_user(request)
    since = _aware(filters.since) if filters.since else timezone.now() - datetime.timedelta(days=LIST_DAYS)
    window: dict[str, Any] = {"submitted_at__gte": since}
    if filters.until is not None:
        until = _aware(filters.until)
        if until <= since:
            raise DomainError(_("until must be later than since."), field="until")
        window["submitted_at__lt"] = until
    # The scope's parts, each read through its index for the period only (and for a page, its newest only).
    voices = ScopedList(
        scope=voice_scope(user=user),
        order=("-submitted_at", "-id"),
        filters={**window, **_filtered(filters)},
        related=("author", "building"),
    )
    count = voices.count()
    start = (filters.page - 1) * filters.page_size
    items = voices[start : start + filters.page_size] if start < count else []
    meta = PageMeta(
        count=count, page=filters.page, page_size=filters.page_size, pages=max(1, math.ceil(count / filters.page_size))
    )
    rows = []
    for voice in items:
        own = voice.author_id == user.pk
        if voice.author is None:  # from outside (Open311, a ledger): the contact it came with, masked
            name = crypto.mask_name(voice.contact_name) if voice.contact_name else str(voice.get_channel_display())
        else:
            name = voice.author.name if own else crypto.mask_name(voice.author.name)
        rows.append(_voice_out(voice, user=user, author=name, sees_author=True))
    return {**meta.model_dump(), "items": rows}


@router.post(
    "",
    response={201: VoiceDetailOut, **error_responses(403, 404)},
    throttle=WRITE_THROTTLE,
    summary="Raise a voice (residents of the compound); the same idempotency key returns the same voice",
)
def voice_create(
    request: HttpRequest,
    payload: VoiceIn,
    idempotency_header: str | None = Header(None, alias="Idempotency-Key", max_length=IDEMPOTENCY_KEY_MAX),
) -> Status[dict[str, Any]]:
    user = acting_user(request)
    key = _idempotency_key(payload, idempotency_header)
    if not CODE_RE.match(payload.compound):
        raise NotFound(_("No such compound."))
    compound = Compound.objects.filter(code=payload.compound).select_related("community", "property_company").first()
    if compound is None:
        raise NotFound(_("No such compound."))
    submitted = voice_submit_outcome(
        channel=Channel.API,
        author=user,
        compound=compound,
        kind=payload.kind,
        text=payload.text,
        location_kind=payload.location_kind,
        category=_reference(
            Category, payload.category, field="category", message=_("Choose a category."), is_active=True
        ),
        house=_reference(House, payload.house, field="house", message=_("No such house."), related=("building",)),
        building=_reference(Building, payload.building, field="building", message=_("No such building.")),
        is_public=payload.is_public,
        praised_organization=_reference(
            Organization,
            payload.praised_organization,
            field="praised_organization",
            message=_("No such organization."),
        ),
        idempotency_key=key,
    )
    voice = submitted.voice
    if submitted.created and all(e.public for e in submitted.events):
        # Just raised: its timeline is what the service wrote, it has no replies yet; nothing to read again.
        return Status(201, _voice_detail(user, voice.pk, voice=voice, fresh=submitted.events))
    return Status(201, _voice_detail(user, voice.pk, voice=voice if voice.author_id == user.pk else None))


@router.get(
    "/{voice_id}",
    response={200: VoiceDetailOut, **error_responses(404)},
    summary="One voice with its timeline and replies (neighbours: without the author's name)",
)
def voice_detail(request: HttpRequest, voice_id: int) -> dict[str, Any]:
    return _voice_detail(acting_user(request), _id(voice_id), record_view=True)


@router.post(
    "/{voice_id}/transitions",
    response={200: VoiceDetailOut, **error_responses(403, 404, 409)},
    throttle=WRITE_THROTTLE,
    summary="Move the voice along its state machine: accept, reject, merge, dispatch, resolve, withdraw, rate, reopen",
)
def voice_transition(request: HttpRequest, voice_id: int, payload: TransitionIn) -> dict[str, Any]:
    user = acting_user(request)
    voice = voice_get(user=user, pk=_id(voice_id))
    extra = sorted(payload.model_fields_set - {"action"} - ACTION_FIELDS[payload.action])
    if extra:
        raise DomainError(
            _("%(field)s does not apply to %(action)s.") % {"field": extra[0], "action": payload.action},
            field=extra[0],
        )
    action = payload.action
    if action == "accept":
        services.voice_accept(actor=user, voice=voice, note=payload.note)
    elif action == "reject":
        services.voice_reject(actor=user, voice=voice, reason=payload.reason)
    elif action == "merge":
        if payload.original is None:
            raise DomainError(_("Choose the voice this one duplicates."), field="original")
        services.voice_merge(actor=user, voice=voice, original=voice_get(user=user, pk=payload.original))
    elif action == "dispatch":
        organization = _reference(
            Organization, payload.organization, field="organization", message=_("No such organization.")
        )
        services.voice_dispatch(actor=user, voice=voice, organization=organization, note=payload.note)
    elif action == "resolve":
        services.voice_resolve(actor=user, voice=voice, reply=payload.reply)
    elif action == "withdraw":
        services.voice_withdraw(actor=user, voice=voice, reason=payload.reason)
    elif action == "rate":
        services.voice_rate(actor=user, voice=voice, score=payload.score or "", comment=payload.comment)
    else:
        services.voice_reopen(actor=user, voice=voice, reason=payload.reason)
    return _voice_detail(user, voice.pk)


# ---------------------------------------------------------------- the intake: queue now, raise in the worker

INTAKE_DOC = """The second way to raise a voice, for residents' apps: the request is checked in memory and queued with
one INSERT; the worker raises the voice within seconds, with every check and effect of `POST /api/voices/`
(residence and house, category suggestion, deadlines, routing, timeline, audit, notifications).

1. `POST /api/voices/intake-token/` (logged in, as a resident): a token valid for one hour.
2. `POST /api/voices/intake/` with `Authorization: Bearer <token>` — no cookie, no CSRF token — and the body of
   `POST /api/voices/` plus a required idempotency key (`Idempotency-Key` header or `idempotency_key`): **202**
   with the intake's id and its status URL. The same key again answers with the same intake (nothing new is
   queued). Refused at once, with nothing queued: a missing, forged or expired token (401), a body over 32 KB
   (413), input of the wrong shape, empty or too long text, a location without its house or building (400),
   more than the write rate (429).
3. `GET /api/voices/intake/{id}/` (the same token, or the session): `queued`, then `done` with the voice's id,
   or `refused` with the error `POST /api/voices/` would have answered (`{code, message, field}`; e.g. not a
   resident of the compound, not your house, an unknown category). Only the intake's own user sees it."""


class IntakeTokenOut(Schema):
    token: str = Field(description="Send as `Authorization: Bearer <token>` to the intake.")
    expires_at: datetime.datetime
    intake_url: str


class IntakeErrorOut(Schema):
    code: str
    message: str
    field: str | None


class IntakeOut(Schema):
    id: int
    status: IntakeStatus
    status_url: str
    voice: int | None = Field(description="The voice raised, once `done`.")
    voice_url: str | None
    error: IntakeErrorOut | None = Field(description="Why it was `refused`: what `POST /api/voices/` would have said.")


def _intake_out(receipt: Receipt) -> dict[str, Any]:
    error = None
    if receipt.status == IntakeStatus.REFUSED:
        error = {"code": receipt.error_code, "message": receipt.error, "field": receipt.error_field or None}
    return {
        "id": receipt.id,
        "status": receipt.status,
        "status_url": f"/api/voices/intake/{receipt.id}/",
        "voice": receipt.voice_id,
        "voice_url": f"/api/voices/{receipt.voice_id}" if receipt.voice_id else None,
        "error": error,
    }


@router.post(
    "/intake-token/",
    response={200: IntakeTokenOut, **error_responses(403)},
    throttle=WRITE_THROTTLE,
    summary="Intake: a token for raising voices through the intake (residents), valid for one hour",
    description=INTAKE_DOC,
)
def intake_token(request: HttpRequest) -> dict[str, Any]:
    token, expires_at = intake_token_issue(user=acting_user(request))
    return {"token": token, "expires_at": expires_at, "intake_url": "/api/voices/intake/"}


def _inline_schema(model: type[Any]) -> dict[str, Any]:
    """A pydantic model's JSON schema with its definitions inlined (for ``openapi_extra``)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return dict(inline(schema))


@router.post(
    "/intake/",
    auth=IntakeBearer(),
    throttle=INTAKE_THROTTLE,
    response={202: IntakeOut, **error_responses(413)},
    summary="Intake: queue a voice (bearer token); 202 with the intake's status URL",
    description=INTAKE_DOC,
    # The body and the header are read in the view — the body parsed by pydantic straight from its bytes, not
    # through ninja's parameter models (measured: docs/benchmarks.md) — and documented here.
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _inline_schema(IntakeIn)}}},
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX},
                "description": "The idempotency key (or the idempotency_key field; one of them is required).",
            }
        ],
    },
)
def intake_submit(request: HttpRequest) -> HttpResponse:
    # Lean on purpose: no session, no ORM object, one INSERT; the answer built from memory.
    payload = intake_parse(request.body)
    queued, key = intake_payload(payload, header_key=request.headers.get("Idempotency-Key"))
    token = getattr(request, "auth", None)
    assert isinstance(token, IntakeToken)
    receipt = intake_create(token=token, payload=queued, idempotency_key=key)
    response = JsonResponse(_intake_out(receipt), status=202)
    response["Location"] = f"/api/voices/intake/{receipt.id}/"
    return response


@router.get(
    "/intake/{intake_id}/",
    auth=[IntakeBearer(required=False), SessionCsrfAuth()],
    response={200: IntakeOut, **error_responses(404)},
    summary="Intake: what became of a queued voice (queued, done with the voice, refused with the error)",
    description=INTAKE_DOC,
)
def intake_status(request: HttpRequest, intake_id: int) -> dict[str, Any]:
    auth = getattr(request, "auth", None)
    user_id = auth.user_id if isinstance(auth, IntakeToken) else acting_user(request).pk
    row = (
        VoiceIntake.objects.filter(pk=intake_id, user_id=user_id)
        .values("id", "status", "voice_id", "error_code", "error_field", "error")
        .first()
        if 1 <= intake_id < 2**63
        else None
    )
    if row is None:
        raise NotFound(_("No such intake."))
    return _intake_out(Receipt(created=False, **row))
