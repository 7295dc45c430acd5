"""Liveness (/healthz) and readiness (/readyz) for load balancers and process supervisors.

Liveness only says the process answers. Readiness checks each thing a request or a queued job needs:
the database, Redis (cache, channel layer, rate limits), media storage and the Celery broker, each
with a short timeout of its own (a probe must answer before the balancer gives up on it), and answers
503 naming the ones that failed. Neither needs a session or a signed-in person, and neither touches
the connection pool: with the database down the pool would hold a request for DATABASE_POOL_TIMEOUT.
What a failure says (a client library's error names internal hosts and ports) goes to the log, and into
the answer only for a caller that may read /metrics (`scraper_allowed`): anyone may ask whether the
site is ready, not where its database lives.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from sora_site.metrics import scraper_allowed

log = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 2  # per dependency
# A name no upload can take (stored names have a folder and a random part): a HEAD on S3, a stat locally.
_STORAGE_PROBE = "readyz-probe"


def _database() -> str:
    db = settings.DATABASES["default"]
    libpq_options = {key: value for key, value in db["OPTIONS"].items() if key != "pool"}  # sslmode, ...
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        connect_timeout=CHECK_TIMEOUT_S,
        **libpq_options,
    ) as conn:
        conn.execute("SELECT 1")
    return "ok"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"  # one process, in-memory cache and channel layer (settings/redis.py)
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=CHECK_TIMEOUT_S, socket_timeout=CHECK_TIMEOUT_S
    )
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _storage() -> str:
    if settings.MEDIA_STORAGE == "local":
        # The storage makes MEDIA_ROOT's folders as it saves; the nearest one that exists must take them.
        folder = Path(settings.MEDIA_ROOT)
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise OSError(f"media root {settings.MEDIA_ROOT} cannot be written ({folder} is not a writable folder)")
        return "ok"
    default_storage.exists(_STORAGE_PROBE)  # a HEAD request: raises when S3 cannot be reached or refuses us
    return "ok"


def _broker() -> str:
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=CHECK_TIMEOUT_S) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=CHECK_TIMEOUT_S)
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "redis": _redis,
    "storage": _storage,
    "broker": _broker,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every dependency answered, else 503; each one's status and time either way, and why one
    failed to an operator."""
    operator = scraper_allowed(request.META.get("REMOTE_ADDR", ""), request.headers.get("Authorization", ""))
    checks: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            checks[name] = {"status": check()}
        except Exception as error:  # whatever a client library raises, the probe reports it
            log.warning("readiness: %s unreachable: %s", name, error)
            checks[name] = {"status": "failed"}
            if operator:
                checks[name]["error"] = f"{type(error).__name__}: {error}"[:300]
        checks[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    failed = [name for name, result in checks.items() if result["status"] == "failed"]
    body = {"status": "failed" if failed else "ok", "failed": failed, "checks": checks}
    return JsonResponse(body, status=503 if failed else 200)
