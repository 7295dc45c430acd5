from celery import shared_task

from generation import worker


@shared_task(acks_late=True, reject_on_worker_lost=True)
def gpu_generate(job_id: int) -> None:
    """Routed to the `gpu` queue (CELERY_TASK_ROUTES). Idempotent: a duplicate delivery is a no-op."""
    worker.job_execute(job_id)


@shared_task
def jobs_requeue_stalled() -> dict[str, int]:
    return worker.jobs_requeue_stalled()
