"""Benchmark: fill PostgreSQL with a feed-sized world, then time For You and Following server-side.

    DATABASE_URL=postgres://... .venv/bin/python bench/seed_feed.py [--posts 200000 --users 20000
        --interactions 2000000] [--measure 200] [--keep | --clean]

Seeds into the database DATABASE_URL names (migrated first): users, follows (20 each), posts over
the last 30 days, likes and views (half each of --interactions), counters and embeddings. The
seeded rows are deleted at the end unless --keep; --clean deletes what a --keep left.

Embeddings are synthetic, labelled as such: the real MiniLM vectors of 48 topic phrases plus noise,
so similarity has the shape it has on real captions without embedding every post (about 400 a
second on one core). Then, for --measure random people, the time of `for_you_page` and
`following_page` inside the process (server time, no HTTP), as p50 / p95 / max milliseconds, and the
CPU those pages cost on average (this process plus its PostgreSQL backend), which a busy machine
inflates far less than the wall time. --no-seed measures again on the rows a --keep left.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")
# The key the feed cursors measured here are signed with (the settings never make one).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from feed.models import Follow, Impression, Like, Post, PostEmbedding, PostStats, User  # noqa: E402
from feed.ranking import vector_index  # noqa: E402
from feed.ranking.cursor import Cursor  # noqa: E402
from feed.ranking.pipeline import following_page, for_you_page  # noqa: E402
from sora_site.text_embeddings import embed  # noqa: E402

PREFIX = "bench_"
PHRASES = [f"{a} {b}" for a in ("cooking", "anime", "sports", "space", "cats", "dance", "cars", "ocean")
           for b in ("at night", "in the rain", "close up", "slow motion", "with friends", "time lapse")]  # fmt: skip
BATCH = 20_000


def seed(posts: int, users: int, interactions: int, rng: random.Random) -> list[int]:
    now = timezone.now()
    people = User.objects.bulk_create(
        [User(username=f"{PREFIX}{i}", password="!", birth_date=now.date().replace(year=1990)) for i in range(users)],
        batch_size=BATCH,
    )
    ids = [u.pk for u in people]
    follows = {(a, b) for a in ids for b in rng.sample(ids, 20) if a != b}
    Follow.objects.bulk_create([Follow(follower_id=a, followee_id=b) for a, b in follows], batch_size=BATCH)
    phrase_vectors = embed(PHRASES)
    assert phrase_vectors is not None
    post_ids: list[int] = []
    for start in range(0, posts, BATCH):
        batch = []
        for i in range(start, min(posts, start + BATCH)):
            topic = rng.randrange(len(PHRASES))
            batch.append(
                Post(
                    author_id=rng.choice(ids),
                    video=f"posts/{PREFIX}{i}.mp4",
                    caption=PHRASES[topic],
                    prompt=PHRASES[topic],
                    created_at=now - timezone.timedelta(hours=rng.uniform(0, 24 * 30)),
                )
            )
        made = Post.objects.bulk_create(batch, batch_size=BATCH)
        vectors = {}
        for post in made:
            noisy = phrase_vectors[PHRASES.index(post.caption)] + np.random.default_rng(post.pk).normal(0, 0.05, 384)
            vectors[post.pk] = (noisy / np.linalg.norm(noisy)).astype(np.float32)
        vector_index.vectors_save(vectors)
        post_ids += [p.pk for p in made]
    likes: dict[int, int] = {}
    views: dict[int, int] = {}
    half = interactions // 2
    for start in range(0, half, BATCH):
        n = min(BATCH, half - start)
        pairs = {(rng.choice(ids), rng.choice(post_ids)) for _ in range(n)}
        Like.objects.bulk_create(
            [Like(user_id=u, post_id=p) for u, p in pairs], batch_size=BATCH, ignore_conflicts=True
        )
        for _, p in pairs:
            likes[p] = likes.get(p, 0) + 1
        Impression.objects.bulk_create(
            [
                Impression(user_id=u, post_id=p, view_id=f"{PREFIX}{start}-{k}", watch_ms=3000)
                for k, (u, p) in enumerate(pairs)
            ],
            batch_size=BATCH,
        )
        for _, p in pairs:
            views[p] = views.get(p, 0) + 1
    PostStats.objects.bulk_create(
        [PostStats(post_id=p, likes=likes.get(p, 0), impressions=views.get(p, 0)) for p in post_ids], batch_size=BATCH
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return ids


def seeded_people() -> list[int]:
    return list(User.objects.filter(username__startswith=PREFIX).values_list("pk", flat=True))


def database_cpu_seconds() -> float:
    """CPU time so far of this connection's PostgreSQL backend (same machine: its /proc entry), so
    the figures can be read apart from how busy the shared cores were (wall time waits for them)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


