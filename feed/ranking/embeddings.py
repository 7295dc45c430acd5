"""Post embeddings (prompt + caption, all-MiniLM-L6-v2) and a person's taste as their decayed average.

Stored as float32 bytes in `PostEmbedding` and, where pgvector is installed, in its HNSW-indexed column
(`feed.ranking.vector_index`); `sources.similar` searches that index, or NumPy over recent posts.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
from django.conf import settings

from feed.posts.models import Post
from feed.ranking.models import PostEmbedding
from feed.ranking.vector_index import vectors_save
from sora_site.db import AnyOf
from sora_site.text_embeddings import embed

ENSURE_AT_ONCE = 128  # posts embedded inline by one request; the publish task embeds the rest
VECTORS_KEPT = 20_000  # post vectors one process keeps (30 MB); past that it starts over


def post_text(prompt: str, caption: str) -> str:
    return f"{caption.strip()}. {prompt.strip()}".strip(". ") or "video"


def vector_of(raw: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(raw), dtype=np.float32)


class _KeptVectors:
    """Post vectors this process has read lately, so the candidates query need not carry them again:
    most candidates come back page after page and person after person (the shared pools, the newest
    posts), and their 1.5 KB each was most of what that query returned. Kept for
    FEED_SIMILAR_REFRESH_SECONDS, then started over: a post re-embedded by another process (its
    caption edited) is read afresh within that time, as the NumPy matrix is rebuilt."""

    def __init__(self) -> None:
        self.started = -math.inf
        self.vectors: dict[int, np.ndarray] = {}
        self.lock = threading.Lock()

    def known(self, post_ids: Iterable[int]) -> dict[int, np.ndarray]:
        with self.lock:
            fresh = time.monotonic() - self.started < settings.FEED_SIMILAR_REFRESH_SECONDS
            if not fresh or len(self.vectors) > VECTORS_KEPT:
                self.vectors, self.started = {}, time.monotonic()
            return {pk: self.vectors[pk] for pk in post_ids if pk in self.vectors}

    def keep(self, vectors: dict[int, np.ndarray]) -> None:
        with self.lock:
            self.vectors.update(vectors)

    def forget(self, post_ids: Iterable[int]) -> None:
        with self.lock:
            for pk in post_ids:
                self.vectors.pop(pk, None)


kept_vectors = _KeptVectors()


def embeddings_store(posts: Iterable[Post]) -> dict[int, np.ndarray]:
    """Embed and store these posts (replacing what was there); {} without the model."""
    posts = list(posts)
    if not posts:
        return {}
    vectors = embed([post_text(post.prompt if post.show_prompt else "", post.caption) for post in posts])
    if vectors is None:
        return {}
    made = {post.pk: vector for post, vector in zip(posts, vectors, strict=True)}
    vectors_save(made)
    kept_vectors.forget(made)
    return made


def embeddings_for(post_ids: Iterable[int], *, ensure: bool = True) -> dict[int, np.ndarray]:
    """Stored vectors of these posts; with `ensure`, up to ENSURE_AT_ONCE missing ones are made now."""
    ids = set(post_ids)
    found = {row.post_id: vector_of(row.vector) for row in PostEmbedding.objects.filter(AnyOf("post_id", ids))}
    missing = ids - found.keys()
    if ensure and missing:
        found.update(embeddings_store(Post.objects.filter(pk__in=sorted(missing)[:ENSURE_AT_ONCE])))
    return found


@lru_cache(maxsize=512)
def topic_vector(topic: str) -> np.ndarray | None:
    """A steering topic's direction ("cooking" -> the embedding of "a video about cooking")."""
    vectors = embed([f"a video about {topic}"])
    return None if vectors is None else vectors[0]
