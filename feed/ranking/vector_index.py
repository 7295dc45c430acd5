"""pgvector's HNSW index over post embeddings, where migrations 0009 and 0011 could add it (always on the
embedded PostgreSQL; on a DATABASE_URL server, where pgvector is installed and FEED_PGVECTOR is on).

The float32 bytes in `PostEmbedding.vector` stay the source of truth (every database has them); the
`embedding vector(384)` column beside them exists only where the extension is installed, is written
by `vectors_save` (the one writer of post embeddings) and read by `nearest` when FEED_PGVECTOR is on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache

import numpy as np
from django.conf import settings
from django.db import connection, transaction

from feed.posts.models import Post
from feed.ranking.models import PostEmbedding

TABLE = PostEmbedding._meta.db_table
POSTS = Post._meta.db_table
BATCH = 2000


def _literal(vector: np.ndarray) -> str:
    """pgvector's text form; repr of each float32 reads back to the same float32."""
    return str(vector.astype(np.float32).tolist())


@cache
def _column_present(database: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = 'embedding'", [TABLE]
        )
        return cursor.fetchone() is not None


def column_present() -> bool:
    """Whether this database has the pgvector column (keyed by database: the tests use their own)."""
    return _column_present(str(connection.settings_dict["NAME"]))


@cache
def _half_precision(database: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'post_embedding_hnsw'")
        row = cursor.fetchone()
        return row is not None and "halfvec" in row[0]


def _order_by() -> str:
    """The distance the index orders by: half precision where migration 0011 could build it so."""
    if _half_precision(str(connection.settings_dict["NAME"])):
        return "e.embedding::halfvec(384) <=> %s::halfvec(384)"
    return "e.embedding <=> %s::vector"


def search_enabled() -> bool:
    return settings.FEED_PGVECTOR and column_present()


def vectors_save(vectors: dict[int, np.ndarray]) -> None:
    """Store post embeddings (replacing what was there), in the bytes and, where present, the index."""
    items = list(vectors.items())
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        rows = [PostEmbedding(post_id=pk, vector=vector.astype(np.float32).tobytes()) for pk, vector in batch]
        PostEmbedding.objects.bulk_create(rows, update_conflicts=True, unique_fields=["post"], update_fields=["vector"])
        if column_present():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {TABLE} AS e SET embedding = v.value::vector"
                    " FROM unnest(%s::bigint[], %s::text[]) AS v(id, value) WHERE e.post_id = v.id",
                    [[pk for pk, _ in batch], [_literal(vector) for _, vector in batch]],
                )


def nearest(query: np.ndarray, k: int, *, skip: Iterable[int] = ()) -> list[int]:
    """Ids of the k public posts whose embeddings are closest (cosine) to `query`, through the HNSW
    index (half precision where migration 0011 made it so). The connection's hnsw.iterative_scan
    (settings.py) keeps the scan going past the posts to skip, so k still come back."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.post_id FROM {TABLE} AS e JOIN {POSTS} AS p ON p.id = e.post_id"
            " WHERE p.visibility = 'public' AND p.taken_down_at IS NULL AND NOT (e.post_id = ANY(%s))"
            f" ORDER BY {_order_by()} LIMIT %s",
            [list(skip), _literal(query), k],
        )
        return [pk for (pk,) in cursor.fetchall()]


@contextmanager
def index_dropped() -> Iterator[None]:
    """For bulk loads (bench/seed_feed.py): building the HNSW graph once at the end is several times
    faster than inserting into it row by row (half precision: pgvector >= 0.7, as
    scripts/install_pgvector.sh installs). Does nothing without the column."""
    if not column_present():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS post_embedding_hnsw")
    try:
        yield
    finally:
        with transaction.atomic(), connection.cursor() as cursor:
            # The graph is built in memory when it fits (a half-precision row and its links take about
            # 1.5 kB); past maintenance_work_mem pgvector goes on building on disk, many times slower.
            cursor.execute(f"SELECT count(*) FROM {TABLE}")
            (rows,) = cursor.fetchone()
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{max(512, rows * 3 // 2000)}MB'")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS post_embedding_hnsw ON {TABLE}"
                " USING hnsw ((embedding::halfvec(384)) halfvec_cosine_ops)"
            )
        _half_precision.cache_clear()
