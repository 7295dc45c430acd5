"""Search and discovery pages: the search page and its typeahead, a hashtag's page, a cameo's videos."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cameos.models import Cameo
from feed.accounts.selectors import viewer_of
from feed.search import selectors

SUGGESTIONS_EACH = 3


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    text = request.GET.get("q", "").strip()[: selectors.QUERY_MAX]
    context = {
        "q": text,
        "people": selectors.people_search(viewer, text, prefix=True, limit=6) if text else [],
        "tags": selectors.hashtags_search(viewer, text) if text else [],
        "cameos": selectors.cameos_search(viewer, text, limit=6) if text else [],
        "posts": selectors.posts_search(viewer, text) if text else [],
    }
    return render(request, "feed/search.html", context)


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The typeahead under the search box (htmx swaps it in as you type): a few of each kind."""
    viewer = viewer_of(request)
    text = request.GET.get("q", "").strip()[: selectors.QUERY_MAX]
    context: dict[str, object] = {"q": text}
    if text:
        context.update(
            people=selectors.people_search(viewer, text, prefix=True, limit=SUGGESTIONS_EACH),
            tags=selectors.hashtags_search(viewer, text, limit=SUGGESTIONS_EACH),
            cameos=selectors.cameos_search(viewer, text, limit=SUGGESTIONS_EACH),
            posts=selectors.posts_search(viewer, text, prefix=True, limit=SUGGESTIONS_EACH),
        )
    return render(request, "feed/_search_suggestions.html", context)


@require_GET
def tag(request: HttpRequest, name: str) -> HttpResponse:
    tag_name = selectors.tag_normal(name)
    if not tag_name:
        raise Http404
    posts = list(selectors.posts_tagged(viewer_of(request), tag_name))
    return render(request, "feed/discover.html", {"title": f"#{tag_name}", "posts": posts, "kind": "tag"})


@require_GET
def cameo_videos(request: HttpRequest, handle: str) -> HttpResponse:
    """The videos that show a cameo, for anyone who may find it (a cameo they may not is "not found")."""
    viewer = viewer_of(request)
    cameo: Cameo | None = selectors.cameos_findable_by(viewer).filter(handle=handle.lower()).first()
    if cameo is None:
        raise Http404
    posts = list(selectors.posts_with_cameo(viewer, cameo))
    return render(
        request, "feed/discover.html", {"title": f"@{cameo.handle}", "posts": posts, "kind": "cameo", "cameo": cameo}
    )
