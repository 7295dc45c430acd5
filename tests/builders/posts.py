"""Posts straight in the database, for tests and benchmarks that rank or count but never play them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from feed.models import Post, User
from feed.posts.services import post_publish, post_publish_check
from generation.models import GenerationJob


def post_make(author: User, caption: str = "", *, prompt: str = "", hours_ago: float = 0, **fields: object) -> Post:
    return Post.objects.create(
        author=author,
        video=f"posts/test-{author.pk}-{caption[:20].replace(' ', '-')}.mp4",
        caption=caption,
        prompt=prompt or caption,
        created_at=timezone.now() - dt.timedelta(hours=hours_ago),
        **fields,
    )


def post_published(
    *, job: GenerationJob, by: User, caption: str = "", visibility: str = "public", show_prompt: bool = True
) -> Post:
    """`post_publish`, then the publish stage's check as its Celery task runs it after the commit."""
    post = post_publish(job=job, by=by, caption=caption, visibility=visibility, show_prompt=show_prompt)
    checked = post_publish_check(post_id=post.pk)
    assert checked is not None
    return checked
