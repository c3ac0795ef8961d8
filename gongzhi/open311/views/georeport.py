"""The GeoReport v2 endpoints under /open311/v2/: discovery, services, requests, tokens; JSON and XML.

Thin views: read the parameters, call one selector or service, render the spec's document. Every error is the
spec's error document in the requested format: 400 for a missing or bad parameter, 403 for a missing, wrong
or revoked api_key, 404 for an unknown jurisdiction, service, request or URL; 429 when a key posts too often.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gongzhi.core.audit import audit_denied
from gongzhi.core.errors import DomainError, NotAllowed
from gongzhi.core.ratelimit import client_address, rate_limit_hit

from .. import formats, selectors
from ..models import Open311Key
from ..query import parse_request_query
from ..services import Invalid, open311_request_create

View = Callable[..., HttpResponse]
READ_METHODS = ("GET", "HEAD")
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]{1,50})\](\[\])?$")
# Failed api_key attempts per client address and minute before the address is slowed down (429).
BAD_KEYS_PER_MINUTE = 20


def posts_per_minute() -> int:
    """How many POSTs one key may send a minute (setting ``OPEN311_POSTS_PER_MINUTE``)."""
    return int(getattr(settings, "OPEN311_POSTS_PER_MINUTE", 30))


def georeport(*methods: str) -> Callable[[View], View]:
    """Allow ``methods``; turn domain errors into the spec's error document in the URL's format."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = formats.render_errors(
                    fmt, 405, [_("Method %(method)s is not allowed here.") % {"method": request.method}]
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except (RequestDataTooBig, TooManyFieldsSent):
                return formats.render_errors(fmt, 400, [_("The request is too large.")])
            except Invalid as exc:
                return formats.render_errors(fmt, 400, [p.message for p in exc.problems])
            except NotAllowed as exc:
                if exc.field == "api_key":
                    if rate_limit_hit(scope="open311_bad_key", key=client_address(request), limit=BAD_KEYS_PER_MINUTE):
                        return formats.render_errors(fmt, 429, [_("Too many attempts; wait a minute.")])
                    audit_denied(request, code="open311_api_key")
                return formats.render_errors(fmt, 403, [exc.message])
            except DomainError as exc:
                status = exc.status if exc.status in (400, 404) else 400
                return formats.render_errors(fmt, status, [exc.message])

        wrapped.csrf_exempt = True  # type: ignore[attr-defined]  # no cookies: a POST carries its api_key
        return wrapped

    return decorate


def _param(request: HttpRequest, name: str) -> str:
    """A parameter from the form body, else from the query string (some clients send the key there)."""
    value = request.POST.get(name) if request.method == "POST" else None
    return str(value if value is not None else request.GET.get(name, ""))


def _attributes(request: HttpRequest) -> dict[str, list[str]]:
    """``attribute[code]=value`` and ``attribute[code][]=value`` pairs (several values for a multivaluelist)."""
    found: dict[str, list[str]] = {}
    sources = (request.GET, request.POST) if request.method == "POST" else (request.GET,)
    for source in sources:
        for name in source:
            match = ATTRIBUTE_RE.match(name)
            if match:
                found.setdefault(match.group(1), []).extend(source.getlist(name))
    return found


def _reader_key(request: HttpRequest, compound: Any) -> Open311Key | None:
    """A read may send the api_key to also see what that key sent in; a bad key is refused, not ignored."""
    raw = _param(request, "api_key")
    if not raw.strip():
        return None
    return selectors.key_for_jurisdiction(selectors.key_authenticate(raw), compound)


@georeport(*READ_METHODS)
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    discovery_url = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    doc = formats.discovery_doc(endpoint_url=discovery_url.rsplit("/", 1)[0], production=not settings.DEBUG)
    return formats.render(doc, fmt, root="discovery")


@georeport(*READ_METHODS)
def services(request: HttpRequest, *, fmt: str) -> HttpResponse:
    selectors.jurisdiction_get(_param(request, "jurisdiction_id"))
    docs = [formats.service_doc(c) for c in selectors.services_list()]
    return formats.render(docs, fmt, root="services", item="service")


@georeport(*READ_METHODS)
def service_definition(request: HttpRequest, service_code: str, *, fmt: str) -> HttpResponse:
    selectors.jurisdiction_get(_param(request, "jurisdiction_id"))
    category = selectors.service_get(service_code)
    return formats.render(formats.definition_doc(category), fmt, root="service_definition")


@georeport("GET", "HEAD", "POST")
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _request_create(request, fmt)
    compound = selectors.jurisdiction_get(_param(request, "jurisdiction_id"))
    key = _reader_key(request, compound)
    query = parse_request_query(request.GET)
    voices = selectors.requests_list(compound=compound, key=key, query=query)
    docs = [formats.request_doc(v, compound) for v in voices]
    return formats.render(docs, fmt, root="service_requests", item="request")


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    key = selectors.key_authenticate(_param(request, "api_key"))
    if rate_limit_hit(scope="open311_post", key=str(key.pk), limit=posts_per_minute()):
        return formats.render_errors(fmt, 429, [_("Too many requests with this api_key; wait a minute.")])
    compound = selectors.jurisdiction_get(_param(request, "jurisdiction_id"))
    voice = open311_request_create(
        key=key,
        compound=compound,
        service_code=_param(request, "service_code"),
        description=_param(request, "description"),
        lat=_param(request, "lat"),
        long=_param(request, "long"),
        address_string=_param(request, "address_string"),
        address_id=_param(request, "address_id"),
        attributes=_attributes(request),
        email=_param(request, "email"),
        first_name=_param(request, "first_name"),
        last_name=_param(request, "last_name"),
        phone=_param(request, "phone"),
    )
    doc = formats.created_doc(voice, account_id=_param(request, "account_id").strip()[:64])
    return formats.render([doc], fmt, root="service_requests", item="request")


@georeport(*READ_METHODS)
def request_detail(request: HttpRequest, service_request_id: str, *, fmt: str) -> HttpResponse:
    compound = selectors.jurisdiction_get(_param(request, "jurisdiction_id"))
    key = _reader_key(request, compound)
    voice = selectors.request_get(compound=compound, key=key, service_request_id=service_request_id)
    return formats.render([formats.request_doc(voice, compound)], fmt, root="service_requests", item="request")


@georeport(*READ_METHODS)
def token(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    """Requests are created at once (type realtime), so a POST returns the id and no token. A client that asks
    for a token anyway gets the request back for its id: the id is the token."""
    compound = selectors.jurisdiction_get(_param(request, "jurisdiction_id"))
    key = _reader_key(request, compound)
    voice = selectors.request_get(compound=compound, key=key, service_request_id=token)
    return formats.render([formats.token_doc(voice, str(voice.pk))], fmt, root="service_requests", item="request")


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under /open311/v2/: a 404 in the spec's format (XML, the required one, unless .json)."""
    fmt = "json" if rest.endswith(".json") else "xml"
    return formats.render_errors(fmt, 404, [_("The URL request is invalid: there is no such resource.")])
