"""Posts straight in the database, for tests and benchmarks that rank or count but never play them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from feed.models import Post, User


def post_make(author: User, caption: str = "", *, prompt: str = "", hours_ago: float = 0, **fields: object) -> Post:
    return Post.objects.create(
        author=author,
        video=f"posts/test-{author.pk}-{caption[:20].replace(' ', '-')}.mp4",
        caption=caption,
        prompt=prompt or caption,
        created_at=timezone.now() - dt.timedelta(hours=hours_ago),
        **fields,
    )
