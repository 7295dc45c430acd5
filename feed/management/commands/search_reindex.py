"""Index every post and person for search again (after posts written in bulk, or a change to how
`feed.search.text` makes terms). In batches, so memory stays flat at any size."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from feed.search.services import search_reindex


class Command(BaseCommand):
    help = "Index every post and person for search again."

    def handle(self, *args: Any, **options: Any) -> None:
        posts, people = search_reindex()
        self.stdout.write(f"{posts} posts and {people} people indexed")
