"""Index every post and person for search again (after posts written in bulk, or a change to how
`feed.search.text` makes terms). In batches, so memory stays flat at any size."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from feed.accounts.models import User
from feed.posts.models import Post
from feed.search.services import people_index, posts_index

BATCH = 1000


class Command(BaseCommand):
    help = "Index every post and person for search again."

    def handle(self, *args: Any, **options: Any) -> None:
        for model, index in ((Post, posts_index), (User, people_index)):
            last, done = 0, 0
            while True:
                batch = list(model.objects.filter(pk__gt=last).order_by("pk")[:BATCH])  # type: ignore[attr-defined]
                if not batch:
                    break
                index(batch)
                last, done = batch[-1].pk, done + len(batch)
            self.stdout.write(f"{model.__name__}: {done} indexed")
