"""Bearer keys for /v1, and the per-key rate limit. Sessions never authenticate the API (no session or
cookie auth is configured on it), and nothing on the site reads a Bearer key."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from feed.accounts.models import User
from generation.api.errors import RateLimited
from generation.api.keys import key_hash
from generation.models import ApiKey
from sora_site.errors import DomainError

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # write last_used_at at most this often per key
WINDOW_S = 60


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User:
        key = ApiKey.objects.select_related("owner").filter(key_hash=key_hash(token.strip())).first()
        now = timezone.now()
        if key is None or key.revoked_at is not None or not key.owner.is_active:
            raise DomainError("invalid_api_key", "Incorrect API key provided.", status=401)
        if key.expires_at is not None and key.expires_at <= now:
            raise DomainError("invalid_api_key", "This API key has expired.", status=401)
        rate_limit_check(key)
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return key.owner


def rate_limit_check(key: ApiKey) -> None:
    """A fixed one-minute window per key, counted in the shared cache (Redis when configured)."""
    limit = key.rate_limit_per_minute or settings.API_RATE_LIMIT_PER_MINUTE
    window = int(time.time() // WINDOW_S)
    counter = f"api-rate:{key.public_id}:{window}"  # a random id: a reset database reuses pks
    cache.add(counter, 0, timeout=WINDOW_S * 2)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=WINDOW_S * 2)
        count = 1
    if count > limit:
        retry_after = max(1, int((window + 1) * WINDOW_S - time.time()) + 1)
        raise RateLimited(f"Rate limit reached: {limit} requests per minute for this key.", retry_after=retry_after)
