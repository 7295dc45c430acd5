"""Reads for creator analytics: a post's or a cameo's totals and daily counts, for its creator only.

Everything comes from the counters (`PostStats`) and their daily rows (`PostDay`), which the writes keep
in the same transaction (`feed.engagement.services.stats_bump`): a page is a handful of indexed reads,
never a scan of likes, comments or views.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Sum
from django.utils.translation import gettext

from cameos.models import Cameo
from cameos.selectors import cameo_get_for_viewer
from feed.accounts.models import User
from feed.engagement.models import PostDay, PostStats
from feed.engagement.services import today
from feed.posts.models import Post
from feed.posts.selectors import post_get_for_viewer
from sora_site.errors import DomainError

WINDOW_DAYS = 28
CAMEO_POSTS_MAX = 100
COUNTED = ("impressions", "completions", "watched", "likes", "comments", "shares", "downloads", "remixes")


@dataclass
class Counts:
    """Views and what people did, over a day or a lifetime. `watched` is the sum of each counted view's
    furthest point (per mille) over `watch_views` views: the views that have one (counted by day)."""

    impressions: int = 0
    completions: int = 0
    watched: int = 0
    watch_views: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    downloads: int = 0
    remixes: int = 0

    @property
    def watch_through(self) -> float | None:
        """The average share of the video watched, 0..1 (None before any view)."""
        return self.watched / (1000 * self.watch_views) if self.watch_views else None

    def rate(self, name: str) -> float | None:
        """`name` per view (a like rate, a remix rate), None before any view."""
        return getattr(self, name) / self.impressions if self.impressions else None

    @property
    def like_rate(self) -> float | None:
        return self.rate("likes")

    @property
    def remix_rate(self) -> float | None:
        return self.rate("remixes")

    def add(self, other: Counts) -> None:
        for name in (*COUNTED, "watch_views"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Day(Counts):
    day: dt.date = dt.date.min


@dataclass
class PostLine:
    """One post in a cameo's analytics: the post and its lifetime counts."""

    post: Post
    counts: Counts


@dataclass
class Analytics:
    totals: Counts
    days: list[Day]  # the last WINDOW_DAYS days, oldest first, a zero row for a day with nothing
    posts: list[PostLine] = field(default_factory=list)


def _forbidden() -> DomainError:
    return DomainError("analytics_forbidden", gettext("Only its creator can see these numbers."), status=403)


def _lifetime(stats: PostStats | None, watched: int, watch_views: int) -> Counts:
    if stats is None:
        return Counts(watched=watched, watch_views=watch_views)
    return Counts(
        impressions=stats.impressions,
        completions=stats.completions,
        watched=watched,
        watch_views=watch_views,
        likes=stats.likes,
        comments=stats.comments,
        shares=stats.shares,
        downloads=stats.downloads,
        remixes=stats.remixes,
    )


def _days(post_ids: Iterable[int], until: dt.date) -> list[Day]:
    """The posts' daily rows summed per day over the window ending `until` (the (post, day) index)."""
    since = until - dt.timedelta(days=WINDOW_DAYS - 1)
    rows = (
        PostDay.objects.filter(post_id__in=list(post_ids), day__gte=since, day__lte=until)
        .values("day")
        .annotate(**{name: Sum(name) for name in COUNTED})
    )
    found: dict[dt.date, dict[str, Any]] = {row["day"]: dict(row) for row in rows}  # the sums by name
    days = []
    for offset in range(WINDOW_DAYS):
        day = since + dt.timedelta(days=offset)
        counts: dict[str, int] = {name: found.get(day, {}).get(name) or 0 for name in COUNTED}
        days.append(Day(day=day, watch_views=counts["impressions"], **counts))
    return days


def _watch_sums(post_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Each post's (watched, views) over all its days: the views that carry how far they got."""
    rows = (
        PostDay.objects.filter(post_id__in=post_ids)
        .values("post_id")
        .annotate(watched=Sum("watched"), views=Sum("impressions"))
    )
    return {row["post_id"]: (row["watched"] or 0, row["views"] or 0) for row in rows}


def post_analytics(post_id: int, viewer: User) -> tuple[Post, Analytics]:
    """A post's numbers for its creator. Anyone else: the post's usual refusal when they may not see
    it (a private post "does not exist"), `analytics_forbidden` when they may (moderators too)."""
    post = post_get_for_viewer(post_id, viewer)
    if post.author_id != viewer.pk:
        raise _forbidden()
    watched, watch_views = _watch_sums([post.pk]).get(post.pk, (0, 0))
    totals = _lifetime(PostStats.objects.filter(post_id=post.pk).first(), watched, watch_views)
    return post, Analytics(totals=totals, days=_days([post.pk], today()))


def cameo_analytics(handle: str, viewer: User) -> tuple[Cameo, Analytics]:
    """A cameo's numbers for its owner: every posted video that used it (the owner already sees each in
    the cameo's ledger, whoever made it), most viewed first, with their totals and the days summed."""
    cameo = cameo_get_for_viewer(handle, viewer)
    if cameo.owner_id != viewer.pk:
        raise _forbidden()
    posts = list(
        Post.objects.filter(job__cameo_usages__cameo=cameo)
        .select_related("author", "stats")
        .order_by(F("stats__impressions").desc(nulls_last=True), "-created_at")[:CAMEO_POSTS_MAX]
    )
    ids = [post.pk for post in posts]
    watch = _watch_sums(ids)
    lines = [
        PostLine(post=post, counts=_lifetime(getattr(post, "stats", None), *watch.get(post.pk, (0, 0))))
        for post in posts
    ]
    totals = Counts()
    for line in lines:
        totals.add(line.counts)
    return cameo, Analytics(totals=totals, days=_days(ids, today()), posts=lines)
