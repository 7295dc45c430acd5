"""Keeping the search index up to date: a post's terms when it is published or edited, a person's when
their profile changes (connected in feed/wiring.py), and everything again with `manage.py
search_reindex` (posts written in bulk, a change to how terms are made)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from feed.accounts.models import User
from feed.posts.models import Post
from feed.search.models import Hashtag, PersonSearch, PostSearch, PostTag
from feed.search.text import hashtags, search_terms

_WEIGHTED = "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B')"


def _vector_upsert(table: str, key: str, rows: Sequence[Sequence[object]]) -> None:
    """One statement per batch. Each row: its key, the terms of weight A and of weight B (joined by
    spaces, which 'simple' splits back apart)."""
    if not rows:
        return
    values = ", ".join([f"(%s, {_WEIGHTED})"] * len(rows))
    sql = (
        f"INSERT INTO {table} ({key}, document) VALUES {values} "
        f"ON CONFLICT ({key}) DO UPDATE SET document = EXCLUDED.document"
    )
    with connection.cursor() as cursor:
        params: list[Any] = [value for row_values in rows for value in row_values]
        cursor.execute(sql, params)


def posts_index(posts: Iterable[Post]) -> None:
    """(Re)index posts: caption and #tags always, the prompt only when its author shows it. A post's tag
    rows are replaced by its caption's (a tag edited out leaves its page). Posts deleted take theirs
    along (CASCADE)."""
    rows: list[tuple[int, str, str]] = []
    tag_rows: list[PostTag] = []
    for post in posts:
        prompt = post.prompt if post.show_prompt else ""
        rows.append((post.pk, " ".join(search_terms(post.caption)), " ".join(search_terms(prompt))))
        tag_rows += [PostTag(tag=tag, post_id=post.pk) for tag in hashtags(post.caption)]
    _vector_upsert(PostSearch._meta.db_table, "post_id", rows)
    PostTag.objects.filter(post_id__in=[post_id for post_id, _, _ in rows]).exclude(
        pk__in=[(row.tag, row.post_id) for row in tag_rows]
    ).delete()
    if tag_rows:
        PostTag.objects.bulk_create(tag_rows, ignore_conflicts=True)
        Hashtag.objects.bulk_create([Hashtag(name=tag) for tag in {row.tag for row in tag_rows}], ignore_conflicts=True)


def people_index(people: Iterable[User]) -> None:
    rows = [
        (person.pk, " ".join(search_terms(person.username)), " ".join(search_terms(person.display_name)))
        for person in people
    ]
    _vector_upsert(PersonSearch._meta.db_table, "user_id", rows)
