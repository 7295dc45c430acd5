"""Thin views over the engagement services: JSON for the rail's buttons, HTML fragments for comments."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from feed.accounts.selectors import signed_in_user, viewer_of
from feed.engagement import selectors, services
from feed.engagement.models import PostStats
from feed.notifications.selectors import notifications_for
from feed.notifications.services import notifications_mark_read
from feed.posts.models import Post
from feed.posts.selectors import post_get_for_viewer, posts_readable_by
from moderation.reports import report_create
from moderation.selectors import report_categories
from sora_site.bodies import json_parse
from sora_site.errors import DomainError
from sora_site.fields import ID_MAX, int_field
from sora_site.ratelimit import client_key, rate_limit_check

# A view's ms and replays above this are a broken or forged beacon; below it the service clamps them to its limits.
_BEACON_COUNT_MAX = 2**31 - 1


def _stats(post_id: int) -> PostStats:
    return PostStats.objects.filter(post_id=post_id).first() or PostStats(post_id=post_id)


@login_required
@require_POST
def like(request: HttpRequest, post_id: int) -> JsonResponse:
    me = signed_in_user(request)
    post = post_get_for_viewer(post_id, me)
    liked = request.POST.get("liked", "1") == "1"
    services.like_set(user=me, post=post, liked=liked)
    return JsonResponse({"liked": liked, "likes": _stats(post.pk).likes})


def _comments_sheet(
    request: HttpRequest, post_id: int, *, status: int = 200, error: str = "", notice: str = "", draft: str = ""
) -> HttpResponse:
    viewer = viewer_of(request)
    post = post_get_for_viewer(post_id, viewer)
    context = {
        "post": post,
        "comments": selectors.comments_of(post, viewer),
        "comment_count": _stats(post.pk).comments,
        "comment_max": services.COMMENT_MAX,
        "report_categories": report_categories("comment"),
        "error": error,
        "notice": notice,
        "draft": draft,  # a refused comment's text, kept in the box
    }
    return render(request, "feed/_comments.html", context, status=status)


@require_GET
def comments(request: HttpRequest, post_id: int) -> HttpResponse:
    return _comments_sheet(request, post_id)


@login_required
@require_POST
def comment_create(request: HttpRequest, post_id: int) -> HttpResponse:
    me = signed_in_user(request)
    post = post_get_for_viewer(post_id, me)
    parent_id = int_field(request.POST.get("parent"), name="parent", minimum=1, maximum=ID_MAX, default=None)
    parent = selectors.comment_get_for_viewer(parent_id, me) if parent_id is not None else None
    try:
        services.comment_create(author=me, post=post, text=request.POST.get("text", ""), parent=parent)
    except DomainError as error:
        if error.status not in (400, 403):  # refused text or standing: said in the sheet, the draft kept
            raise
        draft = request.POST.get("text", "")[: services.COMMENT_MAX]
        return _comments_sheet(request, post_id, status=error.status, error=error.message, draft=draft)
    return _comments_sheet(request, post_id)


@login_required
@require_POST
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = selectors.comment_get(comment_id)
    services.comment_delete(comment=comment, by=signed_in_user(request))
    return _comments_sheet(request, comment.post_id)


@login_required
@require_POST
def comment_report(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Report a comment (it leaves the reporter's sheet); optionally block its author too."""
    me = signed_in_user(request)
    comment = selectors.comment_get_for_viewer(comment_id, me)
    block = request.POST.get("block") == "on" and comment.author_id != me.pk
    try:
        report_create(
            reporter=me,
            subject_type="comment",
            subject_id=str(comment.pk),
            category=request.POST.get("category", ""),
            note=request.POST.get("note", ""),
            also_block=comment.author if block else None,
        )
    except DomainError as error:
        return _comments_sheet(request, comment.post_id, status=error.status, error=error.message)
    notice = _("Thanks, we'll look at it.") + (
        " " + _("You blocked @%(handle)s.") % {"handle": comment.author.username} if block else ""
    )
    return _comments_sheet(request, comment.post_id, notice=notice)


@login_required
@require_POST
def save(request: HttpRequest, post_id: int) -> JsonResponse | HttpResponse:
    """Save or unsave a post (the rail's bookmark, JSON), or file a saved post into a collection (the
    saved page's form, which goes back to the page it came from)."""
    me = signed_in_user(request)
    saved = request.POST.get("saved", "1") == "1"
    collection_id = int_field(
        request.POST.get("collection") or None, name="collection", minimum=1, maximum=ID_MAX, default=None
    )
    collection = selectors.collection_get(me, collection_id) if collection_id is not None else None
    # Unsaving asks for no right to see the post: one taken down since can still leave the list.
    post = post_get_for_viewer(post_id, me) if saved else Post(pk=post_id)
    services.bookmark_set(user=me, post=post, saved=saved, collection=collection)
    if request.POST.get("next") == "saved":  # back to the saved page, in the collection it was showing
        shown = int_field(request.POST.get("shown") or None, name="shown", minimum=1, maximum=ID_MAX, default=None)
        return redirect(reverse("saved") + (f"?c={shown}" if shown is not None else ""))
    return JsonResponse({"saved": saved})


