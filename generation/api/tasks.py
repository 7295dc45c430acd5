"""The API's Celery task. Its registered name is the one it had in `generation.tasks` (queued messages
and deployed workers know it by that name)."""

from celery import Task, shared_task

from generation.api.webhooks.delivery import delivery_attempt


@shared_task(
    name="generation.tasks.webhook_deliver", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None
)
def webhook_deliver(self: Task, delivery_id: int) -> None:
    """One attempt; a failed one is retried with doubling delays until WEBHOOK_MAX_ATTEMPTS."""
    retry_in = delivery_attempt(delivery_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)
