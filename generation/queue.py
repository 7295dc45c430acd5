"""Queueing a job for the GPU worker.

The job's code sends `gpu_generate` by its registered name and never imports `generation.tasks`: that
module runs the worker, and both the services (a new job, a retry) and the worker's watchdog (a stalled
job) queue jobs, so importing it back would tie them in a cycle. `GenerationConfig.ready()` imports the
task module, so the task is registered in every process (web, worker, eager mode without Redis).
"""

from __future__ import annotations

from sora_site.celery import app as celery_app

GPU_GENERATE = "generation.tasks.gpu_generate"  # the registered name: part of the deployed contract


def job_enqueue(job_id: int) -> None:
    """Queue the job (routed to the `gpu` queue by CELERY_TASK_ROUTES; run at once in eager mode)."""
    celery_app.tasks[GPU_GENERATE].delay(job_id)
