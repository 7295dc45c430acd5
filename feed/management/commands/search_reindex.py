"""Index every post and person for search again (after posts written in bulk, or a change to how
`feed.search.text` makes terms). In batches, so memory stays flat at any size."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from django.core.management.base import BaseCommand
from django.db.models import Model, QuerySet

from feed.accounts.models import User
from feed.posts.models import Post
from feed.search.services import people_index, posts_index

BATCH = 1000
M = TypeVar("M", bound=Model)


def _batches(rows: QuerySet[M]) -> Iterator[list[M]]:
    last = 0
    while batch := list(rows.filter(pk__gt=last).order_by("pk")[:BATCH]):
        yield batch
        last = batch[-1].pk


class Command(BaseCommand):
    help = "Index every post and person for search again."

    def handle(self, *args: Any, **options: Any) -> None:
        posts = people = 0
        for post_batch in _batches(Post.objects.all()):
            posts_index(post_batch)
            posts += len(post_batch)
        for person_batch in _batches(User.objects.all()):
            people_index(person_batch)
            people += len(person_batch)
        self.stdout.write(f"{posts} posts and {people} people indexed")
