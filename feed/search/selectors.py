"""Search: people, posts, hashtags and cameos, ranked, each through the same visibility rules as the
rest of the app (`posts_visible_to` for posts; blocks, deactivated and moderator-hidden profiles for
people and cameos), so nothing is found here that the viewer could not open."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from cameos.mentions import name_folded
from cameos.models import Cameo
from feed.accounts.models import User
from feed.graph.selectors import users_hidden_from
from feed.posts.models import Post
from feed.posts.selectors import posts_visible_to
from feed.search.models import Hashtag, PostSearch
from feed.search.text import hashtags, search_terms, tsquery
from sora_site import japanese

QUERY_MAX = 100  # characters of a query that count
RANKED_MATCHES = 2_000  # posts_search ranks at most this many of the newest matches...
RANKED_PER_RESULT = 100  # ...and no more than this many per result asked for (the typeahead's 3: 300)
TAG_POSTS_COUNTED = 1_000  # hashtags_search counts the tags on this many of the newest tagged posts
_VIEWS = Coalesce(F("stats__impressions"), 0)  # each post's view count, for the grids


@dataclass(frozen=True)
class TagHit:
    name: str
    posts: int
    at_least: bool = False  # counted among the newest TAG_POSTS_COUNTED tagged posts only: "12+"


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
    """By handle or display name, best match first (a handle counts more than a name)."""
    query = _query(text, prefix=prefix)
    if query is None:
        return []
    found = (
        _people_findable_by(viewer)
        .filter(search__document=query)
        .annotate(rank=SearchRank(F("search__document"), query))
        .order_by("-rank", "username")
    )
    return list(found[:limit])


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
    found: list[Post] = []
    for start in range(0, len(best_first), 2 * limit):
        candidates = best_first[start : start + 2 * limit]
        visible = posts_visible_to(viewer).filter(pk__in=candidates).annotate(views=_VIEWS).in_bulk()
        found += [visible[pk] for pk in candidates if pk in visible]
        if len(found) >= limit:
            break
    return found[:limit]


def posts_tagged(viewer: User | None, tag: str, *, limit: int = 60) -> QuerySet[Post]:
    """A hashtag's page: the posts the viewer may see whose caption carries #tag, newest first."""
    posts = posts_visible_to(viewer).filter(search__tags__contains=[tag]).annotate(views=_VIEWS)
    return posts.order_by("-created_at", "-pk")[:limit]


def tag_normal(text: str) -> str:
    """A tag as typed ("#Kite", "kite") as it is stored: '' when it is no tag."""
    found = hashtags("#" + text.strip().lstrip("#"))
    return found[0] if found else ""


def hashtags_search(viewer: User | None, text: str, *, limit: int = 5) -> list[TagHit]:
    """Tags starting with the text, with how many posts the viewer may see carry each, counted on the
    newest TAG_POSTS_COUNTED posts carrying any of them ("12+" when there are more); a tag with none
    there (used only on private or removed posts, or only long ago beside a busier one) is not shown."""
    start = tag_normal(text)
    if not start:
        return []
    names = list(Hashtag.objects.filter(name__startswith=start).order_by("name").values_list("name", flat=True)[:20])
    if not names:
        return []
    # The newest posts carrying any of the tags, from the tags' own index rows, then which of those the
    # viewer may see: counting every visible post of a common tag through the posts' rules (or each
    # tag's newest posts on its own) cost more than the rest of a search at 200,000 posts.
    tagged = list(
        PostSearch.objects.filter(tags__overlap=names)
        .order_by("-post_id")
        .values_list("post_id", "tags")[:TAG_POSTS_COUNTED]
    )
    visible = set(posts_visible_to(viewer).filter(pk__in=[pk for pk, _ in tagged]).values_list("pk", flat=True))
    wanted = set(names)
    counts = Counter(tag for pk, tags in tagged if pk in visible for tag in tags if tag in wanted)
    at_least = len(tagged) == TAG_POSTS_COUNTED
    hits = [TagHit(name=name, posts=posts, at_least=at_least) for name, posts in counts.items()]
    hits.sort(key=lambda hit: (hit.name != start, -hit.posts, hit.name))
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
