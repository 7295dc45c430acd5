"""Queueing a job for the GPU worker, by its task's name (`sora_site.celery.task_enqueue`).

Both the services (a new job, a retry) and the worker's watchdog (a stalled job) queue jobs, and
`generation.tasks` runs the worker, so neither imports it.
"""

from __future__ import annotations

from sora_site.celery import task_enqueue

GPU_GENERATE = "generation.tasks.gpu_generate"  # the registered name: part of the deployed contract


def job_enqueue(job_id: int) -> None:
    """Queue the job (routed to the `gpu` queue by CELERY_TASK_ROUTES; run at once in eager mode)."""
    task_enqueue(GPU_GENERATE, job_id)
