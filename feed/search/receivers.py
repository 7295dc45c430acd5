"""The index follows the text it holds (connected in feed/wiring.py): a post saved (published, its
caption edited) and a profile saved (handle, display name) are indexed again, in the same transaction."""

from __future__ import annotations

from typing import Any

from feed.accounts.models import User
from feed.posts.models import Post
from feed.search.services import people_index, posts_index, search_reindex

_POST_TEXT = {"caption", "prompt", "show_prompt"}
_PERSON_TEXT = {"username", "display_name"}


def on_post_saved(
    sender: type[Post], *, instance: Post, raw: bool = False, update_fields: frozenset[str] | None = None, **kwargs: Any
) -> None:
    if not raw and (update_fields is None or update_fields & _POST_TEXT):
        posts_index([instance])


def on_user_saved(
    sender: type[User], *, instance: User, raw: bool = False, update_fields: frozenset[str] | None = None, **kwargs: Any
) -> None:
    """Not for a save of other fields only (a login's `last_login`)."""
    if not raw and (update_fields is None or update_fields & _PERSON_TEXT):
        people_index([instance])


def on_migrated(sender: Any, **kwargs: Any) -> None:
    """After `migrate`: index what has no index row yet (posts and people from before search). Done
    here, with the code of this release, and not in a migration: a migration that called today's
    indexing would break on a database that migrates through it to a later schema."""
    search_reindex(only_missing=True)
