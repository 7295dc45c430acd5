"""A worker runs below the web's CPU priority (settings.WORKER_NICENESS): on a host that also serves pages,
a video being rendered takes only the CPU the pages leave (docs/BENCHMARKS.md "Whole app under load").
Real worker processes; the niceness is read from the kernel, as `ps` shows it."""

from __future__ import annotations

import os

import psutil
import pytest

pytestmark = pytest.mark.slow


def niceness_of_worker(start_worker, **environ: str) -> tuple[int, list[int]]:
    """(the worker's main process's niceness, its pool processes'), once it is ready for tasks."""
    worker = start_worker(**environ)
    worker.wait_for_line("ready.", timeout=120)
    main = psutil.Process(worker.process.pid)
    return main.nice(), [child.nice() for child in main.children(recursive=True)]


def test_a_worker_and_its_pool_run_at_a_lower_cpu_priority_than_the_process_that_started_it(
    start_worker,
) -> None:
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    main, pool = niceness_of_worker(start_worker)
    assert main == min(19, ours + 10)
    assert pool and all(nice == main for nice in pool), pool


def test_worker_niceness_0_keeps_the_priority_it_was_started_with(start_worker) -> None:
    main, pool = niceness_of_worker(start_worker, WORKER_NICENESS="0")
    assert main == os.getpriority(os.PRIO_PROCESS, 0)
    assert pool and all(nice == main for nice in pool), pool
