"""URLs of the benchmark server (``config.settings.bench`` only): every real URL, plus two baselines.

``POST /bench/bare-insert/`` inserts the request body as one row of ``bench_bare_row``, a table the submission
benchmark creates (and drops) itself, and answers 201 with the new id. It is what "a bare endpoint on the same
server that inserts one row" means: the same gunicorn workers and middleware, no session (the client sends
no cookie), no CSRF (exempt), no authentication, no ORM, one INSERT in autocommit.

``POST /bench/session-insert/`` does the same for a logged-in user only, with Django's CSRF check: the
session is read and saved, and the user loaded, as for the API (for information: what the framework and
the session cost before any voice logic).
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import handler403
from config.urls import urlpatterns as real_urlpatterns

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


urlpatterns = [
    path("bench/bare-insert/", bare_insert, name="bench_bare_insert"),
    path("bench/session-insert/", session_insert, name="bench_session_insert"),
    *real_urlpatterns,
]

__all__ = ["handler403", "urlpatterns"]
