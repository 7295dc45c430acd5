"""The shared cache: Django's Redis cache, riding out a Redis outage.

The cache holds only what can be remade or skipped: rate-limit counters (API keys, the verify page) and
the feed's shared candidate pools. While Redis can't be reached (restarting, say), a read misses, a write
is dropped and a counter counts nothing, so pages and the API keep answering (rate limits open, pools
remade per request) instead of failing with a server error; a warning says so at most every 10 s.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY_S = 10.0
_warned_at = 0.0


def _unreachable(error: Exception) -> None:
    global _warned_at
    now = time.monotonic()
    if now - _warned_at >= WARN_EVERY_S:
        _warned_at = now
        log.warning("the Redis cache can't be reached (%s): rate limits are open and nothing is cached", error)


class OutageTolerantRedisCache(RedisCache):
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except UNREACHABLE as error:
            _unreachable(error)
            return default

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as error:
            _unreachable(error)

    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as error:
            _unreachable(error)
            return False

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            _unreachable(error)
            return 0
