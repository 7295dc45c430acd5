"""Search: people, posts, hashtags and cameos, ranked, each through the same visibility rules as the
rest of the app (`posts_visible_to` for posts; blocks, deactivated and moderator-hidden profiles for
people and cameos), so nothing is found here that the viewer could not open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Count, F, Func, IntegerField, Model, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from cameos.mentions import name_folded
from cameos.models import Cameo
from feed.accounts.models import User
from feed.graph.selectors import users_hidden_from
from feed.posts.models import Post
from feed.posts.selectors import posts_visible_to
from feed.search.models import Hashtag, PersonSearch, PostSearch, PostTag
from feed.search.text import hashtags, search_terms, tsquery
from sora_site import japanese

M = TypeVar("M", bound=Model)

QUERY_MAX = 100  # characters of a query that count
RANKED_MATCHES = 2_000  # posts_search ranks at most this many of the newest matches...
RANKED_PER_RESULT = 100  # ...and no more than this many per result asked for (the typeahead's 3: 300)
TAG_POSTS_COUNTED = 100  # hashtags_search counts each tag's visible posts up to this many ("100+")
_VIEWS = Coalesce(F("stats__impressions"), 0)  # each post's view count, for the grids


@dataclass(frozen=True)
class TagHit:
    name: str
    posts: int
    at_least: bool = False  # more than TAG_POSTS_COUNTED: "100+"


def _query(text: str, *, prefix: bool) -> SearchQuery | None:
    raw = tsquery(text[:QUERY_MAX], prefix=prefix)
    return SearchQuery(raw, search_type="raw", config="simple") if raw else None


def _teen_cutoff() -> dt.date:
    """Born after this date: a teen account today."""
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - settings.ADULT_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - settings.ADULT_AGE, day=28)


def _people_findable_by(viewer: User | None) -> QuerySet[User]:
    """Active people with a profile no moderator hid, not blocked either way; teens only by teens (a
    teen's account is never put in front of adults or people signed out)."""
    people = User.objects.filter(is_active=True, profile_hidden_at=None)
    if viewer is not None:
        people = people.exclude(pk__in=users_hidden_from(viewer))
    if viewer is None or not viewer.is_teen:
        people = people.exclude(birth_date__gt=_teen_cutoff())
    return people


def people_search(viewer: User | None, text: str, *, prefix: bool = False, limit: int = 20) -> list[User]:
    """By handle or display name, best match first (a handle counts more than a name), then the oldest
    account, among the best RANKED_PER_RESULT per result asked for."""
    query = _query(text, prefix=prefix)
    if query is None:
        return []
    # Ranked on the index rows alone, then checked for who may be found, a few at a time: joined with
    # the people first, the planner read every person to rank a name's start shared by a thousand.
    best_first = list(
        PersonSearch.objects.filter(document=query)
        .annotate(rank=SearchRank(F("document"), query))
        .order_by("-rank", "user_id")
        .values_list("user_id", flat=True)[: RANKED_PER_RESULT * limit]
    )
    return _first_allowed(best_first, _people_findable_by(viewer), limit)


def posts_search(viewer: User | None, text: str, *, prefix: bool = False, limit: int = 30) -> list[Post]:
    """By caption, #tags, and prompt where its author shows it; best match first, then newest, among the
    newest RANKED_MATCHES posts that match, fewer for a short list (RANKED_PER_RESULT each): a common
    word matches a tenth of all posts, ranking every one is what a search would spend its time on, and
    people look for what is recent."""
    query = _query(text, prefix=prefix)
    if query is None:
        return []
    # Ranked on the index rows alone, then the best are checked for who may see them, a few at a time:
    # joined with the posts and their authors, the planner scanned the whole index table or all people.
    ranked = list(
        PostSearch.objects.filter(document=query)
        .annotate(rank=SearchRank(F("document"), query))
        .order_by("-post_id")
        .values_list("post_id", "rank")[: min(RANKED_MATCHES, RANKED_PER_RESULT * limit)]
    )
    ranked.sort(key=lambda row: (-row[1], -row[0]))
    best_first = [post_id for post_id, _ in ranked]
    return _first_allowed(best_first, posts_visible_to(viewer).annotate(views=_VIEWS), limit)


def _first_allowed(best_first: list[int], allowed: QuerySet[M], limit: int) -> list[M]:
    """The first `limit` of the ids ranked `best_first` that `allowed` holds, in that order, read
    2 x limit at a time: a list whose best are hidden costs a few more reads, never a join with every
    row. `allowed` is built once by the caller (it reads the viewer's blocks and reports)."""
    found: list[M] = []
    for start in range(0, len(best_first), 2 * limit):
        candidates = best_first[start : start + 2 * limit]
        rows = allowed.filter(pk__in=candidates).in_bulk()
        found += [rows[pk] for pk in candidates if pk in rows]
        if len(found) >= limit:
            break
    return found[:limit]


def posts_tagged(viewer: User | None, tag: str, *, limit: int = 60) -> QuerySet[Post]:
    """A hashtag's page: the posts the viewer may see whose caption carries #tag, newest first (by id, the
    order they were posted: a backward range of the tag rows' key, where by `created_at` the planner
    walked all public posts newest first until it met the tag's)."""
    posts = posts_visible_to(viewer).filter(tag_rows__tag=tag).annotate(views=_VIEWS)
    return posts.order_by("-pk")[:limit]


def tag_normal(text: str) -> str:
    """A tag as typed ("#Kite", "kite") as it is stored: '' when it is no tag."""
    found = hashtags("#" + text.strip().lstrip("#"))
    return found[0] if found else ""


def hashtags_search(viewer: User | None, text: str, *, limit: int = 5) -> list[TagHit]:
    """Tags starting with the text (the exact one first, then the most used), each with how many posts
    the viewer may see carry it, up to TAG_POSTS_COUNTED ("100+" past that); a tag with none (used only
    on private or removed posts) is not shown."""
    start = tag_normal(text)
    if not start:
        return []
    names = list(Hashtag.objects.filter(name__startswith=start).order_by("name").values_list("name", flat=True)[:20])
    if not names:
        return []
    # Ordered by how many posts carry each (an index-only count on the tag rows' key), then counted
    # for the viewer, a batch of the likeliest at a time, each on its newest TAG_POSTS_COUNTED + 1
    # visible posts: one backward range of the key, joined by primary key with post and author.
    used = dict(PostTag.objects.filter(tag__in=names).values("tag").annotate(n=Count("*")).values_list("tag", "n"))
    names.sort(key=lambda name: (name != start, -used.get(name, 0), name))
    newest = (
        posts_visible_to(viewer)  # built once: it reads the viewer's blocks and reports
        .filter(tag_rows__tag=OuterRef("name"))
        .order_by("-pk")
        .values("pk")[: TAG_POSTS_COUNTED + 1]
    )
    hits: list[TagHit] = []
    for first in range(0, len(names), limit):
        counted = Hashtag.objects.filter(name__in=names[first : first + limit]).annotate(
            visible=Func(ArraySubquery(newest), function="cardinality", output_field=IntegerField())
        )
        visible = dict(counted.values_list("name", "visible"))
        hits += [
            TagHit(name=name, posts=min(n, TAG_POSTS_COUNTED), at_least=n > TAG_POSTS_COUNTED)
            for name in names[first : first + limit]
            if (n := visible.get(name, 0))
        ]
        if len(hits) >= limit:
            break
    return hits[:limit]


def cameos_findable_by(viewer: User | None) -> QuerySet[Cameo]:
    """Active cameos whose owner the viewer may find (`_people_findable_by`)."""
    return Cameo.objects.select_related("owner").filter(
        status=Cameo.Status.ACTIVE, owner__in=_people_findable_by(viewer)
    )


def cameos_search(viewer: User | None, text: str, *, limit: int = 8) -> list[Cameo]:
    """By handle (its start) or name: every word of a Latin query starts a word of the name or handle;
    a Japanese one is found inside the name, folded (either kana script, full or half width)."""
    text = text[:QUERY_MAX].strip().lstrip("@")
    terms = search_terms(text)
    if not terms:
        return []
    cameos = cameos_findable_by(viewer)
    if japanese.has_japanese(text):
        spelling = japanese.folded(text)
        cameos = cameos.annotate(folded=name_folded("name"), folded_owner=name_folded("owner__display_name")).filter(
            Q(folded__contains=spelling) | Q(folded_owner__contains=spelling)
        )
    else:
        for term in terms:
            cameos = cameos.filter(
                Q(handle__startswith=term) | Q(name__iregex=rf"\m{term}") | Q(owner__display_name__iregex=rf"\m{term}")
            )
    return sorted(cameos.order_by("handle")[:limit], key=lambda c: (not c.handle.startswith(terms[0]), c.handle))


def posts_with_cameo(viewer: User | None, cameo: Cameo, *, limit: int = 60) -> QuerySet[Post]:
    """A cameo's page: the posts the viewer may see that show it, newest first."""
    posts = posts_visible_to(viewer).filter(job__cameo_usages__cameo=cameo).annotate(views=_VIEWS)
    return posts.order_by("-created_at", "-pk")[:limit]
