"""Fixed-window rate limits in the Django cache (Redis when REDIS_URL is set, so every process counts)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext

from sora_site.errors import DomainError


def client_key(request: HttpRequest) -> str:
    """Who is asking: the signed-in user, else the client address (REMOTE_ADDR: behind a proxy,
    configure it to set the real one)."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


def rate_limit_check(scope: str, who: str, *, limit: int, window_s: int = 60, message: str = "") -> None:
    """Count one call of `who` in `scope`; raise DomainError("rate_limited", 429) past `limit` per window.
    `message` (translated, with %(seconds)d for the wait) says what was limited; the default speaks of checks."""
    window = int(time.time() // window_s)
    key = f"ratelimit:{scope}:{who}:{window}"
    cache.add(key, 0, timeout=window_s + 1)
    if cache.incr(key) > limit:
        wait = window_s - int(time.time() % window_s)
        raise DomainError(
            "rate_limited",
            (message or gettext("Too many checks. Try again in %(seconds)d s.")) % {"seconds": wait},
            status=429,
        )
