"""Generation's Prometheus metrics: finished jobs and the time of each phase, by model (sora_site/metrics.py
serves them). Observed in the process that ends the job (the gpu worker, or the watchdog's) from
`job_finished`, which generation/wiring.py connects here."""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Histogram

JOB_PHASE_SECONDS = Histogram(
    "sora_job_phase_seconds",
    "Seconds a finished job spent in each phase (generate, each finishing step, total), by model",
    ["phase", "model"],
    buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0),
)
JOBS_FINISHED = Counter(
    "sora_jobs_finished_total", "Jobs that ended, by state, model and error code", ["state", "model", "error_code"]
)


def on_job_finished(job: Any, **kwargs: Any) -> None:
    JOBS_FINISHED.labels(job.state, job.model, job.error_code or "").inc()
    for phase, seconds in (job.timings or {}).items():
        if isinstance(seconds, int | float):
            JOB_PHASE_SECONDS.labels(phase, job.model).observe(seconds)
