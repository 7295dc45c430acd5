"""The embedded PostgreSQL (sora_site/embedded_postgres.py) over its life: first start, data kept by
the next one, one start per data directory at a time, and recovery from a run killed with SIGKILL (its
server left running) or from a postmaster.pid whose process id now belongs to another program.

Each start runs in its own process, as `make run` does: the lock it takes lasts as long as that process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest

from sora_site import embedded_postgres

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
HOLDER = (
    "import signal, sys; from pathlib import Path; from sora_site import embedded_postgres\n"
    "try:\n"
    "    process, url = embedded_postgres.start(Path(sys.argv[1]))\n"
    "except embedded_postgres.EmbeddedPostgresError as error:\n"
    "    print('refused:', error, flush=True); sys.exit(3)\n"
    "print(process.pid, url, flush=True)\n"
    "sys.stdin.read()\n"  # holds the lock until told to stop (stdin closed) or killed
    "process.send_signal(signal.SIGINT); process.wait()\n"  # what run_local does: a fast shutdown
)


class Holder:
    """A process that started the server and holds it, as scripts/run_local.py does."""

    def __init__(self, data_dir: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(data_dir)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.first_line = self.process.stdout.readline().strip()

    @property
    def server(self) -> psutil.Process:
        return psutil.Process(int(self.first_line.split()[0]))

    @property
    def url(self) -> str:
        return self.first_line.split()[1]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.communicate(timeout=60)


def gone(process: psutil.Process) -> bool:
    """Ended: a zombie too (after its parent was killed, nobody here reaps it)."""
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Not pytest's tmp_path: its parent is private (0700), and as root the server runs as `nobody`.
    parent = Path(tempfile.mkdtemp(prefix="embedded-postgres-"))
    parent.chmod(0o755)
    yield parent / "postgres"
    for process in psutil.process_iter(["cmdline"]):  # whatever a failing test left running
        if str(parent) in " ".join(process.info["cmdline"] or []):
            process.kill()
    shutil.rmtree(parent, ignore_errors=True)


def test_data_is_kept_and_a_second_start_on_the_same_directory_is_refused(data_dir: Path) -> None:
    first = Holder(data_dir)
    try:
        with psycopg.connect(first.url, autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (note text)")
            conn.execute("INSERT INTO kept VALUES ('「こんにちは」')")
            row = conn.execute(
                "SELECT normalize('ｺﾝﾆﾁﾊ', NFKC), default_version FROM pg_available_extensions WHERE name = 'vector'"
            ).fetchone()
        assert row is not None and row[0] == "コンニチハ" and row[1] >= "0.8"
        second = Holder(data_dir)
        second.process.wait(timeout=30)
        assert second.process.returncode == 3
        assert second.first_line.startswith("refused: another `make run` is using the database in")
    finally:
        first.stop()
    assert not (data_dir / "postmaster.pid").exists(), "a clean shutdown"

    again = Holder(data_dir)
    try:
        with psycopg.connect(again.url) as conn:
            assert conn.execute("SELECT note FROM kept").fetchone() == ("「こんにちは」",)
    finally:
        again.stop()


def test_a_killed_run_and_a_killed_server_do_not_block_the_next_start(data_dir: Path) -> None:
    killed = Holder(data_dir)
    orphan = killed.server
    killed.process.kill()  # kill -9 of `make run`: its server runs on, with nobody left to stop it
    killed.process.wait(timeout=10)
    assert orphan.is_running()

    recovered = Holder(data_dir)
    try:
        assert recovered.first_line[:1].isdigit(), recovered.first_line
        assert gone(orphan)
        server = recovered.server
        with psycopg.connect(recovered.url) as conn:
            conn.execute("SELECT 1")
    finally:
        recovered.process.kill()
        recovered.process.wait(timeout=10)
    server.kill()  # kill -9 of the server itself: postmaster.pid stays behind
    server.wait(timeout=10)
    assert (data_dir / "postmaster.pid").exists()

    after_crash = Holder(data_dir)
    try:
        with psycopg.connect(after_crash.url) as conn:
            conn.execute("SELECT 1")
    finally:
        after_crash.stop()


def test_a_postmaster_pid_naming_another_live_process_is_stale(data_dir: Path) -> None:
    Holder(data_dir).stop()
    # A process of the server's own account with the id the file names, as after a reboot reuses ids:
    # PostgreSQL alone would refuse to start ("Is another postmaster running?").
    account = embedded_postgres._server_account()
    ids = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []} if account else {}
    stranger = subprocess.Popen(["sleep", "120"], **ids)
    try:
        (data_dir / "postmaster.pid").write_text(f"{stranger.pid}\n{data_dir}\n0\n5432\n{data_dir}\n\n0 0\nready\n")
        if account:
            os.chown(data_dir / "postmaster.pid", account.pw_uid, account.pw_gid)
        started = Holder(data_dir)
        try:
            with psycopg.connect(started.url) as conn:
                conn.execute("SELECT 1")
        finally:
            started.stop()
    finally:
        stranger.kill()
        stranger.wait()
