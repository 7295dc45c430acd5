"""sora_site.db.AnyOf: the same rows as `__in`, one array parameter on PostgreSQL."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from feed.models import Post, User
from sora_site.db import AnyOf
from tests.builders.posts import post_make


def test_any_of_matches_what_in_matches(alice: User, bob: User) -> None:
    posts = [post_make(author, f"post {i}") for i, author in enumerate([alice, bob, alice, bob])]
    chosen = {posts[0].pk, posts[3].pk}
    with CaptureQueriesContext(connection) as queries:
        found = set(Post.objects.filter(AnyOf("pk", chosen)).values_list("pk", flat=True))
    assert found == chosen
    assert "= ANY(" in queries.captured_queries[0]["sql"]
    kept = set(Post.objects.exclude(AnyOf("author_id", {alice.pk})).values_list("pk", flat=True))
    assert kept == {posts[1].pk, posts[3].pk}


def test_any_of_nothing_matches_nothing_and_excludes_nothing(alice: User) -> None:
    post = post_make(alice, "only")
    assert not Post.objects.filter(AnyOf("pk", [])).exists()
    assert list(Post.objects.exclude(AnyOf("pk", set())).values_list("pk", flat=True)) == [post.pk]
