"""Benchmark: search at the feed's scale, server-side.

    DATABASE_URL=postgres://... .venv/bin/python bench/search_bench.py [--posts 200000 --users 20000]
        [--measure 200] [--keep | --clean | --no-seed]

Seeds into the database DATABASE_URL names (migrated first) people with display names and posts whose
captions and prompts draw words Zipf-distributed from a 3,000-word vocabulary (a few words match a
tenth of all posts, most a handful), one post in five in Japanese, one in four with #tags, and indexes
them as the app does (`feed.search.services`, janome for the Japanese). Then, as --measure random
people, times what the search page and its typeahead ask, inside the process (no HTTP): posts by a
word, by two words, by a word's start (typeahead), by a Japanese word; people by a name's start;
hashtags by a start; a hashtag's page; and the whole typeahead (people + tags + cameos + posts) as the view runs it.
p50 / p95 / max milliseconds per query. The seeded rows are deleted at the end unless --keep.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# bench.seed_feed sets Django up (sorted before the app's own imports, which need it).
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from bench.seed_feed import Timer
from feed.models import Post, User
from feed.search import selectors
from feed.search.models import PersonSearch, PostSearch, PostTag
from feed.search.services import people_index, posts_index

PREFIX = "sbench_"
BATCH = 5_000
SYLLABLES = ["ka", "ri", "to", "me", "su", "no", "ha", "ze", "lo", "vi", "pu", "ne", "dra", "sol", "mir", "ten"]
JAPANESE = (
    "猫 犬 海辺 夕暮れ 宇宙 料理 ラーメン 桜 電車 山道 花火 雨 "
    "東京 京都 祭り 散歩 踊る 走る 眠る 歌う ロボット ダンス 寿司 雪"
).split()
NAMES = ["Aki", "Ben", "Chloe", "Dev", "Emi", "Femi", "Gus", "Hana", "Ivan", "Jun", "Kai", "Lena", "Mika", "Noor"]


def vocabulary(rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < 3000:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def zipf(words: list[str], rng: random.Random, k: int) -> list[str]:
    weights = [1 / (rank + 1) for rank in range(len(words))]
    return rng.choices(words, weights=weights, k=k)


def caption_of(words: list[str], rng: random.Random) -> str:
    if rng.random() < 0.2:
        return "".join(rng.sample(JAPANESE, 3)) + ("、#" + rng.choice(JAPANESE) if rng.random() < 0.25 else "")
    text = " ".join(zipf(words, rng, rng.randint(4, 10)))
    return text + (f" #{zipf(words, rng, 1)[0]}" if rng.random() < 0.25 else "")


def seed(posts: int, users: int, words: list[str], rng: random.Random) -> list[int]:
    now = timezone.now()
    people = User.objects.bulk_create(
        [
            User(
                username=f"{PREFIX}{i}",
                display_name=f"{rng.choice(NAMES)} {rng.choice(words).title()}",
                password="!",
                birth_date=now.date().replace(year=1990),
            )
            for i in range(users)
        ],
        batch_size=BATCH,
    )
    for start in range(0, len(people), BATCH):
        people_index(people[start : start + BATCH])
    ids = [person.pk for person in people]
    for start in range(0, posts, BATCH):
        batch = [
            Post(
                author_id=rng.choice(ids),
                video=f"posts/{PREFIX}{i}.mp4",
                caption=caption_of(words, rng),
                prompt=" ".join(zipf(words, rng, 8)),
                created_at=now - timezone.timedelta(hours=rng.uniform(0, 24 * 30)),
            )
            for i in range(start, min(posts, start + BATCH))
        ]
        posts_index(Post.objects.bulk_create(batch))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=200_000)
    ap.add_argument("--users", type=int, default=20_000)
    ap.add_argument("--measure", type=int, default=200)
    ap.add_argument("--keep", action="store_true", help="leave the seeded rows")
    ap.add_argument("--clean", action="store_true", help="only delete rows an earlier --keep left")
    ap.add_argument("--no-seed", action="store_true", help="only measure, on the rows an earlier --keep left")
    args = ap.parse_args()
    if args.clean:
        clean()
        return
    call_command("migrate", verbosity=0)
    rng = random.Random(11)
    words = vocabulary(rng)
    if args.no_seed:
        ids, args.keep = list(User.objects.filter(username__startswith=PREFIX).values_list("pk", flat=True)), True
    else:
        started = time.perf_counter()
        ids = seed(args.posts, args.users, words, rng)
        print(
            f"seeded and indexed {args.posts:,} posts, {args.users:,} people in {time.perf_counter() - started:.0f} s"
        )
    print(f"{PostSearch.objects.count():,} posts and {PersonSearch.objects.count():,} people indexed")
    try:
        viewers = list(User.objects.in_bulk(rng.sample(ids, min(args.measure, len(ids)))).values())
        queries = {
            "posts: one word": lambda v: selectors.posts_search(v, zipf(words, rng, 1)[0]),
            "posts: two words": lambda v: selectors.posts_search(v, " ".join(zipf(words, rng, 2))),
            "posts: a word's start": lambda v: selectors.posts_search(v, zipf(words, rng, 1)[0][:3], prefix=True),
            "posts: Japanese": lambda v: selectors.posts_search(v, rng.choice(JAPANESE)),
            "people: a name's start": lambda v: selectors.people_search(v, rng.choice(NAMES)[:2], prefix=True),
            "hashtags: a start": lambda v: selectors.hashtags_search(v, zipf(words, rng, 1)[0][:2]),
            "a hashtag's page": lambda v: list(selectors.posts_tagged(v, zipf(words, rng, 1)[0])),
            "typeahead (all four)": lambda v: typeahead(v, zipf(words, rng, 1)[0][:3]),
        }
        timers = {name: Timer() for name in queries}
        for viewer in viewers:
            for name, query in queries.items():
                timers[name].run(lambda q=query, v=viewer: q(v))
        print("| query | wall p50 | p95 | max (ms) | CPU per query: app + database (ms) | queries |")
        for name, timer in timers.items():
            rounds = timer.rounds
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


def typeahead(viewer: User, text: str) -> None:
    """What `feed.search.views.suggest` asks."""
    selectors.people_search(viewer, text, prefix=True, limit=3)
    selectors.hashtags_search(viewer, text, limit=3)
    selectors.cameos_search(viewer, text, limit=3)
    selectors.posts_search(viewer, text, prefix=True, limit=3)


def clean() -> None:
    """Plain SQL, like bench/seed_feed.py (the index rows go with their posts and people: CASCADE in
    the ORM only, so they are deleted first)."""
    users = f"SELECT id FROM {User._meta.db_table} WHERE username LIKE %s"
    posts = f"SELECT id FROM {Post._meta.db_table} WHERE author_id IN ({users})"
    like = PREFIX.replace("_", "\\_") + "%"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PostSearch._meta.db_table} WHERE post_id IN ({posts})", [like])
        cursor.execute(f"DELETE FROM {PostTag._meta.db_table} WHERE post_id IN ({posts})", [like])
        cursor.execute(f"DELETE FROM {PersonSearch._meta.db_table} WHERE user_id IN ({users})", [like])
        cursor.execute(f"DELETE FROM {Post._meta.db_table} WHERE author_id IN ({users})", [like])
    User.objects.filter(username__startswith=PREFIX).delete()


if __name__ == "__main__":
    main()
