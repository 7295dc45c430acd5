"""Candidate sources: each proposes post ids for a viewer (reads only; the stages judge them later)."""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Callable

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from cameos.models import CameoUsage
from feed.engagement.models import Like
from feed.posts.models import Post
from feed.ranking import vector_index
from feed.ranking.embeddings import vector_of
from feed.ranking.models import PostEmbedding
from feed.ranking.stages import cosine_topk
from feed.ranking.types import Viewer
from sora_site.db import AnyOf

POOL_KEY = "feed:pool"
POOL_SIZE = 1000  # each shared pool (trending, popular, fresh) keeps this many; seen posts are skipped
SIMILAR_SCAN = 5000  # newest posts whose vectors the NumPy fallback compares (pgvector indexes all)


def _public() -> QuerySet[Post]:
    """Public posts. Whether the author is still active is left to the hard filter: joining every
    source with the users table made PostgreSQL hash all of it per query (5 ms at 20k people)."""
    return Post.objects.filter(visibility=Post.Visibility.PUBLIC, taken_down_at=None)


def _ids(viewer: Viewer, posts: QuerySet[Post], limit: int) -> list[int]:
    """Ids of the first `limit` posts, skipping (in SQL, so a heavy viewer still gets some) what they
    have seen, said "not interested" to, or may not see."""
    skip = viewer.seen | viewer.not_interested_posts
    if skip:
        posts = posts.exclude(AnyOf("pk", skip))
    if viewer.hidden_authors:
        posts = posts.exclude(AnyOf("author_id", viewer.hidden_authors))
    return list(posts.values_list("pk", flat=True)[:limit])


def following(viewer: Viewer, limit: int) -> list[int]:
    if not viewer.following:
        return []
    return _ids(viewer, _public().filter(AnyOf("author_id", viewer.following)).order_by("-created_at"), limit)


def cameos_of_followed(viewer: Viewer, limit: int) -> list[int]:
    """Posts showing the cameo of someone the viewer follows (through the cameo usage ledger)."""
    if not viewer.following:
        return []
    jobs = (
        CameoUsage.objects.filter(AnyOf("cameo__owner_id", viewer.following))
        .order_by("-pk")
        .values_list("job_id", flat=True)
    )
    job_ids = list(jobs[:500])
    if not job_ids:
        return []
    posts = _public().filter(AnyOf("job_id", job_ids)).exclude(AnyOf("author_id", viewer.following))
    return _ids(viewer, posts.order_by("-created_at"), limit)


def _pool(name: str) -> list[int]:
    """A candidate list shared by everyone (not per viewer), kept in the cache: the beat task
    `pools_refresh` remakes it every FEED_POOL_SECONDS, a request only when it is missing."""
    pool = cache.get(f"{POOL_KEY}:{name}")
    return list(pool) if pool is not None else _pool_store(name, timezone.now())


def _pool_store(name: str, now: dt.datetime) -> list[int]:
    pool = POOLS[name](now)
    cache.set(f"{POOL_KEY}:{name}", pool, timeout=2 * settings.FEED_POOL_SECONDS)
    return pool


def _unseen(viewer: Viewer, pool: list[int], limit: int) -> list[int]:
    skip = viewer.seen | viewer.not_interested_posts
    return [pk for pk in pool if pk not in skip][:limit]


def trending_pool(now: dt.datetime, *, window_hours: int = 72) -> list[int]:
    """Engagement velocity: weighted engagement per hour of age over the last few days, best first."""
    rows = (
        _public()
        .filter(created_at__gte=now - dt.timedelta(hours=window_hours), stats__isnull=False, author__is_active=True)
        .annotate(
            weighted=F("stats__likes") + 2 * F("stats__comments") + 2 * F("stats__shares") + 4 * F("stats__remixes")
        )
        .filter(weighted__gt=0)
        .order_by("-weighted")
        .values_list("pk", "weighted", "created_at")[: POOL_SIZE * 4]
    )

    def velocity(row: tuple[int, int, dt.datetime]) -> float:
        hours = max(0.0, (now - row[2]).total_seconds() / 3600)
        return float(row[1]) / float((hours + 2) ** 1.5)

    return [pk for pk, *_ in sorted(rows, key=velocity, reverse=True)[:POOL_SIZE]]


