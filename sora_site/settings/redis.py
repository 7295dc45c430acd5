"""Redis: the Channels layer and the cache (Celery's broker is in settings/celery.py).

Without REDIS_URL the app runs in one process: an in-memory channel layer and cache, and Celery tasks
executed inline (`make run` and the test suite always provide a Redis, so this is only for a quick
`manage.py runserver`).
"""

from __future__ import annotations

from sora_site.env import check_redis_url, env_str

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    check_redis_url(REDIS_URL)
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env_str("CHANNELS_PREFIX", "asgi")},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache backs the rate limits (API keys, the verify page) and the feed's candidate pools: Redis when
# there is one, so every process counts together, riding out an outage (sora_site/cache.py), and never
# waiting more than a second for an answer; else local memory.
CACHES = {
    "default": {
        "BACKEND": "sora_site.cache.OutageTolerantRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
