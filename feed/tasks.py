from celery import shared_task
from django.core.management import call_command

from feed.posts.models import Post
from feed.ranking import sources
from feed.ranking.embeddings import embeddings_store


@shared_task
def sessions_clear_expired() -> None:
    call_command("clearsessions")


@shared_task
def post_embed(post_id: int) -> None:
    """Embed a new post's prompt and caption for ranking (the feed also embeds missing ones inline)."""
    embeddings_store(Post.objects.filter(pk=post_id))


@shared_task
def feed_pools_refresh() -> None:
    """Remake the shared candidate pools (trending, popular, fresh) so no request waits for them."""
    sources.pools_refresh()
