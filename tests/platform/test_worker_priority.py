"""A worker runs below the web's CPU priority (settings.WORKER_NICENESS, 10 by default): on a host that also
serves pages, a video being rendered takes only the CPU the pages leave (docs/BENCHMARKS.md "Whole app
under load"). Real worker processes (each leads its own session, as under systemd); the niceness is read
from the kernel, as `ps` shows it, and so is the session's autogroup's, which is what the scheduler
weighs against other sessions. The suite's other workers run with 0 (tests/settings.py)."""

from __future__ import annotations

import os
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow


def niceness_of_worker(start_worker, niceness: str) -> tuple[int, list[int], int | None]:
    """(the worker's main process's niceness, its pool processes', its autogroup's: None without
    autogroups), once it is ready for tasks."""
    worker = start_worker(WORKER_NICENESS=niceness)
    worker.wait_for_line("ready.", timeout=120)
    main = psutil.Process(worker.process.pid)
    autogroup = Path(f"/proc/{main.pid}/autogroup")
    group = int(autogroup.read_text().split("nice")[1]) if autogroup.exists() else None
    return main.nice(), [child.nice() for child in main.children(recursive=True)], group


def test_a_worker_and_its_pool_run_at_a_lower_cpu_priority_than_the_process_that_started_it(
    start_worker,
) -> None:
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    main, pool, group = niceness_of_worker(start_worker, "10")
    assert main == min(19, ours + 10)
    assert pool and all(nice == main for nice in pool), pool
    # A new session starts with autogroup nice 0: the worker raised its own.
    assert group is None or group == 10


def test_worker_niceness_0_keeps_the_priority_it_was_started_with(start_worker) -> None:
    main, pool, group = niceness_of_worker(start_worker, "0")
    assert main == os.getpriority(os.PRIO_PROCESS, 0)
    assert pool and all(nice == main for nice in pool), pool
    assert group is None or group == 0
