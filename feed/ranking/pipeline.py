"""The For You and Following feeds, put together from the sources and the pure stages:

sources -> load candidates -> hard_filter -> score -> diversify -> page (+ cursor), with the popular
fallback for people the feed knows nothing about, and the well-being limits around it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import BinaryField, Case, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from feed.accounts.models import User
from feed.engagement.models import Comment, Impression, Like, NotInterested
from feed.graph.models import Block, Follow
from feed.posts.models import Post
from feed.posts.selectors import posts_reported_by, posts_visible_to
from feed.ranking import sources
from feed.ranking.cursor import Cursor
from feed.ranking.embeddings import embeddings_for, kept_vectors, topic_vector, vector_of
from feed.ranking.models import FeedPreferences
from feed.ranking.stages import diversify, hard_filter, reasons, score, taste_vector
from feed.ranking.steering import chips_from_json, steering_terms
from feed.ranking.types import Candidate, Viewer
from feed.ranking.wellbeing import limits_for, watched_today
from sora_site.db import AnyOf

SEEN_DAYS = 30
RawVector = bytes | memoryview  # a stored embedding as the database hands it back
TASTE_EVENTS = 100


@dataclass
class FeedItem:
    post: Post
    reasons: list[str] = field(default_factory=list)


@dataclass
class FeedPage:
    items: list[FeedItem]
    cursor: Cursor | None  # None: nothing more
    break_at: int | None = None  # the "take a break" card goes before items[break_at]
    cap_reached: bool = False


def viewer_load(user: User | None, *, served: list[int], prefs: FeedPreferences | None) -> Viewer:
    """Read what ranking needs about this person: graph, blocks, seen, dislikes, taste, steering
    (`prefs`: their preferences row as the caller read it, None when they have none). Each read of
    engaged posts brings their vectors along (a join), so taste costs no query of its own."""
    now = timezone.now()
    if user is None:
        return Viewer(user_id=None, now=now, seen=frozenset(served))
    following, followers, hidden = _graph(user)
    since = now - dt.timedelta(days=SEEN_DAYS)
    seen = frozenset(Impression.objects.filter(user=user, created_at__gte=since).values_list("post_id", flat=True))
    not_interested = list(
        NotInterested.objects.filter(user=user)
        .order_by("-pk")
        .values_list("post_id", "post__author_id", "post__embedding__vector")[:500]
    )
    disliked: list[tuple[int, RawVector | None]] = [(pk, raw) for pk, _, raw in not_interested[:20]]  # topics damped
    damped: dict[int, int] = {}
    for _, author_id, _ in not_interested:
        damped[author_id] = damped.get(author_id, 0) + 1
    liked = list(
        Like.objects.filter(user=user)
        .order_by("-created_at")
        .values_list("post_id", "post__author_id", "created_at", "post__embedding__vector")[:TASTE_EVENTS]
    )
    liked_authors: dict[int, int] = {}
    for _, author_id, *_ in liked:
        liked_authors[author_id] = liked_authors.get(author_id, 0) + 1
    engaged = [(pk, 1.0, at, raw) for pk, _, at, raw in liked] + _engaged(user)
    stored = [(pk, raw) for pk, _, _, raw in engaged] + disliked
    vectors = {pk: vector_of(raw) for pk, raw in stored if raw is not None}
    missing = {pk for pk, _ in stored} - vectors.keys()
    if missing:
        vectors.update(embeddings_for(missing))
    taste = taste_vector(
        [(vectors[pk], weight, (now - at).total_seconds() / 86400) for pk, weight, at, _ in engaged if pk in vectors]
    )
    chips = chips_from_json(prefs.steering) if prefs else []
    return Viewer(
        user_id=user.pk,
        now=now,
        is_teen=user.is_teen,
        following=following,
        mutuals=following & followers,
        hidden_authors=hidden,
        seen=seen | frozenset(served) | frozenset(pk for pk, *_ in liked),
        # A post this person reported never comes back to them (moderation decides for everyone else).
        not_interested_posts=frozenset(pk for pk, *_ in not_interested) | posts_reported_by(user),
        damped_authors=damped,
        damped_vectors=[vectors[pk] for pk, _ in disliked if pk in vectors],
        liked_authors=liked_authors,
        taste=taste,
        steering=steering_terms(chips, [topic_vector(chip.topic) for chip in chips]),
    )


def _graph(user: User) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    """(whom they follow, who follows them, people hidden by a block either way) in one query."""
    follows = Follow.objects.filter(Q(follower=user) | Q(followee=user)).annotate(block=Value(False))
    blocks = Block.objects.filter(Q(blocker=user) | Q(blocked=user)).annotate(block=Value(True))
    rows = follows.values_list("follower_id", "followee_id", "block").union(
        blocks.values_list("blocker_id", "blocked_id", "block"), all=True
    )
    following, followers, hidden = set(), set(), set()
    for a, b, block in rows:
        if block:
            hidden.add(b if a == user.pk else a)
        elif a == user.pk:
            following.add(b)
        else:
            followers.add(a)
    return frozenset(following), frozenset(followers), frozenset(hidden)


def _engaged(user: User) -> list[tuple[int, float, dt.datetime, RawVector | None]]:
    """(post, weight, when, its vector) of what the person engaged with besides likes: comments 1,
    their remixes of a post 2, views watched to the end 0.5."""
    comments = (
        Comment.objects.filter(author=user)
        .order_by("-created_at")
        .values_list("post_id", "created_at", "post__embedding__vector")[:50]
    )
    remixes = (
        Post.objects.filter(author=user, remix_of__isnull=False)
        .order_by("-created_at")
        .values_list("remix_of_id", "created_at", "remix_of__embedding__vector")[:50]
    )
    completed = (
        Impression.objects.filter(user=user, completed=True)
        .order_by("-created_at")
        .values_list("post_id", "created_at", "post__embedding__vector")[:TASTE_EVENTS]
    )
    events: list[tuple[int, float, dt.datetime, RawVector | None]] = [(pk, 1.0, at, raw) for pk, at, raw in comments]
    events += [(pk, 2.0, at, raw) for pk, at, raw in remixes if pk is not None]
    events += [(pk, 0.5, at, raw) for pk, at, raw in completed]
    return events


def candidates_load(proposed: dict[int, set[str]]) -> list[Candidate]:
    """One query for the posts with their counters and the vectors this process does not keep yet
    (`kept_vectors`), one for the authors among them who are inactive or whose profile a moderator hid
    (posts not embedded yet are embedded now, see `embeddings_for`)."""
    kept = kept_vectors.known(proposed)
    # The vectors kept are not sent again: NULL in their place.
    vector = Case(When(AnyOf("pk", kept), then=Value(None)), default=F("embedding__vector"), output_field=BinaryField())
    query = (
        Post.objects.filter(AnyOf("pk", proposed))
        .annotate(stored_vector=vector)
        .values_list(
            "pk",
            "author_id",
            "created_at",
            "caption",
            "prompt",
            "show_prompt",
            "visibility",
            "taken_down_at",
            "teen_suitable",
            "stored_vector",
            "stats__likes",
            "stats__comments",
            "stats__shares",
            "stats__remixes",
            "stats__impressions",
            "stats__completions",
            "stats__not_interested",
            "remix_of_id",
        )
    )
    rows = list(query)
    # Authors apart, not joined: PostgreSQL would hash the whole users table for a few hundred rows.
    authors = {row[1] for row in rows}
    unshown = User.objects.filter(Q(is_active=False) | Q(profile_hidden_at__isnull=False), AnyOf("pk", authors))
    hidden_authors = set(unshown.values_list("pk", flat=True))
    read = {row[0]: vector_of(row[9]) for row in rows if row[9] is not None}
    missing = {row[0] for row in rows} - read.keys() - kept.keys()
    read.update(embeddings_for(missing) if missing else {})
    kept_vectors.keep(read)
    vectors = kept | read
    out: list[Candidate] = []
    for row in rows:
        pk, author_id, created_at, caption, prompt, show_prompt, visibility, taken_down_at, teen_ok = row[:9]
        likes, comments, shares, remixes, impressions, completions, not_interested = (n or 0 for n in row[10:17])
        out.append(
            Candidate(
                post_id=pk,
                author_id=author_id,
                created_at=created_at,
                text=f"{caption} {prompt if show_prompt else ''}".lower(),
                sources=proposed[pk],
                vector=vectors.get(pk),
                visibility=visibility,
                taken_down=taken_down_at is not None,
                teen_suitable=teen_ok,
                author_shown=author_id not in hidden_authors,
                likes=likes,
                comments=comments,
                shares=shares,
                remixes=remixes,
                impressions=impressions,
                completions=completions,
                not_interested=not_interested,
                is_remix=row[17] is not None,
            )
        )
    return out


def propose(viewer: Viewer) -> dict[int, set[str]]:
    """Run every source; the popular fallback only when the others know too little about the person."""
    proposed: dict[int, set[str]] = {}
    for name, (source, limit) in sources.SOURCES.items():
        if name == "popular":
            continue
        for pk in source(viewer, limit):
            proposed.setdefault(pk, set()).add(name)
    knows_little = not viewer.following and viewer.taste is None
    if knows_little or len(proposed) < 2 * settings.FEED_PAGE_SIZE:
        source, limit = sources.SOURCES["popular"]
        for pk in source(viewer, limit):
            proposed.setdefault(pk, set()).add("popular")
    return proposed


def rank(viewer: Viewer, *, limit: int) -> list[tuple[int, list[str]]]:
    """(post id, reasons) of the next `limit` posts for this viewer, best first."""
    kept = hard_filter(candidates_load(propose(viewer)), viewer)
    return [(item.candidate.post_id, reasons(item)) for item in diversify(score(kept, viewer), limit=limit)]


def for_you_page(user: User | None, cursor: Cursor, *, hide_remixes: bool = False) -> FeedPage:
    prefs = FeedPreferences.objects.filter(user=user).first() if user is not None else None
    limits = limits_for(user, prefs)
    page_size = settings.FEED_PAGE_SIZE
    if user is not None and limits is not None:
        left = limits.daily_cap - watched_today(user, besides=cursor.served) - cursor.shown
        if left <= 0:
            return FeedPage(items=[], cursor=None, cap_reached=True)
        page_size = min(page_size, left)
    viewer = viewer_load(user, served=cursor.served, prefs=prefs)
    viewer.hide_remixes = hide_remixes
    ranked = rank(viewer, limit=page_size)
    if not ranked and len(viewer.seen) > len(cursor.served):
        # Everything new was watched: offer rewatches (never twice in one scroll) rather than nothing.
        viewer.seen = frozenset(cursor.served)
        ranked = [(pk, [gettext("You watched this before."), *why]) for pk, why in rank(viewer, limit=page_size)]
    posts = Post.objects.select_related("author", "job").in_bulk([pk for pk, _ in ranked])
    items = [FeedItem(post=posts[pk], reasons=why) for pk, why in ranked if pk in posts]
    shown = cursor.shown + len(items)
    break_at = None
    if limits is not None:
        due = [i for i in range(len(items)) if cursor.shown + i > 0 and (cursor.shown + i) % limits.break_after == 0]
        break_at = due[0] if due else None
    next_cursor = Cursor(tab="foryou", served=[*cursor.served, *(item.post.pk for item in items)], shown=shown)
    return FeedPage(items=items, cursor=next_cursor if items else None, break_at=break_at)


def following_page(user: User, cursor: Cursor, *, hide_remixes: bool = False) -> FeedPage:
    """Newest first from the people you follow, of the posts you may see (`posts_visible_to`, the rule
    every list follows: not in review, not taken down, no blocks, nothing you reported, teen rules); a
    keyset cursor, so pages never shift."""
    posts = (
        posts_visible_to(user)
        .filter(author__follower_edges__follower=user)
        .select_related("author", "job")
        .order_by("-created_at", "-pk")
    )
    if hide_remixes:
        posts = posts.filter(remix_of=None)
    return _keyset_page(posts, cursor, reason=gettext("From someone you follow."))


def cameo_page(user: User | None, cameo_id: int, cursor: Cursor, *, hide_remixes: bool = False) -> FeedPage:
    """The feed filter "with @someone's cameo": the posts showing that cameo that the viewer may see,
    newest first (the caller checked they may find the cameo). The cursor's tab names the cameo."""
    posts = posts_visible_to(user).filter(job__cameo_usages__cameo_id=cameo_id).select_related("author", "job")
    if hide_remixes:
        posts = posts.filter(remix_of=None)
    return _keyset_page(posts.order_by("-created_at", "-pk"), cursor, reason=gettext("It shows the cameo you chose."))


def _keyset_page(posts: QuerySet[Post], cursor: Cursor, *, reason: str) -> FeedPage:
    """A page of a newest-first list of posts (ordered by created_at, id), from a keyset cursor."""
    key = cursor.before_key
    if key is not None:
        posts = posts.filter(Q(created_at__lt=key[0]) | Q(created_at=key[0], pk__lt=key[1]))
    page = list(posts[: settings.FEED_PAGE_SIZE + 1])
    items = [FeedItem(post=post, reasons=[reason]) for post in page[: settings.FEED_PAGE_SIZE]]
    more = len(page) > settings.FEED_PAGE_SIZE
    last = items[-1].post if items else None
    next_cursor = Cursor(tab=cursor.tab, before=(last.created_at.isoformat(), last.pk)) if more and last else None
    return FeedPage(items=items, cursor=next_cursor)
