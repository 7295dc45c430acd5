from celery import Task, shared_task

from generation import worker
from generation.api import services as api_services
from generation.api.webhooks import delivery_attempt


@shared_task(acks_late=True, reject_on_worker_lost=True)
def gpu_generate(job_id: int) -> None:
    """Routed to the `gpu` queue (CELERY_TASK_ROUTES). Idempotent: a duplicate delivery is a no-op."""
    worker.job_execute(job_id)


@shared_task
def jobs_requeue_stalled() -> dict[str, int]:
    return worker.jobs_requeue_stalled()


@shared_task
def videos_delete_expired() -> int:
    """Hourly (beat): finished videos past VIDEO_RETENTION_DAYS."""
    return api_services.videos_delete_expired()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def webhook_deliver(self: Task, delivery_id: int) -> None:
    """One attempt; a failed one is retried with doubling delays until WEBHOOK_MAX_ATTEMPTS."""
    retry_in = delivery_attempt(delivery_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)
