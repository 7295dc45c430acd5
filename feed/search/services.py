"""Keeping the search index up to date: a post's terms when it is published or edited, a person's when
their profile changes (connected in feed/wiring.py), and everything again with `manage.py
search_reindex` (posts written in bulk, a change to how terms are made)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model, QuerySet

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


M = TypeVar("M", bound=Model)
BATCH = 1000


def _batches(rows: QuerySet[M]) -> Iterator[list[M]]:
    """`rows` in primary-key order, 1,000 at a time: memory stays flat at any size."""
    last = 0
    while batch := list(rows.filter(pk__gt=last).order_by("pk")[:BATCH]):
        yield batch
        last = batch[-1].pk


def search_reindex(*, only_missing: bool = False) -> tuple[int, int]:
    """Index posts and people again: all of them, or (`only_missing`) those with no index row yet, as
    after an upgrade from before search. Returns how many posts and people were indexed."""
    posts, people = Post.objects.all(), User.objects.all()
    if only_missing:
        posts, people = posts.filter(search__isnull=True), people.filter(search__isnull=True)
    post_count = person_count = 0
    for post_batch in _batches(posts):
        posts_index(post_batch)
        post_count += len(post_batch)
    for person_batch in _batches(people):
        people_index(person_batch)
        person_count += len(person_batch)
    return post_count, person_count
