"""Generation's Celery tasks: thin, by job id. Nothing in generation imports this module (jobs are
queued by name, `generation.queue`); `GenerationConfig.ready()` imports it to register the tasks."""

from celery import shared_task

from generation import retention, worker
from sora_site.logs import log_context


@shared_task(acks_late=True, reject_on_worker_lost=True)
def gpu_generate(job_id: int) -> None:
    """Routed to the `gpu` queue (CELERY_TASK_ROUTES). Idempotent: a duplicate delivery is a no-op."""
    with log_context(job_id=job_id):
        worker.job_execute(job_id)


@shared_task
def jobs_requeue_stalled() -> dict[str, int]:
    """The watchdog (beat): stalled jobs back to the queue, and queued jobs the broker lost sent again."""
    return {**worker.jobs_requeue_stalled(), "resent": worker.jobs_resend_lost()}


@shared_task
def videos_delete_expired() -> int:
    """Hourly (beat): finished videos past VIDEO_RETENTION_DAYS."""
    return retention.videos_delete_expired()
