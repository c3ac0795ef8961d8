"""The voice intake's request side: signed intake tokens, the bearer check, and the payload's shape.

The intake (``POST /api/voices/intake/``) is the second way to raise a voice over the API, for residents' apps
that hold an intake token: the request is checked in memory (token signature and expiry, the payload's shape)
and costs one INSERT; the worker raises the voice later (``services/intake.py``). Nothing here reads the
database.

An intake token is ``django.core.signing.Signer(salt=TOKEN_SALT).sign_object({"u": user id, "e": expiry})``:
HMAC-SHA256 with the project's secret under a salt of its own, so no other signed value of the project (a
meeting's sign-in code, a calendar feed link, a session) is accepted as one, and it is refused once expired
(``TOKEN_VALID`` after it was issued). It is not revocable before then: it only lets its holder *queue* voices,
and the worker checks everything else when it raises them (the user still active, still a resident of the
compound, the house theirs — exactly as the synchronous API does).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import ValidationError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from gongzhi.api.schemas import CleanText, Id
from gongzhi.core.errors import DomainError

from .models import TEXT_MAX, Kind, LocationKind
from .services._common import clean_text
from .services.submit import IDEMPOTENCY_KEY_MAX

TOKEN_SALT = "gongzhi.voices.intake-token"  # noqa: S105 - a salt, not a secret
TOKEN_VALID = datetime.timedelta(hours=1)
TOKEN_MAX = 200  # a token is about 70 characters; anything much longer is not one
# The largest request body the intake reads: 2,000 characters of text JSON-escaped (\uXXXX, 6 bytes each) and the
# other fields take under 16 KB; the limit is twice that, and anything larger is refused with 413 before it is parsed.
BODY_MAX = 32 * 1024
COMPOUND_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class IntakeTokenError(DomainError):
    """The bearer token is missing, forged, damaged, for another purpose, or expired (HTTP 401)."""

    code = "invalid_token"
    status = 401


class IntakeTooLarge(DomainError):
    code = "too_large"
    status = 413


@dataclass(frozen=True)
class IntakeToken:
    """What a valid intake token says: whose it is and until when."""

    user_id: int
    expires_at: datetime.datetime


def _signer() -> signing.Signer:
    return signing.Signer(salt=TOKEN_SALT)


def intake_token_sign(*, user_id: int, now: datetime.datetime) -> tuple[str, datetime.datetime]:
    """A token for ``user_id``, valid for ``TOKEN_VALID`` from ``now``, and its expiry (whole seconds).

    Only ``services.intake.intake_token_issue`` hands tokens out (it checks who may have one)."""
    expires = int((now + TOKEN_VALID).timestamp())
    token = _signer().sign_object({"u": int(user_id), "e": expires})
    return token, datetime.datetime.fromtimestamp(expires, tz=datetime.UTC)


def intake_token_read(token: str, *, now: datetime.datetime) -> IntakeToken:
    """What a token says, once its signature and expiry are checked; ``IntakeTokenError`` (401) otherwise."""
    token = (token or "").strip()
    try:
        if not token or len(token) > TOKEN_MAX:
            raise signing.BadSignature
        payload = _signer().unsign_object(token)
        user_id, expires = int(payload["u"]), int(payload["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        raise IntakeTokenError(_("This intake token is not valid; ask for a new one.")) from None
    expires_at = datetime.datetime.fromtimestamp(expires, tz=datetime.UTC)
    if now >= expires_at or user_id < 1:
        raise IntakeTokenError(_("This intake token has expired; ask for a new one."), code="expired_token")
    return IntakeToken(user_id=user_id, expires_at=expires_at)


class IntakeBearer(HttpBearer):
    """``Authorization: Bearer <intake token>``; no session, no cookie, so no CSRF token either.

    ``required``: a request without the header is refused here with a clear 401 (the intake itself); when
    False the next authentication may still accept it (the status endpoint also takes the session)."""

    def __init__(self, *, required: bool = True) -> None:
        super().__init__()
        self.required = required

    def __call__(self, request: HttpRequest) -> Any:
        if self.required:
            length = request.META.get("CONTENT_LENGTH") or "0"
            if not length.isdigit() or int(length) > BODY_MAX:
                raise IntakeTooLarge(_("The request is too large."))
            header = request.headers.get(self.header) or ""
            if not header.lower().startswith("bearer "):
                raise IntakeTokenError(_("Send the intake token: Authorization: Bearer <token>."))
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> IntakeToken:
        from django.utils import timezone

        return intake_token_read(token, now=timezone.now())


class IntakeThrottle(SimpleRateThrottle):
    """The API's write rate per user (``API_WRITE_RATE``), keyed by the token's user: no session is read."""

    scope = "intake"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        auth = getattr(request, "auth", None)
        ident = auth.user_id if isinstance(auth, IntakeToken) else None
        return None if ident is None else self.cache_format % {"scope": self.scope, "ident": ident}


class IntakeIn(BaseModel):
    """The fields of ``VoiceIn`` (the synchronous API): the same names, types and limits.

    A plain pydantic model, parsed straight from the body's bytes (``intake_parse``): django-ninja's ``Schema``
    validates a model that forbids extra fields twice and wraps it for ORM access, which the intake does not
    need (``docs/benchmarks.md``)."""

    model_config = ConfigDict(extra="forbid")

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
        description="Required here (or the Idempotency-Key header): sending it again returns the same intake.",
    )


def intake_parse(body: bytes) -> IntakeIn:
    """The request body as ``IntakeIn``; anything else is the API's 400 with one error per field."""
    try:
        return IntakeIn.model_validate_json(body)
    except PydanticValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        raise ValidationError(
            [{"loc": ("body", *e["loc"]), "msg": e["msg"], "type": e["type"]} for e in errors]
        ) from None


def intake_payload(payload: IntakeIn, *, header_key: str | None) -> tuple[dict[str, Any], str]:
    """The payload to queue and its idempotency key, after the checks that need no database.

    The compound, category, house and building ids are checked by the worker (as the synchronous API checks
    them); here: the key is given (once), the compound code is well formed, the text is not empty, and the
    location names what it needs."""
    header_key = (header_key or "").strip()
    if header_key and payload.idempotency_key and header_key != payload.idempotency_key:
        raise DomainError(
            _("The Idempotency-Key header and the idempotency_key field differ."), field="idempotency_key"
        )
    key = header_key or payload.idempotency_key
    if not key:
        raise DomainError(
            _("Send an idempotency key (Idempotency-Key header or idempotency_key field)."),
            field="idempotency_key",
            code="required",
        )
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise DomainError(_("The idempotency key is too long."), field="idempotency_key", code="too_long")
    if not COMPOUND_CODE_RE.match(payload.compound):
        raise DomainError(_("No such compound."), field="compound")
    text = clean_text(payload.text)
    if payload.location_kind == LocationKind.OWN_HOUSE and payload.house is None:
        raise DomainError(_("Choose your house."), field="house")
    if payload.location_kind == LocationKind.BUILDING and payload.building is None:
        raise DomainError(_("Choose the building."), field="building")
    queued = {
        "compound": payload.compound,
        "kind": str(payload.kind),
        "category": payload.category,
        "text": text,
        "location_kind": str(payload.location_kind),
        "house": payload.house,
        "building": payload.building,
        "is_public": payload.is_public,
        "praised_organization": payload.praised_organization,
    }
    return queued, key
