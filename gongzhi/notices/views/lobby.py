"""The lobby screen (楼道屏), opened by its signed link without log-in: the full-screen page, its JSON content
(refreshed by the page every few minutes) and its pictures, all through the same token. A forged, revoked or
expired link gets a clear error and nothing else."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import lobby, services
from .staff import image_response

# A screen's link is a secret: it must not travel in a Referer header, and search engines must not keep it.
PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}


def _private(response: HttpResponseBase, *, store: bool = False) -> HttpResponseBase:
    for name, value in PRIVATE_HEADERS.items():
        response[name] = value
    if not store:
        response["Cache-Control"] = "no-store"
    return response


def _site_language(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A lobby TV shows the site's language (Chinese), whatever its browser asks for: nobody is there to switch."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with translation.override(settings.LANGUAGE_CODE):
            response = view(request, *args, **kwargs)
            response["Content-Language"] = settings.LANGUAGE_CODE
            return response

    return wrapped


@require_GET
@_site_language
def screen(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        found = lobby.screen_from_token(token)
    except lobby.ScreenRefused as exc:
        response = render(request, "notices/lobby_refused.html", {"message": exc.message}, status=403)
        return _private(response)
    context = {
        "screen": found,
        "feed_url": reverse("notices:screen_content", args=[token]),
        "storage_key": f"gongzhi-lobby-{found.pk}",
        "rotate_seconds": lobby.rotate_seconds(),
        "refresh_seconds": lobby.refresh_seconds(),
        # Filled in by lobby.js (the time the screen went offline, the time of the content shown).
        "offline_label": _("Offline since %(time)s: showing the last content"),
        "updated_label": _("Updated %(time)s"),
    }
    return _private(render(request, "notices/lobby.html", context))


@require_GET
@_site_language
def screen_content(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        found = lobby.screen_from_token(token)
    except lobby.ScreenRefused as exc:
        return _private(JsonResponse({"code": exc.code, "message": exc.message, "field": None}, status=403))
    services.lobby_screen_seen(screen=found)
    payload = lobby.lobby_payload(found, token=token)
    return _private(JsonResponse(payload, json_dumps_params={"ensure_ascii": False}))


@require_GET
def screen_image(request: HttpRequest, token: str, name: str) -> HttpResponseBase:
    try:
        found = lobby.screen_from_token(token)
    except lobby.ScreenRefused as exc:
        return _private(HttpResponse(exc.message, status=403, content_type="text/plain; charset=utf-8"))
    field = lobby.screen_image_file(found, name)
    if field is None:
        raise Http404(_("No such picture."))
    return _private(image_response(field, thumb=False, private=False), store=True)
