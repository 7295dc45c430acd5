"""`make run` (scripts/run_local.py) as a user meets it: it says when it is up, refuses a taken port
before anything else, and a closed terminal (SIGHUP) or a SIGTERM stops every process it started."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

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
            DATABASE_URL=f"sqlite:///{var_dir / 'db.sqlite3'}",
            HF_HUB_OFFLINE="1",
            PYTHONUNBUFFERED="1",
        )
        self.port = port
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
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One VAR_DIR for the module: the second start finds the database migrated and the demo seeded."""
    return tmp_path_factory.mktemp("run-local-var")


@pytest.fixture
def started(var_dir: Path) -> Iterator[RunLocal]:
    run = RunLocal(var_dir, free_port())
    try:
        if not run.wait_for_line(URL_LINE, timeout=240):
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

    os.kill(started.process.pid, signum)
    started.process.wait(timeout=60)

    assert started.process.returncode == 0, started.transcript()
    deadline = time.monotonic() + 10
    while not all(gone(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [" ".join(child.cmdline()) for child in children if not gone(child)]
    assert not alive, f"still running after {signal.Signals(signum).name}: {alive}"
    assert port_is_free(started.port)


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
    assert not (tmp_path / "db.sqlite3").exists()
