"""pgvector's HNSW index of finished videos' frame fingerprints (generation/provenance/fingerprints.py),
where migration 0010 could make it: a table of (job, fingerprint) rows, written when a job finishes
(or by `manage.py fingerprints_backfill`), read by /verify/ for a copy without manifest or mark.

A lookup sends every query fingerprint of a copy in one statement (a LATERAL nearest-neighbour
search per fingerprint, each an HNSW index scan) and counts, per job, the copy's frames that have a
fingerprint within MATCH_DISTANCE of one of the job's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cache

import numpy as np
from django.db import connection, transaction

TABLE = "generation_framefingerprint"
DIM = 64  # the fingerprint's length, the column's vector(64)
# Between unit fingerprints: copies of the bench's videos after crops, reframing, scaling, mirroring,
# tone changes and a 10 degree rotation read at most 0.52 (the median over their frames); other
# videos' nearest frames, about 0.9 and more (docs/BENCHMARKS.md "Fingerprint index").
MATCH_DISTANCE = 0.6
NEIGHBOURS = 4  # nearest indexed fingerprints looked at per query fingerprint
EF_SEARCH = 40  # HNSW candidate list per search (recall against time, bench/fingerprint_index.py)


def _literal(vector: np.ndarray) -> str:
    return str(vector.astype(np.float32).tolist())


@cache
def _present(database: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [TABLE])
        row = cursor.fetchone()
        return bool(row and row[0])


def index_present() -> bool:
    """Whether this database has the index (keyed by database: the tests use their own)."""
    return _present(str(connection.settings_dict["NAME"]))


def fingerprints_save(*, job_id: int, vectors: Sequence[np.ndarray]) -> None:
    """Replace a job's fingerprints in the index (nothing without it)."""
    if not index_present():
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE job_id = %s", [job_id])
        if vectors:
            cursor.execute(
                f"INSERT INTO {TABLE} (job_id, fingerprint) SELECT %s, v::vector FROM unnest(%s::text[]) AS v",
                [job_id, [_literal(vector) for vector in vectors]],
            )


def fingerprints_delete(*, job_id: int) -> None:
    if index_present():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE job_id = %s", [job_id])


def jobs_indexed() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT job_id FROM {TABLE}")
        return {job_id for (job_id,) in cursor.fetchall()}


def job_matching(frames: Sequence[np.ndarray]) -> int | None:
    """The one job matching at least two thirds of the copy's frames, when no other job matches as
    many; else None. The fingerprint is coarse (an 8x8 DCT):
    at 1M rows, unrelated videos matched half the frames of some post (docs/BENCHMARKS.md), so a
    lookup names an original only when the evidence points at one. `frames`: per frame of the copy,
    its query fingerprints, shape (n, DIM)."""
    frame_of = [i for i, queries in enumerate(frames) for _ in range(len(queries))]
    values = [_literal(query) for queries in frames for query in queries.reshape(-1, DIM)]
    if not values:
        return None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL hnsw.ef_search = {EF_SEARCH}")
        cursor.execute(
            "SELECT q.n, f.job_id, f.distance FROM unnest(%s::text[]) WITH ORDINALITY AS q(value, n)"
            " CROSS JOIN LATERAL (SELECT job_id, fingerprint <-> q.value::vector(64) AS distance"
            f" FROM {TABLE} ORDER BY fingerprint <-> q.value::vector(64) LIMIT {NEIGHBOURS}) AS f",
            [values],
        )
        rows = cursor.fetchall()
    matched: dict[int, set[int]] = defaultdict(set)
    for n, job_id, distance in rows:
        if distance <= MATCH_DISTANCE:
            matched[job_id].add(frame_of[n - 1])
    needed = -(-2 * len([f for f in frames if len(f)]) // 3)
    ranked = sorted(((job_id, len(seen)) for job_id, seen in matched.items()), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < needed or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]
