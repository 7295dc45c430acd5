"""Database connections under the real ASGI server stay within the pool (settings.DATABASE_POOL_SIZE).

Daphne runs each request's sync code on a thread of its own; with persistent per-thread connections
(CONN_MAX_AGE) every such thread left a connection open, and ordinary browsing held all of the
server's connections within minutes (then every page was a 500)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle, islice

import psycopg
import pytest
import requests
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.db import connection
from django.test import Client

from feed.models import User
from tests.builders.posts import post_published
from tests.platform import slow_urls
from tests.platform.test_media_access import finished_job

pytestmark = pytest.mark.slow

REQUESTS = 300
CONCURRENT = 60


def observer() -> psycopg.Connection:
    """A connection of its own to the test database, outside Django's pool (which may open spares)."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"], autocommit=True
    )


def clients(observing: psycopg.Connection) -> set[int]:
    """The backends serving clients of the test database (not autovacuum, which shows up there too)."""
    rows = observing.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'"
    )
    return {pid for (pid,) in rows.fetchall()}


def test_hundreds_of_concurrent_pages_and_video_ranges_hold_at_most_the_pool(
    live_server_url: str, alice: User, bob: User
) -> None:
    job = finished_job(alice)
    post = post_published(job=job, by=alice, caption="harbour", visibility="public")
    client = Client()
    client.force_login(bob)
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    video = f"{live_server_url}{job.video.url}"
    kinds = [
        (f"{live_server_url}/", {}),
        (f"{live_server_url}/p/{post.pk}/", {}),
        (video, {"Range": "bytes=0-1023"}),
        (video, {"Range": "bytes=1024-"}),
        (video, {}),
    ]

    def fetch(target: tuple[str, dict[str, str]]) -> int:
        url, headers = target
        return requests.get(url, headers=headers, cookies=cookies, timeout=60).status_code

    observing = observer()
    ours = clients(observing)  # this process's connections, before the server has had a request
    most = 0
    loading = threading.Event()
    loading.set()

    def sample() -> None:
        nonlocal most
        while loading.is_set():
            most = max(most, len(clients(observing) - ours))

    # A first home page loads what the server loads at start outside the tests (the text encoder):
    # the load under test is the steady state.
    assert [fetch(kind) for kind in kinds] == [200, 200, 206, 206, 200]
    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with ThreadPoolExecutor(CONCURRENT) as pool:
            statuses = list(pool.map(fetch, islice(cycle(kinds), REQUESTS)))
    finally:
        loading.clear()
        sampler.join()

    assert set(statuses) <= {200, 206}, sorted(set(statuses))
    assert 0 < most <= settings.DATABASE_POOL_SIZE, most
    assert len(clients(observing) - ours) <= settings.DATABASE_POOL_SIZE
    assert requests.get(f"{live_server_url}/", cookies=cookies, timeout=30).status_code == 200
    observing.close()


def checked_out() -> int:
    stats = connection.pool.get_stats()
    return stats["pool_size"] - stats["pool_available"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("tests.platform.slow_urls")
def test_a_request_the_server_gives_up_on_still_returns_its_connection() -> None:
    """What Daphne does past its application close timeout: the application is cancelled while the
    view's thread still works. The thread's connection must go back to the pool when it is done."""
    application = get_asgi_application()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/busy/",
        "raw_path": b"/busy/",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }

    async def given_up_on() -> None:
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        await asyncio.sleep(slow_urls.WORK_S / 3)  # the view holds its connection now
        communicator.future.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await communicator.future

    User.objects.count()  # this thread's own connection, out of the pool before and after
    before = checked_out()
    asyncio.run(given_up_on())
    deadline = time.monotonic() + 10
    while checked_out() > before and time.monotonic() < deadline:
        time.sleep(0.05)  # the view's thread finishing its work
    assert checked_out() == before
