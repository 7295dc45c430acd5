"""The search index: a tsvector per post and per person (terms made by `feed.search.text`), the
hashtags in use and which posts carry each. Only text is indexed; who may see what is asked at query
time, so a post taken down, made private or hidden by a block leaves the results at once."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class PostSearch(models.Model):
    """A post's caption (weight A), its #tags and, when its author shows it, its prompt (weight B)."""

    post = models.OneToOneField("feed.Post", primary_key=True, on_delete=models.CASCADE, related_name="search")
    document = SearchVectorField()

    class Meta:
        indexes = [GinIndex(fields=["document"], name="post_search_document")]

    def __str__(self) -> str:
        return f"search terms of post {self.post_id}"


class PersonSearch(models.Model):
    """A person's handle (weight A) and display name (weight B)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="search"
    )
    document = SearchVectorField()

    class Meta:
        indexes = [GinIndex(fields=["document"], name="person_search_document")]

    def __str__(self) -> str:
        return f"search terms of {self.user_id}"


class Hashtag(models.Model):
    """A #tag some caption used (for typeahead by its start: the unique index serves `LIKE 'kit%'`)."""

    name = models.CharField(max_length=50, unique=True)

    def __str__(self) -> str:
        return f"#{self.name}"


class PostTag(models.Model):
    """A #tag a post's caption carries: one row each, keyed (tag, post), so a tag's posts newest first
    (its page, its count in the typeahead) are one backward range of the key."""

    pk = models.CompositePrimaryKey("tag", "post")
    tag = models.CharField(max_length=50)
    post = models.ForeignKey("feed.Post", on_delete=models.CASCADE, related_name="tag_rows")

    def __str__(self) -> str:
        return f"#{self.tag} on post {self.post_id}"
