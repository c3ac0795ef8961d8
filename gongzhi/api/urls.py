"""The one NinjaAPI object; routers live in each app's api.py."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from gongzhi.core.errors import DomainError

api = NinjaAPI(
    title="Gongzhi API",
    version="1",
    description="共治 co-governance platform. Session authentication; send the CSRF token on writes.",
    auth=django_auth,
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request, {"code": exc.code, "message": exc.message, "field": exc.field}, status=exc.status
    )


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "invalid", "message": "Invalid input.", "errors": exc.errors}, status=400
    )


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"code": "unauthenticated", "message": "Log in first."}, status=401)


api.add_router("/accounts/", "gongzhi.accounts.api.router")
api.add_router("/estates/", "gongzhi.estates.api.router")
