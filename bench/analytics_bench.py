"""Benchmark: creator analytics, server-side: the pages' reads and the writes that keep the daily rows.

    DATABASE_URL=postgres://... .venv/bin/python bench/analytics_bench.py [--posts 2000 --days 90]
        [--cameo-posts 100] [--measure 200]

Seeds into the database DATABASE_URL names (migrated first) --posts posts, each with a `PostDay` row
for every one of the last --days days (as if viewed and liked every day), and a cameo used by
--cameo-posts of them. Then times, inside the process (no HTTP), p50 / p95 / max wall milliseconds
and the CPU per call (this process + its PostgreSQL backend) of: a post's analytics
(`post_analytics`: totals and 28 days), a cameo's (`cameo_analytics`: its posts' totals and their
days summed), and the writes: one view through the beacon's service (`impressions_record`, a new
viewer each time: Impression, DailyView, PostStats and PostDay) and a like then an unlike
(`like_set`: the like, PostStats and PostDay). The seeded rows are deleted at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# bench.seed_feed sets Django up (sorted before the app's own imports, which need it).
from django.core.management import call_command

from bench.seed_feed import Timer
from cameos.models import Cameo, CameoUsage
from feed.analytics.selectors import cameo_analytics, post_analytics
from feed.engagement import services
from feed.engagement.models import PostDay, PostStats
from feed.models import Post, User
from generation.models import GenerationJob

PREFIX = "abench_"
BATCH = 10_000


def seed(posts: int, days: int, cameo_posts: int, rng: random.Random) -> tuple[User, Cameo, list[Post]]:
    creator = User.objects.create(username=f"{PREFIX}creator", birth_date=dt.date(1990, 1, 1))
    made = Post.objects.bulk_create(
        [Post(author=creator, video=f"posts/{PREFIX}{i}.mp4", caption=f"{PREFIX}{i}") for i in range(posts)],
        batch_size=BATCH,
    )
    today = services.today()
    rows = [
        PostDay(
            post=post,
            day=today - dt.timedelta(days=ago),
            impressions=(views := rng.randint(0, 400)),
            completions=views // 3,
            watched=views * rng.randint(200, 1000),
            likes=views // 10,
            comments=views // 50,
            shares=views // 80,
            remixes=views // 200,
        )
        for post in made
        for ago in range(days)
    ]
    PostDay.objects.bulk_create(rows, batch_size=BATCH)
    PostStats.objects.bulk_create([PostStats(post=post, impressions=days * 200) for post in made], batch_size=BATCH)
    cameo = Cameo.objects.create(owner=creator, handle=f"{PREFIX}cameo", status=Cameo.Status.ACTIVE)
    for post in made[:cameo_posts]:
        job = GenerationJob.objects.create(owner=creator, prompt="a bench", seconds=4, width=720, height=1280, seed=1)
        CameoUsage.objects.create(cameo=cameo, job=job)
        Post.objects.filter(pk=post.pk).update(job=job)
    return creator, cameo, made


def clean() -> None:
    User.objects.filter(username__startswith=PREFIX).delete()  # posts, days, cameo and jobs go with them


def report(name: str, timer: Timer) -> None:
    rounds = sorted(timer.rounds)
    p95 = rounds[int(0.95 * (len(rounds) - 1))]
    app, database = (1000 * seconds / len(rounds) for seconds in (timer.app_cpu, timer.db_cpu))
    cpu = f"CPU per call: app {app:.1f} + database {database:.1f} ms"
    print(f"{name:<34} p50 {statistics.median(rounds):7.2f} ms  p95 {p95:7.2f} ms  max {rounds[-1]:7.2f} ms  {cpu}")


def timed(times: int, fn: Callable[[int], object]) -> Timer:
    timer = Timer()
    for i in range(times):
        timer.run(lambda i=i: fn(i))
    return timer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=2_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--cameo-posts", type=int, default=100)
    ap.add_argument("--measure", type=int, default=200)
    args = ap.parse_args()
    call_command("migrate", verbosity=0)
    clean()
    rng = random.Random(24)
    started = time.perf_counter()
    creator, cameo, posts = seed(args.posts, args.days, args.cameo_posts, rng)
    print(f"seeded {len(posts)} posts x {args.days} days in {time.perf_counter() - started:.1f} s")
    try:
        report("post_analytics", timed(args.measure, lambda i: post_analytics(rng.choice(posts).pk, creator)))
        cameo_timer = timed(args.measure, lambda i: cameo_analytics(cameo.handle, creator))
        report(f"cameo_analytics ({args.cameo_posts} posts)", cameo_timer)
        viewers = User.objects.bulk_create(
            [User(username=f"{PREFIX}v{i}", birth_date=dt.date(1990, 1, 1)) for i in range(args.measure)]
        )

        def view(i: int) -> None:
            watched = services.ImpressionReport(
                post_id=rng.choice(posts).pk, view_id=f"v{i}", watch_ms=2000, completed=False, replays=0
            )
            services.impressions_record(user=viewers[i], reports=[watched])

        report("impressions_record (one view)", timed(args.measure, view))

        def like_and_unlike(i: int) -> None:
            for liked in (True, False):
                services.like_set(user=viewers[i], post=posts[0], liked=liked)

        report("like_set (like, then unlike)", timed(args.measure // 2, like_and_unlike))
    finally:
        clean()


if __name__ == "__main__":
    main()
