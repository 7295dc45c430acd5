"""Test settings: production settings, plus a real PostgreSQL and Redis when the environment gives none.

Loaded by pytest-django before anything touches Django, so the database, the Celery app and the
Channels layer are configured against those servers from the start (never in-memory or eager: tests
use the real stack). The embedded PostgreSQL is a throwaway cluster in a temporary directory, removed
when the run ends; worker processes the tests start reach it through the DATABASE_URL set here.
"""

import atexit
import os
import secrets
import shutil
import signal
import tempfile
from pathlib import Path

from sora_site import embedded_postgres, embedded_redis

# Playwright's sync API keeps an event loop in the main thread; Django's ORM guard would trip on it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

if not os.environ.get("DATABASE_URL"):
    _postgres_dir = Path(tempfile.mkdtemp(prefix="postgres-"))
    _postgres_dir.chmod(0o755)  # as root the server runs as `nobody`, who must reach its data directory
    _postgres_process, os.environ["DATABASE_URL"] = embedded_postgres.start(_postgres_dir / "data", throwaway=True)

    @atexit.register
    def _postgres_stop() -> None:
        _postgres_process.send_signal(signal.SIGINT)  # a fast shutdown: the run's connections are closing anyway
        _postgres_process.wait(timeout=30)
        shutil.rmtree(_postgres_dir, ignore_errors=True)


if not os.environ.get("REDIS_URL"):
    _redis_process, os.environ["REDIS_URL"] = embedded_redis.start(Path(tempfile.mkdtemp(prefix="redis-")))
    atexit.register(_redis_process.terminate)

os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="sora-test-var-"))
# What `make run` sets up before anything starts (the settings only read): the key every process of the
# run signs with (Daphne, workers and `manage.py` children inherit it), and the static root (below).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
os.environ.setdefault("CHANNELS_PREFIX", f"test{os.getpid()}")
# Each test builds its own posts: the feed's shared matrix of recent post vectors must not outlive one.
os.environ.setdefault("FEED_SIMILAR_REFRESH_SECONDS", "0")
os.environ.setdefault("FEED_POOL_SECONDS", "0")  # and so must the shared candidate pools
# The suite starts many short-lived Celery workers;
# warming is tested on its own (tests/feed/ranking/test_feed_scale.py).
os.environ.setdefault("TEXT_EMBEDDINGS_WARM", "0")
os.environ.setdefault("WORKER_MODELS_WARM", "0")  # likewise the models a worker loads at start (tested on its own)
# The suite's workers keep the test run's priority: niced below every other session on a busy machine,
# their jobs would outlast the tests' waits (tests/platform/test_worker_priority.py sets it).
os.environ.setdefault("WORKER_NICENESS", "0")

from sora_site.settings import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (WhiteNoise warns on a missing one)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; argon2 is tested on its own
# The suite signs up many accounts from one address; the sign-up limit is tested on its own.
SIGNUP_PER_HOUR = 1_000_000
FIGURE_REQUESTS_PER_HOUR = 1_000_000  # likewise the public form to join the public-figure registry
