"""Shared fixtures: personas, a real ASGI server (Daphne) for browser and socket tests, Chromium."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from playwright.sync_api import Page

from feed.accounts.services import user_sign_up
from feed.models import User
from generation.models import GenerationJob
from sora_site.celery import app as celery_app
from sora_site.celery import worker_argv
from sora_site.metrics import queue_names

PASSWORD = "correct-horse-battery-9"
CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


def make_user(username: str, *, age: int = 30, **fields: object) -> User:
    user = user_sign_up(username=username, password=PASSWORD, birth_date=years_ago(age))
    for name, value in fields.items():
        setattr(user, name, value)
    if fields:
        user.save()
    return user


@pytest.fixture(scope="session", autouse=True)
def provenance_keys() -> None:
    """C2PA signing keys for this run (in its temporary VAR_DIR), made by the command `make run` uses."""
    call_command("provenance_keys", verbosity=0)


@pytest.fixture
def alice(db) -> User:
    """Creator and cameo owner."""
    return make_user("alice", display_name="Alice Liddell", bio="I make tiny films.")


@pytest.fixture
def bob(db) -> User:
    """A friend of alice's, the one who gets allowed."""
    return make_user("bob", display_name="Bob")


@pytest.fixture
def charlie(db) -> User:
    """A stranger: whatever is not his must be refused."""
    return make_user("charlie", display_name="Charlie")


@pytest.fixture
def mod(db) -> User:
    """A moderator: sees the queue, decides cases; everyone else is refused there."""
    return make_user("mod", display_name="Moderator", is_moderator=True)


@pytest.fixture
def teen(db) -> User:
    """A 15-year-old: lower quotas, a cameo that reaches mutual followers at most."""
    return make_user("tess", age=15, display_name="Tess")


@pytest.fixture(scope="session")
def astronaut_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A live cameo recording (WebM, head turning left then right, speech) of the face that
    `active_cameo(real_face=True)` registers: the astronaut. Made once per run."""
    from tests.builders.cameo_recordings import live

    return live(tmp_path_factory.mktemp("astronaut_recording"))


@pytest.fixture
def live_server_url(transactional_db) -> Iterator[str]:
    """The real ASGI app (HTTP + WebSockets) in a forked Daphne process, sharing the test database."""
    from asgiref.sync import SyncToAsync
    from channels.routing import get_default_application
    from daphne.testing import DaphneProcess

    server = DaphneProcess("127.0.0.1", get_default_application)
    # The forked server must open its own connections, not share this process's pooled ones.
    connection.close_pool()
    # Nor inherit asgiref's one-thread executor after a socket test here used it: the fork copies the
    # executor but not its thread, so the socket's session lookup (database_sync_to_async) would wait
    # forever. A new one starts its thread when first used, in whichever process uses it.
    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
    server.start()
    if not server.ready.wait(timeout=30):
        server.terminate()
        raise RuntimeError("Daphne did not start")
    try:
        yield f"http://127.0.0.1:{server.port.value}"
    finally:
        server.terminate()
        server.join(timeout=30)  # Daphne stops gracefully on SIGTERM: seconds on a loaded machine
        if server.is_alive():  # never left serving the test database during the next test
            server.kill()
            server.join()


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    """A real S3 API (moto_server) on a free loopback port, for this test only."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
        ],
    }


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], Path]:
    """Save a full-page screenshot under test-artifacts/ (looked at by people reviewing a change)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def database_url_for_test_db() -> str:
    """The test database as a DATABASE_URL, for processes the tests start (a socket directory as `host`)."""
    db = connection.settings_dict
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    if db["HOST"].startswith("/"):
        return f"postgres://{auth}@/{db['NAME']}?host={quote(db['HOST'], safe='/')}"
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class WorkerProcess:
    """A real `celery worker` process on the gpu and default queues, against the test database."""

    def __init__(self, **environ: str) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_test_db(),
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            **environ,
        }
        self.process = subprocess.Popen(
            worker_argv(queues="gpu,default", loglevel="info"),
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []  # its output so far, read on a thread
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_for_line(self, text: str, timeout: float) -> str:
        """The first line of its output holding `text`, waiting for it up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = next((line for line in list(self.lines) if text in line), None)
            if found is not None:
                return found
            time.sleep(0.2)
        raise AssertionError(f"the worker did not say {text!r} in {timeout:.0f} s:\n{''.join(self.lines[-20:])}")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool child), as a crash or OOM kill would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> str:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.reader.join(10)
        return "".join(self.lines)


def queues_purge() -> None:
    """Empty every queue tasks are sent to (`control.purge` empties only the default one, not `gpu`),
    and drop the messages a worker took and never acknowledged. A SIGKILLed worker's message (the
    killed-worker test's, or a worker `stop` had to kill) stays in the broker's `unacked` hash until
    its visibility timeout (30 minutes), when a worker puts it back on its queue; Redis outlives the
    run, and the next run's new test database gives the same ids to other jobs (one made
    `task_args_held` in tests/generation/test_broker_loss.py see a second job's message)."""
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in queue_names():
            channel.queue_purge(queue)
        channel.client.delete(channel.unacked_key, channel.unacked_index_key, channel.unacked_mutex_key)


@pytest.fixture
def start_worker(transactional_db) -> Iterator[Callable[..., WorkerProcess]]:
    queues_purge()  # messages left by other tests would point at rows that no longer exist
    workers: list[WorkerProcess] = []

    def start(**environ: str) -> WorkerProcess:
        """A worker; `environ` adds to (or overrides) its environment."""
        worker = WorkerProcess(**environ)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        output = worker.stop()
        if "Traceback" in output:
            print(output)


def wait_for(job: GenerationJob, predicate: Callable[[GenerationJob], bool], timeout: float = 60) -> GenerationJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if predicate(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting; job is {job.state} at {job.progress}% ({job.error_code})")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API leaves an event loop running in the main thread
    for the rest of the session, and the services' async_to_sync socket pushes refuse to run beside
    it. (pytest-django has already ordered by database use; the sort is stable, so that holds.)"""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
