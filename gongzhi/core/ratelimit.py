"""A small fixed-window rate limit on the cache, for log-in and submission endpoints."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

ViewFunc = Callable[..., HttpResponse]


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind ``TRUSTED_PROXY_HOPS`` reverse proxies (each appending the address it saw
    to X-Forwarded-For), the address the outermost proxy saw; never a value the client chose itself."""
    hops = int(getattr(settings, "TRUSTED_PROXY_HOPS", 0))
    if hops > 0:
        chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def rate_limit_hit(*, scope: str, key: str, limit: int, window_seconds: int = 60) -> bool:
    """Count one hit; True when the caller is over ``limit`` hits in the current window."""
    window = int(time.time() // window_seconds)
    cache_key = f"rl:{scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=window_seconds + 1)
    try:
        hits = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=window_seconds + 1)
        hits = 1
    return hits > limit


def posts_limited(scope: str, per_minute: int = 30) -> Callable[[ViewFunc], ViewFunc]:
    """Decorate a view: more than ``per_minute`` POSTs a minute by one user (or address) get a clear 429."""

    def decorate(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                user = getattr(request, "user", None)
                key = str(user.pk) if user is not None and user.is_authenticated else client_address(request)
                if rate_limit_hit(scope=scope, key=key, limit=per_minute):
                    return render(request, "429.html", status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
