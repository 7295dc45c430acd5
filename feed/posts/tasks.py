from celery import shared_task

from feed.posts.services import post_publish_check


@shared_task(acks_late=True, reject_on_worker_lost=True)
def post_publish_check_run(post_id: int) -> None:
    """Moderation's publish stage for a new post (idempotent: a post no longer being checked is left alone)."""
    post_publish_check(post_id=post_id)
