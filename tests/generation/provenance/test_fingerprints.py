"""Frame fingerprints for /verify/ and their pgvector index (migration generation.0010)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from django.core.management import call_command
from django.db import connection

from feed.models import User
from generation import fingerprint_index
from generation.provenance import fingerprints
from generation.services import job_delete
from generation.storage import job_files_erase
from tests.builders.finished_jobs import finished_job


def _picture(seed: int) -> np.ndarray:
    """A 720x1280 RGB picture with structure at every scale (blurred noise, several sizes)."""
    rng = np.random.default_rng(seed)
    layers = [cv2.resize(rng.normal(0, 1, (n, n)).astype(np.float32), (720, 1280)) for n in (4, 9, 20)]
    grey = np.clip(128 + 40 * sum(layers), 0, 255).astype(np.uint8)
    return np.stack([grey] * 3, axis=2)


def _nearest(copy: np.ndarray, indexed: fingerprints.IndexedFrame) -> float:
    return float(np.linalg.norm(fingerprints.copy_frame(copy, 0.0).queries - indexed.fingerprint, axis=1).min())


def _agreement(copy: np.ndarray, indexed: fingerprints.IndexedFrame) -> float:
    return fingerprints.agreement(
        [fingerprints.copy_frame(copy, 0.0)], np.array([0.0]), fingerprints.detail_edges(indexed.detail)
    )


def test_crops_letterboxes_mirrors_and_scaling_keep_the_fingerprint_near_and_the_detail_agreeing() -> None:
    frame = _picture(1)
    indexed = fingerprints.indexed_frame(frame, 0.0)
    assert indexed is not None and indexed.fingerprint.shape == (fingerprints.DIM,)
    crop = frame[192:1088, 108:612]  # a centred crop to 70% of each side
    letterbox = np.zeros((480, 854, 3), np.uint8)
    letterbox[:, 292:562] = cv2.resize(frame, (270, 480), interpolation=cv2.INTER_AREA)
    copies = {
        "crop 70%": crop,
        "crop 78%": frame[141:1139, 79:641],  # between the crops searched
        "square": frame[280:1000],
        "mirror + crop 70%": np.ascontiguousarray(crop[:, ::-1]),
        "letterbox": letterbox,
        "half size": cv2.resize(frame, (360, 640), interpolation=cv2.INTER_AREA),
    }
    other = fingerprints.indexed_frame(_picture(2), 0.0)
    assert other is not None
    for name, copy in copies.items():
        assert _nearest(copy, indexed) < fingerprint_index.MATCH_DISTANCE, name
        assert _nearest(copy, other) > fingerprint_index.MATCH_DISTANCE, name
        assert _agreement(copy, indexed) >= fingerprints.AGREEMENT, name
        assert _agreement(copy, other) < fingerprints.AGREEMENT / 2, name


def test_the_check_needs_the_copy_in_time_with_the_original() -> None:
    """A copy's frames one second apart must agree with indexed frames one second apart (give or take
    a second): the same pictures played backwards are not a copy."""
    pictures = [_picture(seed) for seed in (11, 12, 13, 14, 15)]
    entries = fingerprints.video_fingerprints(pictures, fps=1.0)
    seconds = np.array([entry.second for entry in entries])
    edges = fingerprints.detail_edges(np.array([entry.detail for entry in entries]))
    in_time = [fingerprints.copy_frame(picture, float(i)) for i, picture in enumerate(pictures[2:])]
    assert fingerprints.agreement(in_time, seconds, edges) >= fingerprints.AGREEMENT
    backwards = [fingerprints.copy_frame(picture, float(n)) for n, picture in enumerate(pictures[::-1])]
    assert fingerprints.agreement(backwards, seconds, edges) < fingerprints.AGREEMENT


def test_featureless_frames_have_no_fingerprint() -> None:
    """Flat walls and black frames all look alike: they would match each other, so they are left out."""
    flat = np.full((1280, 720, 3), 180, np.uint8)
    assert fingerprints.indexed_frame(flat, 0.0) is None
    assert fingerprints.copy_frame(flat, 0.0).queries.shape == (0, fingerprints.DIM)
    entries = fingerprints.video_fingerprints([flat, _picture(3)], fps=1.0)
    assert [entry.second for entry in entries] == [1.0]


def test_the_migration_made_an_hnsw_index(db) -> None:
    assert fingerprint_index.index_present()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'frame_fingerprint_hnsw'")
        (definition,) = cursor.fetchone()
    assert "hnsw" in definition and "vector_l2_ops" in definition
    with connection.cursor() as cursor:  # a nearest-neighbour query is an index scan, not a scan
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT job_id FROM {fingerprint_index.TABLE}"
            f" ORDER BY fingerprint <-> '{[0.125] * fingerprints.DIM}'::vector LIMIT 4"
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "frame_fingerprint_hnsw" in plan


def _rows(job_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {fingerprint_index.TABLE} WHERE job_id = %s", [job_id])
        return int(cursor.fetchone()[0])


def test_finishing_indexes_the_video_the_backfill_restores_it_and_erasing_forgets_it(alice: User) -> None:
    job = finished_job(alice, "a sailing boat on a choppy sea")
    written = _rows(job.pk)
    assert written >= 2  # one a second of the finished video
    fingerprint_index.fingerprints_delete(job_id=job.pk)
    assert job.pk not in fingerprint_index.jobs_indexed()
    call_command("fingerprints_backfill")
    assert _rows(job.pk) == written
    assert Path(job.video.path).exists()
    job_files_erase(job=job)
    assert _rows(job.pk) == 0
    call_command("fingerprints_backfill")  # an erased job has no video to index again
    assert _rows(job.pk) == 0


def test_a_deleted_job_or_account_takes_its_fingerprints(alice: User, bob: User) -> None:
    kept, deleted = finished_job(alice, "a lantern on a lake"), finished_job(bob, "a kite over dunes")
    assert _rows(kept.pk) and _rows(deleted.pk)
    bob.delete()  # the account's jobs go with it (CASCADE in the ORM), their fingerprints too
    assert _rows(deleted.pk) == 0 and _rows(kept.pk) > 0
    job_delete(job=kept, by=alice)
    assert _rows(kept.pk) == 0
