"""URLs of the benchmark server (``config.settings.bench`` only): every real URL, plus two baselines.

``POST /bench/bare-insert/`` inserts the request body as one row of ``bench_bare_row``, a table the submission
benchmark creates (and drops) itself, and answers 201 with the new id. It is what "a bare endpoint on the same
server that inserts one row" means: the same gunicorn workers and middleware, no session (the client sends
no cookie), no CSRF (exempt), no authentication, no ORM, one INSERT in autocommit.

``POST /bench/session-insert/`` does the same for a logged-in user only, with Django's CSRF check: the
session is read and saved, and the user loaded, as for the API (for information: what the framework and
the session cost before any voice logic).

``POST /bench/intake-plain/`` is the voice intake (``POST /api/voices/intake/``) as a plain Django view: the same
token check, rate limit, payload parsing and checks, the same INSERT, without django-ninja's operation machinery
(for information: what ninja costs the intake; errors here are the API's shape, not every detail of it).
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from ninja.errors import ValidationError

from config.urls import handler403
from config.urls import urlpatterns as real_urlpatterns
from gongzhi.core.errors import DomainError
from gongzhi.voices.api import INTAKE_THROTTLE
from gongzhi.voices.intake import BODY_MAX, intake_parse, intake_payload, intake_token_read
from gongzhi.voices.services.intake import intake_create

BARE_TABLE = "bench_bare_row"
BARE_TABLE_SQL = (
    f"CREATE TABLE IF NOT EXISTS {BARE_TABLE} (id bigserial PRIMARY KEY, at timestamptz NOT NULL, body text NOT NULL)"
)


def _insert_one(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BARE_TABLE} (at, body) VALUES (now(), %s) RETURNING id",  # noqa: S608 - a constant
            [request.body.decode("utf-8", "replace")],
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> HttpResponse:
    return _insert_one(request)


@require_POST
def session_insert(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"code": "unauthenticated"}, status=401)
    return _insert_one(request)


def _error(status: int, code: str, message: str, field: str | None = None) -> HttpResponse:
    return JsonResponse({"code": code, "message": message, "field": field}, status=status)


@csrf_exempt
@require_POST
def intake_plain(request: HttpRequest) -> HttpResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > BODY_MAX:
        return _error(413, "too_large", "The request is too large.")
    header = request.headers.get("Authorization") or ""
    try:
        if not header.lower().startswith("bearer "):
            return _error(401, "invalid_token", "Send the intake token.")
        token = intake_token_read(header[7:], now=timezone.now())
        request.auth = token  # type: ignore[attr-defined]
        if not INTAKE_THROTTLE.allow_request(request):
            return _error(429, "rate_limited", "Too many requests; wait a minute and try again.")
        payload = intake_parse(request.body)
        queued, key = intake_payload(payload, header_key=request.headers.get("Idempotency-Key"))
        receipt = intake_create(token=token, payload=queued, idempotency_key=key)
    except DomainError as refused:
        return _error(refused.status, refused.code, str(refused.message), refused.field)
    except ValidationError:
        return _error(400, "invalid", "Some of the input is not valid; see errors.")
    url = f"/api/voices/intake/{receipt.id}/"
    body = {"id": receipt.id, "status": receipt.status, "status_url": url, "voice": None, "voice_url": None}
    response = JsonResponse({**body, "error": None}, status=202)
    response["Location"] = url
    return response


urlpatterns = [
    path("bench/bare-insert/", bare_insert, name="bench_bare_insert"),
    path("bench/intake-plain/", intake_plain, name="bench_intake_plain"),
    path("bench/session-insert/", session_insert, name="bench_session_insert"),
    *real_urlpatterns,
]

__all__ = ["handler403", "urlpatterns"]