@login_required
@require_GET
def saved(request: HttpRequest) -> HttpResponse:
    """The viewer's own saved posts, all or one collection: private, never shown to anyone else."""
    me = signed_in_user(request)
    collection_id = int_field(request.GET.get("c") or None, name="c", minimum=1, maximum=ID_MAX, default=None)
    collection = selectors.collection_get(me, collection_id) if collection_id is not None else None
    context = {
        "person": me,
        "collection": collection,
        "collections": selectors.collections_of(me),
        "posts": selectors.saved_posts(me, collection),
        "name_max": services.COLLECTION_NAME_MAX,
    }
    return render(request, "feed/saved.html", context)


@login_required
@require_POST
def collection_create(request: HttpRequest) -> HttpResponse:
    me = signed_in_user(request)
    try:
        collection = services.collection_create(owner=me, name=request.POST.get("name", ""))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("saved")
    return redirect(f"{reverse('saved')}?c={collection.pk}")


@login_required
@require_POST
def collection_delete(request: HttpRequest, collection_id: int) -> HttpResponse:
    me = signed_in_user(request)
    collection = selectors.collection_get(me, collection_id)
    services.collection_delete(collection=collection, by=me)
    messages.success(request, _("Collection deleted; its videos are still saved."))
    return redirect("saved")


@login_required
@require_POST
def not_interested(request: HttpRequest, post_id: int) -> JsonResponse:
    me = signed_in_user(request)
    services.not_interested_set(user=me, post=post_get_for_viewer(post_id, me))
    return JsonResponse({"ok": True})


@require_POST
def share(request: HttpRequest, post_id: int) -> JsonResponse:
    viewer = viewer_of(request)
    post = post_get_for_viewer(post_id, viewer)
    services.share_record(user=viewer, post=post)
    return JsonResponse({"shares": _stats(post.pk).shares, "url": request.build_absolute_uri(f"/p/{post.pk}/")})


@require_GET
def download(request: HttpRequest, post_id: int) -> HttpResponse:
    """Counted, then handed to the stored file (the same watermarked MP4 the feed plays)."""
    viewer = viewer_of(request)
    post = services.download_record(user=viewer, post=post_get_for_viewer(post_id, viewer))
    return redirect(post.video.url)


@login_required
@require_POST
def impressions(request: HttpRequest) -> JsonResponse:
    """The player's batched `sendBeacon`: a form field `views` holding a JSON list. Signed-in people only
    (a visitor's views have nobody to count once a day), at most `FEED_VIEWS_PER_MINUTE` beacons a minute."""
    me = signed_in_user(request)
    rate_limit_check(
        "feed_views",
        client_key(request),
        limit=settings.FEED_VIEWS_PER_MINUTE,
        message=_("Too many views sent. Try again in %(seconds)d s."),
    )
    try:
        raw = json_parse(request.POST.get("views", "[]"), field="views")
        reports = [
            services.ImpressionReport(
                post_id=int_field(item["post"], name="post", minimum=1, maximum=ID_MAX),
                view_id=str(item["view"]),
                watch_ms=int_field(item.get("ms"), name="ms", minimum=0, maximum=_BEACON_COUNT_MAX, default=0),
                completed=bool(item.get("done", False)),
                replays=int_field(item.get("replays"), name="replays", minimum=0, maximum=_BEACON_COUNT_MAX, default=0),
            )
            for item in raw
        ]
    except (DomainError, ValueError, TypeError, KeyError):
        raise DomainError(
            "invalid_impressions", "Views must be a JSON list of {post, view, ms, done, replays}."
        ) from None
    written = services.impressions_record(user=me, reports=reports)
    return JsonResponse({"recorded": written})


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    me = signed_in_user(request)
    notes = list(notifications_for(me, limit=50))
    notifications_mark_read(user=me)
    # A post's link only while its recipient may still see it (taken down, private, hidden since).
    about = {int(n.subject[5:]) for n in notes if n.subject.startswith("post:") and n.subject[5:].isdecimal()}
    readable = {f"post:{pk}" for pk in posts_readable_by(me).filter(pk__in=about).values_list("pk", flat=True)}
    return render(request, "feed/inbox.html", {"notes": notes, "readable_subjects": readable})
