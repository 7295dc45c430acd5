"""`make run` (scripts/run_local.py) as a user meets it, with no DATABASE_URL or REDIS_URL: it starts
the embedded PostgreSQL and Redis, says when it is up, accepts a Japanese prompt on the web and the
API, refuses a taken port before anything else, and a closed terminal (SIGHUP) or a SIGTERM stops
every process it started, PostgreSQL last; a PostgreSQL left by a killed run is recovered."""

from __future__ import annotations

import html
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "run_local.py"
URL_LINE = "OpenReel is running at"
# What the test settings put into the environment; `make run` must find its own.
NOT_INHERITED = ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "CHANNELS_PREFIX", "DATABASE_URL", "VAR_DIR", "PORT", "HOST")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class RunLocal:
    """scripts/run_local.py in its own session, its output read on a thread (a full pipe would stall it)."""

    def __init__(self, var_dir: Path, port: int) -> None:
        env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
        env.update(
            PORT=str(port),
            VAR_DIR=str(var_dir),
            HF_HUB_OFFLINE="1",
            PYTHONUNBUFFERED="1",
            WORKER_MODELS_WARM="1",  # as a user's run does (the suite's own workers skip it)
        )
        self.port = port
        self.var_dir = var_dir
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, str(SCRIPT)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for_line(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                return False
            self.output.append(line)
            if text in line:
                return True
        return False

    def transcript(self) -> str:
        while not self.lines.empty():
            line = self.lines.get()
            if line is not None:
                self.output.append(line)
        return "".join(self.output)

    def descendants(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)

    def kill_everything(self) -> None:
        """Test cleanup only: whatever the script failed to stop."""
        for process in [*self.descendants(), psutil.Process(self.process.pid)] if self.process.poll() is None else []:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass


def gone(process: psutil.Process) -> bool:
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.fixture(scope="module")
def var_dir() -> Iterator[Path]:
    """One VAR_DIR for the module: the second start finds the database migrated and the demo seeded.
    Not under pytest's tmp_path, which is private (0700): as root the embedded PostgreSQL runs as
    `nobody`, who must be able to reach its data directory, as in a checkout."""
    path = Path(tempfile.mkdtemp(prefix="run-local-var-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def started(var_dir: Path) -> Iterator[RunLocal]:
    run = RunLocal(var_dir, free_port())
    try:
        if not run.wait_for_line(URL_LINE, timeout=480):  # seeding, then the worker loading its models
            pytest.fail(f"no URL line; output:\n{run.transcript()}")
        yield run
    finally:
        run.kill_everything()


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_a_stop_signal_stops_every_process_it_started(started: RunLocal, signum: int) -> None:
    # The URL is printed only once the web server answers.
    with socket.create_connection(("127.0.0.1", started.port), timeout=5):
        pass
    children = started.descendants()
    names = " ".join(" ".join(child.cmdline()) for child in children)
    assert "redis-server" in names and "daphne" in names and " worker " in names and " beat " in names, names
    assert f"bin/postgres -D {started.var_dir / 'postgres'}" in names, names

    os.kill(started.process.pid, signum)
    started.process.wait(timeout=60)

    assert started.process.returncode == 0, started.transcript()
    deadline = time.monotonic() + 10
    while not all(gone(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [" ".join(child.cmdline()) for child in children if not gone(child)]
    assert not alive, f"still running after {signal.Signals(signum).name}: {alive}"
    assert port_is_free(started.port)


def test_a_second_start_skips_the_set_up_and_answers_before_the_worker_is_ready(var_dir: Path) -> None:
    """The set-up process (migrate, keys, public figures, demo data) runs once: its stamp in VAR_DIR tells
    the next start that nothing changed, and that start answers without a Django process of set-up."""
    for attempt in ("first", "second"):
        run = RunLocal(var_dir, free_port())
        try:
            assert run.wait_for_line(URL_LINE, timeout=480), run.transcript()
            said = run.transcript()
            with socket.create_connection(("127.0.0.1", run.port), timeout=5):
                pass
            os.kill(run.process.pid, signal.SIGTERM)
            run.process.wait(timeout=60)
        finally:
            run.kill_everything()
        assert (var_dir / "setup-stamp.json").exists()
        if attempt == "second":
            assert "==> set-up: nothing to do" in said, said
            assert "==> set-up (one Django process)" not in said


def test_a_taken_port_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = RunLocal(tmp_path, port)
        try:
            run.process.wait(timeout=30)
        finally:
            run.kill_everything()
    output = run.transcript()
    assert run.process.returncode != 0
    assert f"port {port} is in use: is another `make run` still running? set PORT=... to use another" in output
    assert URL_LINE not in output
    assert not (tmp_path / "postgres").exists()


JAPANESE_PROMPT = "夕暮れの海辺で犬が走り、少女が「こんにちは、また明日」と言う"


def signed_in(run: RunLocal, handle: str) -> requests.Session:
    session = requests.Session()
    login = f"http://127.0.0.1:{run.port}/login/"
    session.get(login, timeout=30)
    password = (run.var_dir / "demo_password").read_text().strip()
    form = {"username": handle, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]}
    answer = session.post(login, form, timeout=30)
    assert answer.ok and "sessionid" in session.cookies, answer.text[:500]
    return session


def test_the_default_install_accepts_a_japanese_prompt_on_the_web_and_the_api(started: RunLocal) -> None:
    """The default install used to answer every Japanese prompt with a bare 500: SQLite had no NORMALIZE
    for the cameo-name matching (cameos/selectors.py). It runs on the embedded PostgreSQL now."""
    assert started.wait_for_line("Log in as", timeout=30)  # the line after the URL
    said = started.transcript()
    url_at = said.index(URL_LINE)
    assert re.search(r"Log in as alice, bob, charlie or mod, password demo-\S+", said[url_at:])
    # The URL as soon as the web answers; the worker's models load meanwhile, and a line says when they are.
    assert started.wait_for_line("The worker is ready", timeout=300)
    said = started.transcript()
    assert said.index(URL_LINE) < said.index("models loaded in") < said.index("The worker is ready")
    # Warnings nobody at this terminal can act on: Redis's (it never forks to save), Celery's about root.
    assert "overcommit" not in said and "superuser privileges" not in said
    base = f"http://127.0.0.1:{started.port}"
    web = signed_in(started, "alice")
    created = web.post(
        f"{base}/create/",
        {"prompt": JAPANESE_PROMPT, "model": "sora-2", "size": "1280x720", "seconds": "4",
         "csrfmiddlewaretoken": web.cookies["csrftoken"]},
        allow_redirects=False, timeout=60,
    )  # fmt: skip
    assert created.status_code == 302 and created.headers["Location"].endswith("/drafts/"), created.text[:2000]
    assert html.escape(JAPANESE_PROMPT) in web.get(f"{base}/drafts/", timeout=30).text

    keys_page = web.post(
        f"{base}/settings/api-keys/", {"name": "test", "csrfmiddlewaretoken": web.cookies["csrftoken"]}, timeout=30
    )
    found = re.search(r'data-testid="new-key-value">([^<]+)<', keys_page.text)
    assert found, keys_page.text[:2000]
    api = {"Authorization": f"Bearer {html.unescape(found.group(1))}"}
    answer = requests.post(
        f"{base}/v1/videos", json={"prompt": JAPANESE_PROMPT, "seconds": "4"}, headers=api, timeout=60
    )
    assert answer.status_code == 200, answer.text[:2000]
    video = answer.json()
    assert video["status"] in {"queued", "in_progress"} and video["prompt"] == JAPANESE_PROMPT

    deadline = time.monotonic() + 180  # the preview renderer on the run's own worker
    while video["status"] not in {"completed", "failed"} and time.monotonic() < deadline:
        time.sleep(1)
        video = requests.get(f"{base}/v1/videos/{video['id']}", headers=api, timeout=30).json()
    assert video["status"] == "completed", video
    content = requests.get(f"{base}/v1/videos/{video['id']}/content", headers=api, timeout=60)
    assert content.status_code == 200 and content.content[4:8] == b"ftyp", content.headers
