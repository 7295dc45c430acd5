from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from feed import selectors, services
from feed.forms import ProfileForm, SignUpForm
from sora_site.errors import DomainError


def home(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "foryou")
    if tab not in {"foryou", "following"}:
        tab = "foryou"
    viewer = request.user if request.user.is_authenticated else None
    posts = selectors.feed_latest(viewer, following_only=(tab == "following"))
    return render(request, "feed/home.html", {"posts": posts, "tab": tab})


def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = services.user_sign_up(**form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field, error.message)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome, @{user.username}!")
                return redirect("profile", handle=user.username)
        status = 400
    return render(request, "feed/sign_up.html", {"form": form}, status=status)


def profile(request: HttpRequest, handle: str) -> HttpResponse:
    person = selectors.user_get_by_handle(handle)
    viewer = request.user if request.user.is_authenticated else None
    context = {
        "person": person,
        "counts": selectors.profile_counts(person),
        "posts": selectors.profile_posts(person, viewer),
        **_relationship(viewer, person),
    }
    if viewer is not None and viewer.pk != person.pk and selectors.is_blocked_either_way(viewer, person):
        context["posts"] = []
    return render(request, "feed/profile.html", context)


def _relationship(viewer, person) -> dict[str, bool]:
    if viewer is None or viewer.pk == person.pk:
        return {"is_self": viewer is not None, "i_follow": False, "follows_me": False, "i_block": False}
    return {
        "is_self": False,
        "i_follow": selectors.is_following(viewer, person),
        "follows_me": selectors.is_following(person, viewer),
        "i_block": viewer.blocking_edges.filter(blocked=person).exists(),
        "blocks_me": person.blocking_edges.filter(blocked=viewer).exists(),
    }


@login_required
@require_POST
def follow_toggle(request: HttpRequest, handle: str) -> HttpResponse:
    person = selectors.user_get_by_handle(handle)
    if selectors.is_following(request.user, person):
        services.follow_delete(follower=request.user, followee=person)
    else:
        services.follow_create(follower=request.user, followee=person)
    context = {"person": person, "counts": selectors.profile_counts(person), **_relationship(request.user, person)}
    if request.headers.get("HX-Request"):
        return render(request, "feed/_follow_controls.html", context)
    return redirect("profile", handle=person.username)


@login_required
@require_POST
def block_toggle(request: HttpRequest, handle: str) -> HttpResponse:
    person = selectors.user_get_by_handle(handle)
    if request.user.blocking_edges.filter(blocked=person).exists():
        services.block_delete(blocker=request.user, blocked=person)
        messages.info(request, f"You unblocked @{person.username}.")
    else:
        services.block_create(blocker=request.user, blocked=person)
        messages.info(request, f"You blocked @{person.username}. Neither of you will see the other.")
    return redirect("profile", handle=person.username)


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {"display_name": user.display_name, "bio": user.bio}
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.profile_update(user=user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(request, "Profile saved.")
                return redirect("profile", handle=user.username)
        status = 400
    return render(request, "feed/profile_edit.html", {"form": form}, status=status)


def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer = request.user if request.user.is_authenticated else None
    post = selectors.post_get_for_viewer(post_id, viewer)
    context = {
        "post": post,
        "ancestors": selectors.remix_ancestors(post, viewer),
        "remixes": selectors.remixes_of(post, viewer),
    }
    return render(request, "feed/post_detail.html", context)
