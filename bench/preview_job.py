"""Time a whole preview job as the worker runs it, phase by phase, in wall and CPU seconds.

Loads the worker's models (settings.WORKER_MODELS) as a worker process does at start, creates a user,
then queues and runs --jobs 4 s text jobs (`services.job_create`, then `worker.job_execute`, the Celery
task's body) one after the other, with the prompts `bench/first_minute.py` types. For each job it prints
the per-phase wall seconds the job row keeps, the CPU seconds of the thread that ran each phase (the
frames stage runs on the job's thread beside the finishing thread: see generation/finishing.py), and the
process CPU seconds of the whole job (every thread, x264's and ONNX runtime's included). Needs a migrated
database (DATABASE_URL) and Redis; it creates a user `bench-job` there. Usage:

    .venv/bin/python bench/preview_job.py [--jobs 4]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")

sys.path.insert(0, str(Path(__file__).resolve().parent))

import django
from first_minute import PROMPTS  # the prompts the first-minute bench types, so the two time the same jobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=4)
    args = parser.parse_args()
    django.setup()

    from django.conf import settings

    from feed.models import User
    from generation import finishing, services, worker
    from generation.models import GenerationJob
    from sora_site.loading import models_warm

    cpu: dict[str, float] = {}

    @contextmanager
    def phase(timings: dict[str, float], name: str) -> Iterator[None]:
        started, thread_cpu = time.monotonic(), time.thread_time()
        try:
            yield
        finally:
            timings[name] = round(time.monotonic() - started, 3)
            cpu[name] = time.thread_time() - thread_cpu

    finishing.phase = worker.phase = phase  # the same timer, plus the CPU of the thread it ran on
    warm_started = time.monotonic()
    print(f"models: {models_warm(settings.WORKER_MODELS)} ({time.monotonic() - warm_started:.1f} s)")
    owner, _ = User.objects.get_or_create(username="bench-job", defaults={"email": "bench-job@example.com"})
    owner.language = "en"
    owner.save()
    GenerationJob.objects.filter(owner=owner).delete()  # the daily quota
    rows = []
    for n in range(args.jobs):
        job, _ = services.job_create(owner=owner, prompt=f"{PROMPTS[n % len(PROMPTS)]} (take {n + 1})")
        cpu.clear()
        wall, process_cpu = time.monotonic(), time.process_time()
        worker.job_execute(job.pk)
        wall, process_cpu = time.monotonic() - wall, time.process_time() - process_cpu
        job.refresh_from_db()
        assert job.state == "completed", (job.state, job.error_code)
        rows.append((n + 1, wall, process_cpu, dict(job.timings), dict(cpu)))
    print(f"\nload average before/after: {os.getloadavg()}; {os.cpu_count()} cores")
    names = [name for name in rows[-1][3] if name != "total"]
    print("| job | wall s | process CPU s | " + " | ".join(f"{name} (wall, CPU)" for name in names) + " |")
    print("|---|---:|---:|" + "---|" * len(names))
    for n, wall, process_cpu, timings, thread_cpu in rows:
        cells = " | ".join(f"{timings.get(name, 0):.2f}, {thread_cpu.get(name, 0):.2f}" for name in names)
        print(f"| {n} | {wall:.2f} | {process_cpu:.2f} | {cells} |")


if __name__ == "__main__":
    main()
