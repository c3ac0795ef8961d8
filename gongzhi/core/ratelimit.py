"""A small fixed-window rate limit on the cache, for log-in and submission endpoints."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


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
