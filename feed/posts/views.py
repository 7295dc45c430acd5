from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from feed.accounts.models import User
from feed.accounts.selectors import signed_in_user, viewer_of
from feed.engagement.selectors import social_for
from feed.posts import selectors, services
from feed.posts.models import Post
from generation.selectors import job_get_for_owner
from moderation.reports import report_create, report_seconds
from moderation.selectors import report_categories, sanctions_on_subject


def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    post = selectors.post_get_for_viewer(post_id, viewer)
    context = {
        "post": post,
        "social": social_for([post], viewer)[post.pk],
        "visibility_choices": Post.Visibility.choices,
        "ancestors": selectors.remix_ancestors(post, viewer),
        "remixes": selectors.remixes_of(post, viewer),
        "report_categories": report_categories("post"),
        # Its author sees moderators' actions on it, each with its appeal page.
        "sanctions": sanctions_on_subject("post", str(post.pk), viewer)
        if viewer is not None and viewer.pk == post.author_id
        else [],
    }
    return render(request, "feed/post_detail.html", context)


@login_required
@require_POST
def draft_publish(request: HttpRequest, public_id: str) -> HttpResponse:
    me = signed_in_user(request)
    post = services.post_publish(
        job=job_get_for_owner(public_id, me),
        by=me,
        caption=request.POST.get("caption", ""),
        visibility=request.POST.get("visibility", "public"),
        show_prompt=request.POST.get("show_prompt") == "on",
    )
    messages.success(request, gettext("Posted!"))
    return redirect("post_detail", post_id=post.pk)


def _mine(request: HttpRequest, post_id: int) -> tuple[User, Post]:
    me = signed_in_user(request)
    return me, selectors.post_get_for_viewer(post_id, me)


@login_required
@require_POST
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    me, post = _mine(request, post_id)
    caption, visibility = request.POST.get("caption", ""), request.POST.get("visibility", post.visibility)
    services.post_update(post=post, by=me, caption=caption, visibility=visibility)
    messages.success(request, gettext("Post updated."))
    return redirect("post_detail", post_id=post.pk)


@login_required
@require_POST
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    me, post = _mine(request, post_id)
    services.post_delete(post=post, by=me)
    messages.success(request, gettext("Post deleted. The video is still in your drafts."))
    return redirect("profile", handle=me.username)


@login_required
@require_POST
def post_report(request: HttpRequest, post_id: int) -> HttpResponse:
    """Report a post (it leaves the reporter's feed); optionally block its author too."""
    me = signed_in_user(request)
    post = selectors.post_get_for_viewer(post_id, me)
    block = request.POST.get("block") == "on" and post.author_id != me.pk
    report_create(
        reporter=me,
        subject_type="post",
        subject_id=str(post.pk),
        category=request.POST.get("category", ""),
        note=request.POST.get("note", ""),
        start_s=report_seconds(request.POST.get("start_s", ""), field="start_s"),
        end_s=report_seconds(request.POST.get("end_s", ""), field="end_s"),
        also_block=post.author if block else None,
    )
    if block:
        messages.success(
            request, gettext("Thanks, we'll look at it. You blocked @%(handle)s.") % {"handle": post.author.username}
        )
    else:
        messages.success(request, gettext("Thanks, we'll look at it. You won't see this post in your feed."))
    return redirect("home")
