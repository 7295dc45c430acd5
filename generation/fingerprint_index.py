"""pgvector's HNSW index of finished videos' frame fingerprints (generation/provenance/fingerprints.py),
where migration 0010 could make it: a table of (job, second, fingerprint, detail) rows, one per
second of a finished video, written when a job finishes (or by `manage.py fingerprints_backfill`),
read by /verify/ for a copy without manifest or mark.

A lookup sends every query fingerprint of a copy in one statement (a LATERAL nearest-neighbour
search per fingerprint, each an HNSW index scan) and counts, per job, the copy's frames that have a
fingerprint within MATCH_DISTANCE of one of the job's: that proposes candidates. Their rows are then
read by job id for the finer check (generation.provenance.fingerprints.job_matching).
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
CANDIDATES = 3  # jobs a lookup proposes at most
EF_SEARCH = 20  # HNSW candidate list per search (recall against time, bench/fingerprint_index.py)


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


def fingerprints_save(*, job_id: int, frames: Sequence[tuple[float, np.ndarray, np.ndarray]]) -> None:
    """Replace a job's entries in the index (nothing without it): per indexed frame, its second, its
    fingerprint and its detail (generation.provenance.fingerprints.IndexedFrame)."""
    if not index_present():
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE job_id = %s", [job_id])
        if frames:
            cursor.execute(
                f"INSERT INTO {TABLE} (job_id, second, fingerprint, detail)"
                " SELECT %s, s, v::vector, d FROM unnest(%s::real[], %s::text[], %s::bytea[]) AS u(s, v, d)",
                [
                    job_id,
                    [second for second, _, _ in frames],
                    [_literal(vector) for _, vector, _ in frames],
                    [detail.tobytes() for _, _, detail in frames],
                ],
            )


def fingerprints_delete(*, job_id: int) -> None:
    if index_present():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE job_id = %s", [job_id])


def jobs_indexed() -> set[int]:
    """Jobs whose entries are complete (rows from before migration 0011 have no detail)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT job_id FROM {TABLE} GROUP BY job_id HAVING bool_and(detail IS NOT NULL)")
        return {job_id for (job_id,) in cursor.fetchall()}


def jobs_proposed(frames: Sequence[np.ndarray]) -> list[int]:
    """Jobs with an indexed fingerprint within MATCH_DISTANCE of at least half the copy's frames, the
    most such frames first (CANDIDATES at most), in one statement. `frames`: per frame of the copy,
    its query fingerprints, shape (n, DIM)."""
    frame_of = [i for i, queries in enumerate(frames) for _ in range(len(queries))]
    values = [_literal(query) for queries in frames for query in queries.reshape(-1, DIM)]
    if not values:
        return []
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
    needed = -(-len([queries for queries in frames if len(queries)]) // 2)
    ranked = sorted(matched, key=lambda job_id: -len(matched[job_id]))
    return [job_id for job_id in ranked if len(matched[job_id]) >= needed][:CANDIDATES]


def details_of(job_ids: Sequence[int]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per job, its indexed frames' seconds (k,) and details (k, side * side uint8), by job id (rows
    from before migration 0011, without details, left out)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT job_id, second, detail FROM {TABLE} WHERE job_id = ANY(%s) AND detail IS NOT NULL"
            " ORDER BY job_id, second",
            [list(job_ids)],
        )
        rows = cursor.fetchall()
    grouped: dict[int, list[tuple[float, bytes]]] = defaultdict(list)
    for job_id, second, detail in rows:
        grouped[job_id].append((second, bytes(detail)))
    return {
        job_id: (
            np.array([second for second, _ in entries], dtype=np.float32),
            np.frombuffer(b"".join(detail for _, detail in entries), dtype=np.uint8).reshape(len(entries), -1),
        )
        for job_id, entries in grouped.items()
    }
