"""The index follows the text it holds (connected in feed/wiring.py): a post saved (published, its
caption edited) and a profile saved (handle, display name) are indexed again, in the same transaction."""

from __future__ import annotations

from typing import Any

from feed.accounts.models import User
from feed.posts.models import Post
from feed.search.services import people_index, posts_index


def on_post_saved(sender: type[Post], *, instance: Post, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        posts_index([instance])


def on_user_saved(sender: type[User], *, instance: User, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        people_index([instance])
