"""The /verify/ fingerprint index at scale: lookup time and recall at 1,000,000 fingerprints.

Into a database of its own (`--database`, default sora_fingerprints_1m on the DATABASE_URL server,
kept afterwards: `--reuse` skips the load), the benchmark COPYs `--rows` synthetic fingerprints into
the table migration generation.0010 makes, then the real fingerprints of `--videos` rendered videos
(generation.provenance.fingerprints, as finishing stores them), and builds the HNSW index. The
synthetic rows, four per made-up post: half are real fingerprints of other renders (every frame,
plain and mirrored) moved by Gaussian noise (distance 0.5-1.2 from where they started, so many sit
near real pictures), half random with the 1/f spectrum of pictures. Then each real video is attacked
(trim + 400 kb/s, crop 70%, rotation 10 degrees, mirror + crop 80%, letterbox, strong screen capture,
as bench/watermark_robustness.py does them), encoded, read as /verify/ reads an upload, and looked up
with `fingerprints.job_matching` (the app's code: the HNSW search proposes, the finer check
decides): recall is the right video coming back as the match; unrelated renders (not indexed) must
match nothing. Each lookup's wall time (search and check) and the database backend's CPU time
(/proc of the backend process, in 10 ms ticks: its mean is the figure) are reported. Usage:

    .venv/bin/python bench/fingerprint_index.py [--rows 1000000] [--videos 6] [--reuse] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-fingerprints-"))

import numpy as np

BENCH_JOBS = 900_000_000  # job ids of the real videos (the synthetic posts count up from 1)
ATTACKS = (
    "trim + 400 kb/s",
    "crop 70%",
    "rotate 10 deg",
    "mirror + crop 80%",
    "letterbox 16:9 854x480",
    "screen capture strong",
)


def _database_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sora")
    return base.rsplit("/", 1)[0] + "/" + name


def _backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _synthetic(rows: int, pool: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    half = rows // 2
    bases = pool[rng.integers(0, len(pool), half)]
    moved = bases + rng.normal(0, 1, bases.shape) * rng.uniform(0.0625, 0.15, (half, 1))
    u, v = np.meshgrid(np.arange(8), np.arange(8), indexing="ij")
    spectrum = (1.0 / (1.0 + u + v)).flatten()
    spectrum[0] = 0.0
    pictures = rng.normal(0, 1, (rows - half, 64)) * spectrum
    out = np.concatenate([moved, pictures]).astype(np.float32)
    out[:, 0] = 0.0
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out[rng.permutation(rows)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--videos", type=int, default=6)
    parser.add_argument("--others", type=int, default=6, help="unrelated renders looked up (not indexed)")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--repeat", type=int, default=5, help="lookups timed per copy")
    parser.add_argument("--database", default="sora_fingerprints_1m")
    parser.add_argument("--reuse", action="store_true", help="keep the database as loaded")
    args = parser.parse_args()

    import psycopg

    admin = _database_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database]).fetchone()
        if exists and not args.reuse:
            conn.execute(f'DROP DATABASE "{args.database}"')
        if not exists or not args.reuse:
            conn.execute(f'CREATE DATABASE "{args.database}"')
    os.environ["DATABASE_URL"] = _database_url(args.database)

    import django

    django.setup()
    import watermark_robustness as wr
    from django.db import connection

    from generation import fingerprint_index
    from generation.provenance import fingerprints
    from generation.provenance.fingerprints import job_matching, video_fingerprints
    from generation.provenance.reading import video_read
    from sora_site import media

    started = time.monotonic()
    clips = list(wr.videos(args.videos + args.others + 4, args.seconds))
    indexed, others, pool_clips = clips[: args.videos], clips[args.videos : -4], clips[-4:]
    print(f"[{time.monotonic() - started:5.0f} s] rendered {len(clips)} videos", file=sys.stderr, flush=True)

    if not args.reuse:
        pool = np.array([entry.fingerprint for _name, frames in pool_clips for entry in video_fingerprints(frames, 24)])
        pool = np.concatenate([pool, pool * np.tile((-1.0) ** np.arange(8), 8)])
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS vector")
            cursor.execute(
                f"CREATE TABLE {fingerprint_index.TABLE} (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
                " job_id bigint NOT NULL, fingerprint vector(64) NOT NULL, second real, detail bytea)"
            )
        connection.ensure_connection()
        raw = connection.connection
        load = time.monotonic()
        synthetic = _synthetic(args.rows, pool, seed=26)
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {fingerprint_index.TABLE} (job_id, fingerprint) FROM STDIN") as copy,
        ):
            for row, vector in enumerate(synthetic):
                copy.write_row((row // 4 + 1, "[" + ",".join(f"{x:.5g}" for x in vector) + "]"))
        raw.commit()
        print(f"[{time.monotonic() - started:5.0f} s] COPY {args.rows} rows: {time.monotonic() - load:.0f} s")
        build = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute(
                f"CREATE INDEX frame_fingerprint_hnsw ON {fingerprint_index.TABLE}"
                " USING hnsw (fingerprint vector_l2_ops)"
            )
            cursor.execute(f"CREATE INDEX frame_fingerprint_job ON {fingerprint_index.TABLE} (job_id)")
            cursor.execute(f"VACUUM ANALYZE {fingerprint_index.TABLE}")
        print(f"[{time.monotonic() - started:5.0f} s] HNSW build: {time.monotonic() - build:.0f} s", flush=True)

    for number, (_name, frames) in enumerate(indexed):  # the real videos, as finishing stores them
        fingerprint_index.fingerprints_save(job_id=BENCH_JOBS + number, frames=video_fingerprints(frames, 24))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{fingerprint_index.TABLE}'))"
            f" FROM {fingerprint_index.TABLE}"
        )
        rows, size = cursor.fetchone()
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    print(f"{rows} fingerprints, table + indexes {size}")

    attacks = {a.name: a for a in wr.attacks()}
    walls: list[float] = []
    cpus: list[float] = []
    found = {name: 0 for name in ATTACKS}
    false_matches = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copies: list[tuple[str, int | None, Path]] = []
        for number, (_name, frames) in enumerate(indexed + others):
            path = work / "source.mp4"
            media.encode_mp4(frames, 24, None, media.AUDIO_RATE, path)
            decoded = wr.decode(path)[int(wr.TRIM_S * 24) :]
            for attack_name in ATTACKS if number < len(indexed) else ATTACKS[:1]:
                attack = attacks[attack_name]
                copy = work / f"{number}-{len(copies)}.mp4"
                wr.encode(attack.apply(decoded), attack.fps, attack.bit_rate, copy)
                copies.append((attack_name, BENCH_JOBS + number if number < len(indexed) else None, copy))
        print(f"[{time.monotonic() - started:5.0f} s] {len(copies)} copies made", file=sys.stderr, flush=True)
        for attack_name, job_id, copy in copies:
            prints = video_read(copy).fingerprints
            for attempt in range(args.repeat):
                cpu, wall = _backend_cpu(backend), time.perf_counter()
                match = job_matching(prints)
                walls.append(time.perf_counter() - wall)
                cpus.append(_backend_cpu(backend) - cpu)
                if attempt == 0:
                    if job_id is None:
                        false_matches += match is not None
                    else:
                        found[attack_name] += match == job_id
    searched = f"up to {fingerprints.SEARCHED_FRAMES} frames x 6 vectors, ef_search {fingerprint_index.EF_SEARCH}"
    print(f"\n{rows} fingerprints; {len(walls)} lookups ({args.repeat} per copy), each {searched}, then the check")
    print(f"lookup wall ms: p50 {np.percentile(walls, 50) * 1000:.1f}, p95 {np.percentile(walls, 95) * 1000:.1f}")
    # /proc counts in clock ticks (10 ms): the mean over all lookups is the figure to read.
    print(f"backend CPU ms per lookup: mean {np.mean(cpus) * 1000:.1f}, p95 {np.percentile(cpus, 95) * 1000:.0f}")
    print("\n| copy | right video found first |\n|---|---:|")
    for attack_name in ATTACKS:
        print(f"| {attack_name} | {found[attack_name]}/{len(indexed)} |")
    print(f"\nunrelated videos (not indexed) that matched something: {false_matches} of {len(others)}")
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
