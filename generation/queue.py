"""Queueing a job for the GPU worker, by its task's name (`sora_site.celery.task_enqueue`).

Both the services (a new job, a retry) and the worker's watchdog (a stalled job) queue jobs, and
`generation.tasks` runs the worker, so neither imports it.
"""

from __future__ import annotations

import logging

from kombu.exceptions import OperationalError

from sora_site.celery import task_enqueue

log = logging.getLogger(__name__)

GPU_GENERATE = "generation.tasks.gpu_generate"  # the registered name: part of the deployed contract


def job_enqueue(job_id: int) -> None:
    """Queue the job (routed to the `gpu` queue by CELERY_TASK_ROUTES; run at once in eager mode).

    Called after the job's row is committed: when the broker is unreachable the job stays queued and
    the watchdog sends it once the broker is back (`worker.jobs_resend_lost`), so the person who made it
    gets their draft instead of an error."""
    try:
        task_enqueue(GPU_GENERATE, job_id)
    except OperationalError as error:
        log.warning("job %s not sent, the broker is unreachable (the watchdog sends it later): %s", job_id, error)
