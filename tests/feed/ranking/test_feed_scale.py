"""What makes the feed fast at scale: pgvector (when installed) agreeing with the NumPy fallback, the
shared candidate pools kept in Redis, MiniLM warmed at server start; and the cameo-posted notice."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pytest
from django.core.cache import cache
from django.db import connection

from cameos.models import Cameo, CameoUsage
from feed.engagement import services as engagement
from feed.models import Notification, Post, User
from feed.posts.services import post_publish, post_publish_check
from feed.ranking import sources, vector_index
from feed.ranking.cursor import Cursor
from feed.ranking.embeddings import embeddings_for, embeddings_store, kept_vectors, topic_vector
from feed.ranking.models import PostEmbedding
from feed.ranking.pipeline import candidates_load, for_you_page, viewer_load
from feed.tasks import feed_pools_refresh
from generation import services as generation_services
from generation import worker
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_make, post_published
from tests.conftest import make_user

CAPTIONS = [
    "fresh pasta with basil in a tiny kitchen",
    "grilling salmon on a cedar plank",
    "baking sourdough bread at dawn",
    "a last second basketball buzzer beater",
    "football penalty kick in the rain",
    "a rocket launch over the ocean",
    "astronaut floating outside the station",
    "a cat chasing a laser pointer",
    "kittens asleep in a basket",
    "street dancers in tokyo at night",
    "a vintage car race on a mountain road",
    "whales breaching near a sailboat",
]


@pytest.fixture
def pools_cleared() -> Iterator[None]:
    keys = [f"{sources.POOL_KEY}:{name}" for name in sources.POOLS]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def test_pgvector_and_the_numpy_fallback_give_the_same_top_k(alice: User, bob: User, settings: object) -> None:
    if not vector_index.column_present():
        pytest.skip("pgvector is not installed in this PostgreSQL (scripts/install_pgvector.sh)")
    posts = [post_make([alice, bob][i % 2], caption, hours_ago=i) for i, caption in enumerate(CAPTIONS)]
    vectors = embeddings_for(post.pk for post in posts)  # real MiniLM, stored through vectors_save
    assert len(vectors) == len(posts)
    viewer = viewer_load(make_user("reader"), served=[], prefs=None)
    viewer.seen = frozenset({posts[0].pk})  # the index path skips in SQL, the fallback in NumPy
    for topic in ("cooking", "space", "cats"):
        viewer.taste = topic_vector(topic)
        settings.FEED_PGVECTOR = True  # type: ignore[attr-defined]
        through_index = sources.similar(viewer, 5)
        settings.FEED_PGVECTOR = False  # type: ignore[attr-defined]
        through_numpy = sources.similar(viewer, 5)
        assert through_index == through_numpy
        assert len(through_index) == 5 and posts[0].pk not in through_index


def test_the_index_keeps_searching_past_what_the_viewer_saw(alice: User) -> None:
    if not vector_index.column_present():
        pytest.skip("pgvector is not installed in this PostgreSQL (scripts/install_pgvector.sh)")
    posts = [post_make(alice, f"{caption} {n}") for n in range(5) for caption in CAPTIONS]  # 60 posts
    vectors = embeddings_for(post.pk for post in posts)
    query = vectors[posts[0].pk]
    first = vector_index.nearest(query, 50)
    # Skipping the 50 nearest still returns the next ones: the HNSW scan goes on (iterative scan).
    assert (
        vector_index.nearest(query, 10, skip=first)
        == [pk for pk in vector_index.nearest(query, 60) if pk not in first][:10]
    )


@pytest.mark.django_db
def test_the_index_is_built_in_half_precision() -> None:
    if not vector_index.column_present():
        pytest.skip("pgvector is not installed in this PostgreSQL (scripts/install_pgvector.sh)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'post_embedding_hnsw'")
        (definition,) = cursor.fetchone()
    assert "halfvec_cosine_ops" in definition  # migration 0011: half the pages of the float32 graph


def test_a_changed_embedding_reaches_the_index(alice: User) -> None:
    if not vector_index.column_present():
        pytest.skip("pgvector is not installed in this PostgreSQL (scripts/install_pgvector.sh)")
    cooking, space = post_make(alice, CAPTIONS[0]), post_make(alice, CAPTIONS[5])
    vectors = embeddings_for([cooking.pk, space.pk])
    assert vector_index.nearest(vectors[space.pk], 1) == [space.pk]
    vector_index.vectors_save({cooking.pk: vectors[space.pk] * 1.0})  # the bytes and the column together
    assert set(vector_index.nearest(vectors[space.pk], 2)) == {cooking.pk, space.pk}
    assert np.allclose(embeddings_for([cooking.pk])[cooking.pk], vectors[space.pk])


def test_candidate_vectors_are_kept_by_the_process_until_re_embedded(alice: User, settings: object) -> None:
    settings.FEED_SIMILAR_REFRESH_SECONDS = 60  # type: ignore[attr-defined]
    cooking, space = post_make(alice, CAPTIONS[0]), post_make(alice, CAPTIONS[5])
    vectors = embeddings_for([cooking.pk, space.pk])
    proposed = {cooking.pk: {"fresh"}, space.pk: {"fresh"}}
    kept_vectors.forget(proposed)
    assert {c.post_id: c.vector for c in candidates_load(proposed)}[cooking.pk] is not None
    # The stored bytes change behind this process's back: the next page still uses what it kept,
    # so the query did not carry the vector again.
    PostEmbedding.objects.filter(post=cooking).update(vector=vectors[space.pk].tobytes())
    again = {c.post_id: c.vector for c in candidates_load(proposed)}
    assert np.array_equal(again[cooking.pk], vectors[cooking.pk])
    assert np.array_equal(again[space.pk], vectors[space.pk])
    # Re-embedding in this process forgets the kept vector at once (other processes within a minute).
    cooking.caption = CAPTIONS[6]
    made = embeddings_store([cooking])
    assert np.array_equal({c.post_id: c.vector for c in candidates_load(proposed)}[cooking.pk], made[cooking.pk])
    settings.FEED_SIMILAR_REFRESH_SECONDS = 0  # type: ignore[attr-defined]
    assert kept_vectors.known(proposed) == {}


def test_trending_comes_from_the_shared_pool_until_the_beat_task_remakes_it(
    alice: User, bob: User, charlie: User, settings: object, pools_cleared: None
) -> None:
    settings.FEED_POOL_SECONDS = 60  # type: ignore[attr-defined]
    early, late = post_make(alice, "a rocket launch at dawn"), post_make(bob, "baking sourdough bread")
    engagement.like_set(user=charlie, post=early, liked=True)
    feed_pools_refresh()
    engagement.like_set(user=charlie, post=late, liked=True)

    def trending_for_someone_new() -> list[int]:
        page = for_you_page(make_user(f"reader{User.objects.count()}"), Cursor())
        return [item.post.pk for item in page.items if "It is taking off right now." in item.reasons]

    assert trending_for_someone_new() == [early.pk]  # the pool is at most a minute old; no request remade it
    feed_pools_refresh()
    assert set(trending_for_someone_new()) == {early.pk, late.pk}


def test_a_post_taken_down_after_the_pool_was_made_still_never_shows(
    alice: User, charlie: User, settings: object, pools_cleared: None
) -> None:
    settings.FEED_POOL_SECONDS = 60  # type: ignore[attr-defined]
    post = post_make(alice, "a rocket launch at dawn")
    engagement.like_set(user=charlie, post=post, liked=True)
    feed_pools_refresh()
    Post.objects.filter(pk=post.pk).update(visibility=Post.Visibility.PRIVATE)  # after the pool was made
    assert post.pk not in [item.post.pk for item in for_you_page(make_user("reader"), Cursor()).items]


def test_posting_a_video_with_a_cameo_tells_its_owner(alice: User, bob: User) -> None:
    active_cameo(alice, access=Cameo.Access.EVERYONE)
    job, _ = generation_services.job_create(owner=bob, prompt="@alice waves from a boat")
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert CameoUsage.objects.filter(job=job).exists()
    post = post_publish(job=job, by=bob, caption="boat day", visibility="public", show_prompt=True)
    assert not Notification.objects.filter(kind="cameo_posted").exists()  # nobody else sees it yet
    post_publish_check(post_id=post.pk)
    notice = Notification.objects.get(recipient=alice, kind="cameo_posted")
    assert notice.actor == bob and notice.subject == f"post:{post.pk}"
    assert notice.text == "@bob posted a video with your cameo @alice."
    assert not Notification.objects.filter(recipient=bob, kind="cameo_posted").exists()


def test_posting_with_your_own_cameo_tells_nobody(alice: User) -> None:
    active_cameo(alice)
    job, _ = generation_services.job_create(owner=alice, prompt="@alice waves from a boat")
    worker.job_execute(job.pk)
    job.refresh_from_db()
    post_published(job=job, by=alice)
    assert not Notification.objects.filter(kind="cameo_posted").exists()


def test_the_wsgi_entry_point_loads_minilm_at_start_beside_the_first_requests() -> None:
    # The warm-up runs on a thread (the server answers at once); waiting for that thread, MiniLM is loaded.
    code = (
        "import threading\nimport sora_site.wsgi\nfrom sora_site.text_embeddings import _model\n"
        "for thread in threading.enumerate():\n"
        "    if thread is not threading.main_thread():\n"
        "        thread.join(600)\n"
        "print(int(_model.is_loaded()))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sora_site.settings", "TEXT_EMBEDDINGS_WARM": "1"}
    warm = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert warm.stdout.strip() == "1"
    env["TEXT_EMBEDDINGS_WARM"] = "0"
    cold = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert cold.stdout.strip() == "0"