def trending(viewer: Viewer, limit: int) -> list[int]:
    return _unseen(viewer, _pool("trending"), limit)


def popular_pool(now: dt.datetime) -> list[int]:
    """The most engaged-with posts overall."""
    posts = _public().filter(stats__isnull=False, author__is_active=True)
    ranked = posts.order_by(F("stats__likes").desc(), F("stats__remixes").desc(), "-pk")
    return list(ranked.values_list("pk", flat=True)[:POOL_SIZE])


def pools_refresh() -> None:
    now = timezone.now()
    for name in POOLS:
        _pool_store(name, now)


class _RecentVectors:
    """The newest SIMILAR_SCAN public posts' vectors as one matrix, shared by every request of this
    process and rebuilt every FEED_SIMILAR_REFRESH_SECONDS (new posts reach "similar" within that)."""

    def __init__(self) -> None:
        self.built_at = -math.inf
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        self.lock = threading.Lock()

    def get(self) -> tuple[np.ndarray, np.ndarray]:
        with self.lock:
            if time.monotonic() - self.built_at >= settings.FEED_SIMILAR_REFRESH_SECONDS:
                rows = list(
                    PostEmbedding.objects.filter(
                        post__visibility=Post.Visibility.PUBLIC, post__taken_down_at=None, post__author__is_active=True
                    )
                    .order_by("-post__created_at")
                    .values_list("post_id", "vector")[:SIMILAR_SCAN]
                )
                self.ids = np.array([pk for pk, _ in rows], dtype=np.int64)
                self.matrix = np.stack([vector_of(raw) for _, raw in rows]) if rows else np.zeros((0, 0), np.float32)
                self.built_at = time.monotonic()
            return self.ids, self.matrix


recent_vectors = _RecentVectors()


def similar(viewer: Viewer, limit: int) -> list[int]:
    """Closest to the viewer's taste: among all public posts through pgvector's HNSW index where it
    is installed, else among the newest SIMILAR_SCAN embedded posts with NumPy."""
    if viewer.taste is None:
        return []
    skip = viewer.seen | viewer.not_interested_posts
    if vector_index.search_enabled():
        return vector_index.nearest(viewer.taste, limit, skip=skip)
    ids, matrix = recent_vectors.get()
    if not len(ids):
        return []
    # Ask for enough extra that the ones to skip still leave `limit` (the filters drop the rest).
    top = cosine_topk(matrix, viewer.taste, limit + len(skip))
    return [int(pk) for pk in ids[top] if int(pk) not in skip][:limit]


def remixes_of_liked(viewer: Viewer, limit: int) -> list[int]:
    if viewer.user_id is None:
        return []
    liked = Like.objects.filter(user_id=viewer.user_id).order_by("-created_at").values("post_id")[:200]
    return _ids(viewer, _public().filter(remix_of_id__in=liked).order_by("-created_at"), limit)


def fresh_pool(now: dt.datetime, *, max_views: int = 20) -> list[int]:
    """Exploration: the newest posts few people have seen yet (newest first)."""
    posts = _public().filter(Q(stats__isnull=True) | Q(stats__impressions__lt=max_views))
    return list(posts.order_by("-created_at").values_list("pk", flat=True)[:POOL_SIZE])


def fresh(viewer: Viewer, limit: int) -> list[int]:
    return _unseen(viewer, _pool("fresh"), limit)


def popular(viewer: Viewer, limit: int) -> list[int]:
    """The fallback for people we know nothing about yet: the most engaged-with posts overall."""
    return _unseen(viewer, _pool("popular"), limit)


POOLS: dict[str, Callable[[dt.datetime], list[int]]] = {
    "trending": trending_pool,
    "popular": popular_pool,
    "fresh": fresh_pool,
}

SOURCES = {
    "following": (following, 60),
    "cameo": (cameos_of_followed, 30),
    "trending": (trending, 60),
    "similar": (similar, 80),
    "remix_of_liked": (remixes_of_liked, 30),
    "fresh": (fresh, 40),
    "popular": (popular, 60),
}
