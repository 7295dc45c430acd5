"""Benchmark: fill PostgreSQL with a feed-sized world, then time For You and Following server-side.

    DATABASE_URL=postgres://... .venv/bin/python bench/seed_feed.py [--posts 200000 --users 20000
        --interactions 2000000] [--in-database] [--measure 200] [--keep | --clean]

Seeds into the database DATABASE_URL names (migrated first): users, follows (20 each), posts over
the last 30 days, likes and views (half each of --interactions), counters and embeddings. The
seeded rows are deleted at the end unless --keep; --clean deletes what a --keep left.

Embeddings are synthetic, labelled as such: the real MiniLM vectors of 48 topic phrases plus noise,
so similarity has the shape it has on real captions without embedding every post (about 400 a
second on one core). Then, for --measure random people, the time of `for_you_page` and
`following_page` inside the process (server time, no HTTP), as p50 / p95 / max milliseconds, and the
CPU those pages cost on average (this process plus its PostgreSQL backend), which a busy machine
inflates far less than the wall time. --no-seed measures again on the rows a --keep left.

--in-database makes the same rows with PostgreSQL doing the work (`seed_in_database`: INSERT ...
SELECT over generate_series, the embeddings as one binary COPY per batch), in batches with progress
lines: the ORM path makes about 150 posts a second with their interactions, too slow for 1,000,000.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import time
from collections.abc import Container
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
from django.db import connection, models  # noqa: E402
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
SQL_BATCH = 100_000  # posts per INSERT ... SELECT and COPY (--in-database)
PAIR_BATCH = 500_000  # interactions per INSERT ... SELECT (--in-database)


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


def _insert_select(model: type[models.Model], values: dict[str, str], source: str) -> str:
    """`INSERT INTO <model's table> (...) SELECT ... <source>` with the SQL in `values` for those columns
    (by attname) and every other column its model default: Django keeps defaults in Python, not in the
    table, so they go as parameters (`_params`). The auto-increment primary key is left to the table."""
    columns, exprs = [], []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.AutoField):
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.attname in values:
            exprs.append(values[field.attname])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            exprs.append("now()")
        else:
            exprs.append("%s")
    return f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(exprs)} {source}"


def _params(model: type[models.Model], values: Container[str]) -> list[object]:
    """The defaults `_insert_select` left as %s, in its column order."""
    return [
        field.get_db_prep_save(field.get_default(), connection)
        for field in model._meta.concrete_fields
        if not isinstance(field, models.AutoField)
        and field.attname not in values
        and not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    ]


def _execute(model: type[models.Model], values: dict[str, str], source: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_insert_select(model, values, source), _params(model, values))
        return cursor.rowcount


def _embeddings_copy(ids: np.ndarray, vectors: np.ndarray, with_column: bool) -> None:
    """One binary COPY into PostEmbedding: the float32 bytes (`vector`) and, where pgvector's column
    exists, the same vector in its binary form (int16 dimensions, int16 0, big-endian float4s), laid
    out by NumPy as fixed-size rows of PostgreSQL's binary COPY format."""
    dims = vectors.shape[1]
    layout = [("fields", ">i2"), ("id_len", ">i4"), ("id", ">i8"), ("bytes_len", ">i4"), ("bytes", "<f4", dims)]
    if with_column:
        layout += [("vec_len", ">i4"), ("dims", ">i2"), ("unused", ">i2"), ("vec", ">f4", dims)]
    rows = np.zeros(len(ids), dtype=np.dtype(layout))
    rows["fields"], rows["id_len"], rows["id"] = (3 if with_column else 2), 8, ids
    rows["bytes_len"], rows["bytes"] = 4 * dims, vectors
    if with_column:
        rows["vec_len"], rows["dims"], rows["vec"] = 4 + 4 * dims, dims, vectors
    columns = "post_id, vector, embedding" if with_column else "post_id, vector"
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {PostEmbedding._meta.db_table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.write(b"PGCOPY\n\xff\r\n\x00" + bytes(8) + rows.tobytes() + b"\xff\xff")


def seed_in_database(posts: int, users: int, interactions: int, seed_value: int = 7) -> list[int]:
    """The rows `seed` makes, with the same distributions, made by PostgreSQL: people, ~20 follows each
    (random others), posts by random authors over the last 30 days on one of the 48 topics, their
    embeddings (the topic's MiniLM vector plus N(0, 0.05) noise, normalised: NumPy, sent by COPY), then
    interactions / 2 random (person, post) pairs, each a like and a 3-second view, and the counters.
    random() is seeded (setseed), so a run is repeatable on an empty database."""
    started = time.perf_counter()
    now = timezone.now()

    def progress(what: str) -> None:
        cpu = f"CPU app {time.process_time():.0f} s + database {database_cpu_seconds():.0f} s"
        print(f"  {time.perf_counter() - started:6.0f} s ({cpu}): {what}", flush=True)

    user_table, post_table = User._meta.db_table, Post._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SELECT setseed(%s)", [1 / (seed_value + 1)])
    for start in range(0, users, SQL_BATCH):
        birth = now.date().replace(year=1990).isoformat()
        _execute(
            User,
            {"username": f"'{PREFIX}' || g.i", "password": "'!'", "birth_date": f"DATE '{birth}'"},
            f"FROM generate_series({start}, {min(users, start + SQL_BATCH) - 1}) AS g(i)",
        )
    with connection.cursor() as cursor:
        # Seeded people and posts numbered 0..n-1, so a random number picks one by a hash join.
        cursor.execute(
            "CREATE TEMP TABLE bench_people AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id"
            f" FROM {user_table} WHERE starts_with(username, '{PREFIX}')"
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_people (n)")
        cursor.execute("ANALYZE bench_people")
    progress(f"{users:,} people")
    follows = _execute(
        Follow,
        {"follower_id": "s.follower", "followee_id": "p.id"},
        # 20 different people each, as `seed`'s sample (of 30 draws, at most 20 distinct are kept).
        "FROM (SELECT follower, n, row_number() OVER (PARTITION BY follower ORDER BY random()) AS k FROM"
        f" (SELECT DISTINCT f.id AS follower, floor(random() * {users})::int AS n"
        " FROM bench_people AS f, generate_series(1, 30)) AS d) AS s JOIN bench_people AS p USING (n)"
        " WHERE s.k <= 20 AND p.id <> s.follower ON CONFLICT DO NOTHING",
    )
    progress(f"{follows:,} follows")

    phrase_vectors = embed(PHRASES)
    assert phrase_vectors is not None
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_phrases (topic int PRIMARY KEY, phrase text)")
        cursor.execute(
            "INSERT INTO bench_phrases SELECT * FROM unnest(%s::int[], %s::text[])",
            [list(range(len(PHRASES))), PHRASES],
        )
    with_column = vector_index.column_present()
    noise = np.random.default_rng(seed_value)
    for start in range(0, posts, SQL_BATCH):
        end = min(posts, start + SQL_BATCH)
        with connection.cursor() as cursor:
            cursor.execute(
                _insert_select(
                    Post,
                    {
                        "author_id": "p.id",
                        "video": f"'posts/{PREFIX}' || s.i || '.mp4'",
                        "caption": "t.phrase",
                        "prompt": "t.phrase",
                        "created_at": "now() - s.age * interval '30 days'",
                    },
                    f"FROM (SELECT g.i, floor(random() * {users})::int AS n, floor(random() * {len(PHRASES)})::int"
                    f" AS topic, random() AS age FROM generate_series({start}, {end - 1}) AS g(i)) AS s"
                    " JOIN bench_people AS p USING (n) JOIN bench_phrases AS t USING (topic)"
                    " ORDER BY s.i RETURNING id, caption",
                ),
                _params(Post, {"author_id", "video", "caption", "prompt", "created_at"}),
            )
            made = cursor.fetchall()
        ids = np.array([pk for pk, _ in made], dtype=np.int64)
        topics = np.array([PHRASES.index(caption) for _, caption in made])
        noisy = phrase_vectors[topics] + noise.normal(0, 0.05, (len(made), phrase_vectors.shape[1]))
        vectors = (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)
        _embeddings_copy(ids, vectors, with_column)
        progress(f"{end:,} posts and their embeddings")

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_posts AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id"
            f" FROM {post_table} WHERE author_id IN (SELECT id FROM bench_people)"
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_posts (n)")
        cursor.execute("ANALYZE bench_posts")
    half = interactions // 2
    for start in range(0, half, PAIR_BATCH):
        n = min(PAIR_BATCH, half - start)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_pairs")
            # Sorted by person: the likes' and views' person-first indexes then fill page after page.
            cursor.execute(
                "CREATE TEMP TABLE bench_pairs AS SELECT DISTINCT p.id AS user_id, q.id AS post_id"
                f" FROM (SELECT floor(random() * {users})::int AS a, floor(random() * {posts})::int AS b"
                f" FROM generate_series(1, {n})) AS r JOIN bench_people AS p ON p.n = r.a"
                " JOIN bench_posts AS q ON q.n = r.b ORDER BY 1, 2"
            )
        _execute(Like, {"user_id": "user_id", "post_id": "post_id"}, "FROM bench_pairs ON CONFLICT DO NOTHING")
        _execute(
            Impression,
            {
                "user_id": "user_id",
                "post_id": "post_id",
                "view_id": f"'{PREFIX}{start}-' || row_number() OVER ()",
                "watch_ms": "3000",
            },
            "FROM bench_pairs",
        )
        progress(f"{start + n:,} of {half:,} likes and views")
    like_table, view_table = Like._meta.db_table, Impression._meta.db_table
    _execute(
        PostStats,
        {"post_id": "q.id", "likes": "coalesce(l.c, 0)", "impressions": "coalesce(v.c, 0)"},
        f"FROM bench_posts AS q LEFT JOIN (SELECT post_id, count(*) AS c FROM {like_table} GROUP BY 1) AS l"
        f" ON l.post_id = q.id LEFT JOIN (SELECT post_id, count(*) AS c FROM {view_table} GROUP BY 1) AS v"
        " ON v.post_id = q.id",
    )
    progress(f"{posts:,} post counters")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM bench_people ORDER BY n")
        people = [pk for (pk,) in cursor.fetchall()]
        cursor.execute("DROP TABLE bench_people, bench_posts, bench_phrases, bench_pairs")
        cursor.execute("SET synchronous_commit = on")
    return people


def vacuum_analyze() -> None:
    """Visibility maps and statistics for the freshly loaded tables (what autovacuum would reach later),
    so the measurement sees the plans a settled database gets."""
    with connection.cursor() as cursor:
        for model in (User, Follow, Post, PostEmbedding, Like, Impression, PostStats):
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")


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
    ap.add_argument("--in-database", action="store_true", help="seed with INSERT ... SELECT and COPY (for 1M)")
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
            if args.in_database:
                ids = seed_in_database(args.posts, args.users, args.interactions)
            else:
                ids = seed(args.posts, args.users, args.interactions, rng)
        if args.in_database:
            print(f"  {time.perf_counter() - started:7.0f} s HNSW index built", flush=True)
            vacuum_analyze()
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
