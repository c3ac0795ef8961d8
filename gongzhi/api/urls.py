"""The one NinjaAPI object: session authentication with CSRF on writes, and one error format.

Every error is JSON ``{"code", "message", "field"}`` (validation errors add ``errors``, one per field):
400 invalid input, 401 not logged in, 403 not allowed (or CSRF), 404 not found, 409 illegal transition or
conflicting state, 413 request too large, 429 too many requests. Routers live in each app's ``api.py``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.docs import Swagger

from gongzhi.core.audit import audit_denied
from gongzhi.core.errors import DomainError, NotAllowed

from .security import SessionCsrfAuth

# Parts of a validation error's location that name where a value came from, not the field itself.
_LOCATION_WORDS = frozenset({"body", "query", "path", "header", "cookie", "form", "payload", "filters", "paging"})


class LocalSwagger(Swagger):
    """Swagger UI from files we serve ourselves, never from a CDN (deployments in China cannot reach one)."""

    template = "api/swagger.html"

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, {"swagger_settings": swagger_settings, "api": api})


api = NinjaAPI(
    title="Gongzhi API",
    version="1",
    description=(
        "共治 co-governance platform. Session authentication: log in through the web page; send the "
        "`X-CSRFToken` header (from the `csrftoken` cookie) on every write. Errors are "
        '`{"code", "message", "field"}` with HTTP 400/401/403/404/409.'
    ),
    auth=SessionCsrfAuth(),
    urls_namespace="api",
    docs=LocalSwagger(),
)


def error_response(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message, "field": field}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if exc.status == 403:
        audit_denied(request, code=exc.code)
    return error_response(request, status=exc.status, code=exc.code, message=str(exc.message), field=exc.field)


def _field_of(loc: Any) -> str | None:
    parts = [str(p) for p in loc if str(p) not in _LOCATION_WORDS]
    return ".".join(parts) or None


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"field": _field_of(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in exc.errors]
    first = errors[0]["field"] if errors else None
    return error_response(
        request,
        status=400,
        code="invalid",
        message=_("Some of the input is not valid; see errors."),
        field=first,
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, status=401, code="unauthenticated", message=_("Log in first."))


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return error_response(
        request, status=429, code="rate_limited", message=_("Too many requests; wait a minute and try again.")
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "invalid", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 409: "conflict"}
    return error_response(request, status=exc.status_code, code=codes.get(exc.status_code, "error"), message=str(exc))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, status=404, code="not_found", message=_("Not found."))


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return domain_error(request, NotAllowed(_("You do not have access to this.")))


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, status=413, code="too_large", message=_("The request is too large."))


api.add_router("/accounts/", "gongzhi.accounts.api.router")
api.add_router("/estates/", "gongzhi.estates.api.router")
api.add_router("/voices/", "gongzhi.voices.api.router")
api.add_router("/insights/", "gongzhi.insights.api.router")