class Timer:
    """Wall time per page, and the CPU the pages cost in total (this process + the database backend)."""

    def __init__(self) -> None:
        self.rounds: list[float] = []
        self.app_cpu = self.db_cpu = 0.0

    def run(self, fn: object) -> None:
        db, app, started = database_cpu_seconds(), time.process_time(), time.perf_counter()
        fn()  # type: ignore[operator]
        self.rounds.append((time.perf_counter() - started) * 1000)
        self.app_cpu += time.process_time() - app
        self.db_cpu += database_cpu_seconds() - db  # in clock ticks (10 ms): exact only summed over pages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=200_000)
    ap.add_argument("--users", type=int, default=20_000)
    ap.add_argument("--interactions", type=int, default=2_000_000)
    ap.add_argument("--measure", type=int, default=200)
    ap.add_argument("--keep", action="store_true", help="leave the seeded rows (for bench/feed_load.py)")
    ap.add_argument("--clean", action="store_true", help="only delete rows an earlier --keep left")
    ap.add_argument("--no-seed", action="store_true", help="only measure, on the rows an earlier --keep left")
    args = ap.parse_args()
    if args.clean:
        clean()
        return
    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    if args.no_seed:
        ids, args.keep = seeded_people(), True
    else:
        started = time.perf_counter()
        with vector_index.index_dropped():
            ids = seed(args.posts, args.users, args.interactions, rng)
        took = time.perf_counter() - started
        print(f"seeded {args.posts:,} posts, {args.users:,} users, {args.interactions:,} interactions in {took:.0f} s")
    similar = "pgvector HNSW" if vector_index.search_enabled() else "NumPy fallback"
    print(f"{Post.objects.count():,} posts in the database; similarity: {similar}")
    try:
        embed(["warm up"])
        people = User.objects.in_bulk(rng.sample(ids, min(args.measure, len(ids))))
        for_you, following = Timer(), Timer()
        for person in people.values():
            for_you.run(lambda p=person: for_you_page(p, Cursor()))
            following.run(lambda p=person: following_page(p, Cursor(tab="following")))
        print("| page | wall p50 | p95 | max (ms) | CPU per page: app + database (ms) | pages |")
        for name, timer in (("For You", for_you), ("Following", following)):
            rounds = timer.rounds
            if len(rounds) < 2:
                continue
            q = statistics.quantiles(rounds, n=20)
            app, db = (1000 * total / len(rounds) for total in (timer.app_cpu, timer.db_cpu))
            print(
                f"| {name} | {statistics.median(rounds):.1f} | {q[18]:.1f} | {max(rounds):.1f} "
                f"| {app:.1f} + {db:.1f} | {len(rounds)} |"
            )
        print(f"load average: {os.getloadavg()[0]:.1f}")
    finally:
        if not args.keep:
            clean()


def clean() -> None:
    """Plain SQL: the ORM's cascade collector would load millions of rows into memory first."""
    users = f"SELECT id FROM {User._meta.db_table} WHERE username LIKE %s"
    posts = f"SELECT id FROM {Post._meta.db_table} WHERE author_id IN ({users})"
    statements = [
        (Impression, "post_id", posts),
        (Impression, "user_id", users),
        (Like, "post_id", posts),
        (Like, "user_id", users),
        (PostStats, "post_id", posts),
        (PostEmbedding, "post_id", posts),
        (Follow, "follower_id", users),
        (Post, "author_id", users),
    ]
    with connection.cursor() as cursor:
        for model, column, ids in statements:
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE {column} IN ({ids})", [PREFIX.replace("_", "\\_") + "%"]
            )
    User.objects.filter(username__startswith=PREFIX).delete()


if __name__ == "__main__":
    main()
