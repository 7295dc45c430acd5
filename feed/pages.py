"""The pages that put the layers together: the home feed (For You, Following) and a person's profile."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cameos.models import Cameo
from cameos.selectors import cameos_on_profile
from feed.accounts.models import User
from feed.accounts.selectors import signed_in_user, user_get_by_handle, viewer_of
from feed.engagement.selectors import PostSocial, social_for
from feed.graph.selectors import (
    followers_of,
    following_of,
    is_blocked_either_way,
    profile_counts,
    relationship,
    users_hidden_from,
)
from feed.posts.models import Post
from feed.posts.selectors import profile_posts
from feed.ranking.cursor import cursor_decode
from feed.ranking.metrics import FEED_PAGE_SECONDS
from feed.ranking.models import FeedPreferences
from feed.ranking.pipeline import FeedPage, cameo_page, following_page, for_you_page
from feed.ranking.steering import chips_from_json
from feed.ranking.wellbeing import limits_for
from feed.search.selectors import cameos_findable_by
from moderation.reports import report_create
from moderation.selectors import report_categories, sanctions_on_subject, user_is_moderator

TABS = ("foryou", "following")


@dataclass
class Reel:
    post: Post
    social: PostSocial


@dataclass
class FeedFilters:
    """The feed's filters, from the query string: "with @someone's cameo" and "hide remixes"."""

    cameo: Cameo | None = None
    hide_remixes: bool = False
    unknown_cameo: str = ""  # a handle asked for that the viewer can't find: said, and not applied

    def query(self) -> dict[str, str]:
        return {
            **({"with": self.cameo.handle} if self.cameo else {}),
            **({"remixes": "hide"} if self.hide_remixes else {}),
        }


def _filters(request: HttpRequest) -> FeedFilters:
    handle = request.GET.get("with", "").strip().lstrip("@").lower()[:30]
    cameo = cameos_findable_by(viewer_of(request)).filter(handle=handle).first() if handle else None
    return FeedFilters(
        cameo=cameo,
        hide_remixes=request.GET.get("remixes") == "hide",
        unknown_cameo=handle if handle and not cameo else "",
    )


def _feed_context(request: HttpRequest) -> dict[str, object]:
    viewer = viewer_of(request)
    tab = request.GET.get("tab", "foryou")
    if tab not in TABS or (tab == "following" and viewer is None):
        tab = "foryou"
    filters = _filters(request)
    hide = filters.hide_remixes
    with FEED_PAGE_SECONDS.labels(tab if filters.cameo is None else "cameo").time():
        if filters.cameo is not None:  # a cameo's feed stands in for either tab
            cursor = cursor_decode(request.GET.get("cursor", ""), tab=f"cameo:{filters.cameo.pk}")
            page: FeedPage = cameo_page(viewer, filters.cameo.pk, cursor, hide_remixes=hide)
        elif tab == "following" and viewer is not None:
            page = following_page(viewer, cursor_decode(request.GET.get("cursor", ""), tab=tab), hide_remixes=hide)
        else:
            page = for_you_page(viewer, cursor_decode(request.GET.get("cursor", ""), tab=tab), hide_remixes=hide)
    socials = social_for([item.post for item in page.items], viewer)
    reels = []
    for item in page.items:
        social = socials[item.post.pk]
        social.reasons = item.reasons
        reels.append(Reel(post=item.post, social=social))
    next_url = ""
    if page.cursor is not None:
        query = {"tab": tab, **filters.query(), "cursor": page.cursor.encode()}
        next_url = reverse("feed_page") + "?" + urlencode(query)
    continuation = bool(request.GET.get("cursor"))
    return {
        "tab": tab,
        "items": reels,
        "next_url": next_url,
        "page": page,
        "continuation": continuation,
        "filters": filters,
        "filter_query": urlencode(filters.query()),
    }


def home(request: HttpRequest) -> HttpResponse:
    context = _feed_context(request)
    viewer = viewer_of(request)
    if viewer is not None:
        prefs = FeedPreferences.objects.filter(user=viewer).first()
        context["chips"] = chips_from_json(prefs.steering) if prefs else []
        context["limits"] = limits_for(viewer, prefs)
        context["prefs"] = prefs
        context["report_categories"] = report_categories("post")  # the rail's report sheet
    return render(request, "feed/home.html", context)


@require_GET
def feed_page(request: HttpRequest) -> HttpResponse:
    """The next page of a feed, as reels to append (the player asks for it as you scroll)."""
    return render(request, "feed/_feed_page.html", _feed_context(request))


def _profile_hidden_from(person: User, viewer: User | None) -> bool:
    """A profile a moderator hid shows others only its handle (its owner sees why, and may appeal;
    moderators see it whole)."""
    if person.profile_hidden_at is None:
        return False
    return viewer is None or (viewer.pk != person.pk and not user_is_moderator(viewer))


def profile(request: HttpRequest, handle: str) -> HttpResponse:
    person = user_get_by_handle(handle)
    viewer = viewer_of(request)
    is_self = viewer is not None and viewer.pk == person.pk
    hidden = viewer is not None and not is_self and is_blocked_either_way(viewer, person)
    moderated = _profile_hidden_from(person, viewer)
    context = {
        "person": person,
        "moderated": moderated,
        "counts": profile_counts(person),
        "posts": [] if hidden or moderated else profile_posts(person, viewer),
        "cameos": [] if moderated else cameos_on_profile(viewer, person),
        "report_categories": report_categories("profile"),
        "sanctions": sanctions_on_subject("profile", str(person.pk), person) if is_self else [],
        **relationship(viewer, person),
    }
    return render(request, "feed/profile.html", context)


@login_required
@require_POST
def profile_report(request: HttpRequest, handle: str) -> HttpResponse:
    """Report a profile (impersonation, spam...); optionally block it too."""
    me = signed_in_user(request)
    person = user_get_by_handle(handle)
    block = request.POST.get("block") == "on" and person.pk != me.pk
    report_create(
        reporter=me,
        subject_type="profile",
        subject_id=str(person.pk),
        category=request.POST.get("category", ""),
        note=request.POST.get("note", ""),
        also_block=person if block else None,
    )
    if block:
        messages.success(request, _("Thanks, we'll look at it. You blocked @%(handle)s.") % {"handle": person.username})
    else:
        messages.success(request, _("Thanks, we'll look at it."))
    return redirect("profile", handle=person.username)


def people(request: HttpRequest, handle: str, which: str) -> HttpResponse:
    """A person's followers or the people they follow, minus anyone hidden from the viewer by a block and
    profiles a moderator hid (a hidden profile's own lists are hidden with it)."""
    person = user_get_by_handle(handle)
    viewer = viewer_of(request)
    listed = followers_of(person) if which == "followers" else following_of(person)
    if _profile_hidden_from(person, viewer):
        listed = listed.none()
    if viewer is None:
        listed = listed.filter(profile_hidden_at=None)
    elif not user_is_moderator(viewer):
        listed = listed.filter(Q(profile_hidden_at=None) | Q(pk=viewer.pk)).exclude(pk__in=users_hidden_from(viewer))
    context = {"person": person, "which": which, "people": list(listed[:200])}
    return render(request, "feed/people.html", context)
