"""Keeping the search index up to date: a post's terms when it is published or edited, a person's when
their profile changes (connected in feed/wiring.py), and everything again with `manage.py
search_reindex` (posts written in bulk, a change to how terms are made)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from feed.accounts.models import User
from feed.posts.models import Post
from feed.search.models import Hashtag, PersonSearch, PostSearch
from feed.search.text import hashtags, search_terms

_WEIGHTED = "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B')"


def _vector_upsert(table: str, key: str, rows: Sequence[Sequence[object]], *, tags: bool = False) -> None:
    """One statement per batch. Each row: its key, the terms of weight A, of weight B (joined by spaces,
    which 'simple' splits back apart) and, with `tags`, its #tags."""
    if not rows:
        return
    row = f"(%s, {_WEIGHTED}{', %s' if tags else ''})"
    columns = f"{key}, document, tags" if tags else f"{key}, document"
    update = "document = EXCLUDED.document" + (", tags = EXCLUDED.tags" if tags else "")
    values = ", ".join([row] * len(rows))
    sql = f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT ({key}) DO UPDATE SET {update}"
    with connection.cursor() as cursor:
        params: list[Any] = [value for row_values in rows for value in row_values]
        cursor.execute(sql, params)


def posts_index(posts: Iterable[Post]) -> None:
    """(Re)index posts: caption and #tags always, the prompt only when its author shows it."""
    rows: list[tuple[int, str, str, list[str]]] = []
    tags: set[str] = set()
    for post in posts:
        post_tags = hashtags(post.caption)
        tags.update(post_tags)
        prompt = post.prompt if post.show_prompt else ""
        rows.append((post.pk, " ".join(search_terms(post.caption)), " ".join(search_terms(prompt)), post_tags))
    _vector_upsert(PostSearch._meta.db_table, "post_id", rows, tags=True)
    if tags:
        Hashtag.objects.bulk_create([Hashtag(name=tag) for tag in tags], ignore_conflicts=True)


def people_index(people: Iterable[User]) -> None:
    rows = [
        (person.pk, " ".join(search_terms(person.username)), " ".join(search_terms(person.display_name)))
        for person in people
    ]
    _vector_upsert(PersonSearch._meta.db_table, "user_id", rows)
