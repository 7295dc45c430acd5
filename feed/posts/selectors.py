"""Reads for posts: what a viewer may see, profiles, the remix chain (the feed is `feed.ranking`)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext

from feed.accounts.models import User
from feed.graph.selectors import is_blocked_either_way, users_hidden_from
from feed.posts.models import Post
from moderation.selectors import subjects_reported_by
from sora_site.errors import DomainError


def posts_visible_to(viewer: User | None) -> QuerySet[Post]:
    """Public posts, minus authors hidden from the viewer by a block either way, posts they reported and,
    for a teen, posts the publish stage found unsuitable for teens."""
    posts = Post.objects.filter(visibility=Post.Visibility.PUBLIC, author__is_active=True, taken_down_at=None)
    if viewer is not None:
        posts = posts.exclude(author__in=users_hidden_from(viewer))
        posts = posts.exclude(pk__in=posts_reported_by(viewer))
        if viewer.is_teen:
            posts = posts.filter(teen_suitable=True)
    return posts.select_related("author")


def posts_reported_by(user: User) -> frozenset[int]:
    """Posts this person reported: they never see them again (moderation decides for everyone else)."""
    return frozenset(int(pk) for pk in subjects_reported_by(user, "post") if pk.isdigit())


def profile_posts(profile: User, viewer: User | None) -> list[Post]:
    posts = Post.objects.filter(author=profile)
    if viewer is None or viewer.pk != profile.pk:
        posts = posts.filter(visibility=Post.Visibility.PUBLIC, taken_down_at=None)
        if viewer is not None and viewer.is_teen:
            posts = posts.filter(teen_suitable=True)
    return list(posts.order_by("-created_at")[:60])


def post_get_for_viewer(post_id: int, viewer: User | None) -> Post:
    try:
        post = Post.objects.select_related("author", "remix_of__author").get(pk=post_id, author__is_active=True)
    except Post.DoesNotExist:
        raise DomainError("post_not_found", gettext("This post does not exist."), status=404) from None
    is_owner = viewer is not None and viewer.pk == post.author_id
    if post.visibility == Post.Visibility.PRIVATE and not is_owner:
        raise DomainError("post_not_found", gettext("This post does not exist."), status=404)
    if post.review != Post.Review.CLEAR and not is_owner:  # not published yet
        raise DomainError("post_not_found", gettext("This post does not exist."), status=404)
    if post.taken_down_at is not None and not is_owner:
        raise DomainError("post_taken_down", gettext("This video was taken down."), status=410)
    if not post.teen_suitable and not is_owner and viewer is not None and viewer.is_teen:
        raise DomainError("post_not_for_teens", gettext("This video isn't available on teen accounts."), status=404)
    if viewer is not None and not is_owner and is_blocked_either_way(viewer, post.author):
        raise DomainError("post_not_found", gettext("This post does not exist."), status=404)
    return post


def remix_ancestors(post: Post, viewer: User | None, *, limit: int = 10) -> list[Post]:
    """The posts this one remixes, nearest first, stopping at one the viewer may not see."""
    chain: list[Post] = []
    current = post.remix_of
    while current is not None and len(chain) < limit:
        try:
            current = post_get_for_viewer(current.pk, viewer)
        except DomainError:
            break
        chain.append(current)
        current = current.remix_of
    return chain


def remixes_of(post: Post, viewer: User | None) -> list[Post]:
    return list(posts_visible_to(viewer).filter(remix_of=post).order_by("-created_at")[:30])
