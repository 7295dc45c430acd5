"""The pages that put the layers together: the home feed and a person's profile."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from feed.accounts.selectors import user_get_by_handle, viewer_of
from feed.graph.selectors import is_blocked_either_way, profile_counts, relationship
from feed.posts.selectors import feed_latest, profile_posts


def home(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "foryou")
    if tab not in {"foryou", "following"}:
        tab = "foryou"
    posts = feed_latest(viewer_of(request), following_only=(tab == "following"))
    return render(request, "feed/home.html", {"posts": posts, "tab": tab})


def profile(request: HttpRequest, handle: str) -> HttpResponse:
    person = user_get_by_handle(handle)
    viewer = viewer_of(request)
    hidden = viewer is not None and viewer.pk != person.pk and is_blocked_either_way(viewer, person)
    context = {
        "person": person,
        "counts": profile_counts(person),
        "posts": [] if hidden else profile_posts(person, viewer),
        **relationship(viewer, person),
    }
    return render(request, "feed/profile.html", context)
