"""bench/seed_feed.py --in-database: PostgreSQL makes the feed benchmark's world (people, follows,
posts on the 48 topics, their embeddings in both stored forms, likes, views and the counters), and the
feed's pages read it as they read the ORM seeder's."""

from __future__ import annotations

import datetime
import json

import numpy as np
import pytest
from django.db import connection
from django.db.models import Count, F, Sum
from django.utils import timezone

from bench.seed_feed import PHRASES, PREFIX, seed_in_database
from feed.models import Follow, Impression, Like, Post, PostEmbedding, PostStats, User
from feed.ranking import vector_index
from feed.ranking.cursor import Cursor
from feed.ranking.pipeline import following_page, for_you_page

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_database_seeds_the_world_the_feed_reads() -> None:
    people = seed_in_database(posts=300, users=40, interactions=2000)

    assert len(people) == 40
    assert set(User.objects.filter(username__startswith=PREFIX).values_list("pk", flat=True)) == set(people)
    follows = list(Follow.objects.values_list("follower_id", "followee_id"))
    assert all(a != b for a, b in follows)
    per_person = Follow.objects.values("follower").annotate(n=Count("*")).values_list("n", flat=True)
    assert len(per_person) == 40 and max(per_person) <= 20 and sum(per_person) > 40 * 15

    posts = Post.objects.filter(author__in=people)
    assert posts.count() == 300
    assert set(posts.values_list("caption", flat=True)) <= set(PHRASES)
    assert posts.filter(visibility="public", taken_down_at=None, prompt=F("caption")).count() == 300
    oldest = timezone.now() - datetime.timedelta(days=30)
    assert not posts.filter(created_at__lt=oldest).exists()

    rows = PostEmbedding.objects.filter(post__in=posts)
    assert rows.count() == 300
    vectors = np.stack([np.frombuffer(bytes(row.vector), dtype=np.float32) for row in rows])
    assert vectors.shape == (300, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    if vector_index.column_present():  # the pgvector column holds the same vector as the bytes
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT vector, embedding::text FROM {PostEmbedding._meta.db_table} ORDER BY post_id LIMIT 5"
            )
            for raw, text in cursor.fetchall():
                assert np.array_equal(
                    np.frombuffer(bytes(raw), dtype=np.float32), np.array(json.loads(text), np.float32)
                )

    likes, views = Like.objects.count(), Impression.objects.count()
    assert 900 < likes == views <= 1000  # 1,000 random pairs, the repeats made once
    totals = PostStats.objects.aggregate(likes=Sum("likes"), views=Sum("impressions"))
    assert PostStats.objects.count() == 300 and totals == {"likes": likes, "views": views}

    person = User.objects.get(pk=people[0])
    page = for_you_page(person, Cursor())
    assert len(page.items) > 0
    followed = set(Follow.objects.filter(follower=person).values_list("followee_id", flat=True))
    page = following_page(person, Cursor(tab="following"))
    assert page.items and {item.post.author_id for item in page.items} <= followed
