from celery import shared_task

from cameos.services import recording


@shared_task(acks_late=True, reject_on_worker_lost=True)
def cameo_verify(cameo_id: int) -> None:
    """Queue `default`. Idempotent: a cameo that is no longer waiting for its check is skipped."""
    recording.cameo_verify(cameo_id=cameo_id)
