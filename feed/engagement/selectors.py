"""Reads for engagement: counts, what a viewer did with posts, comment threads, saved posts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils.translation import gettext

from feed.accounts.models import User
from feed.engagement.models import Bookmark, Collection, Comment, Like, PostStats
from feed.graph.selectors import users_hidden_from
from feed.posts.models import Post
from feed.posts.selectors import post_get_for_viewer, posts_readable_by, posts_reported_by
from moderation.selectors import subjects_reported_by
from sora_site.errors import DomainError


@dataclass
class PostSocial:
    """What a post card shows: counts and the viewer's own marks."""

    likes: int = 0
    comments: int = 0
    shares: int = 0
    remixes: int = 0
    views: int = 0
    liked: bool = False
    saved: bool = False
    follows_author: bool = False
    reasons: list[str] = field(default_factory=list)


def social_for(posts: Iterable[Post], viewer: User | None) -> dict[int, PostSocial]:
    """Counts and the viewer's likes, saves and follows for a page of posts, in four queries."""
    posts = list(posts)
    ids = [post.pk for post in posts]
    out = {pk: PostSocial() for pk in ids}
    for stats in PostStats.objects.filter(post_id__in=ids):
        social = out[stats.post_id]
        social.likes, social.comments = stats.likes, stats.comments
        social.shares, social.remixes, social.views = stats.shares, stats.remixes, stats.impressions
    if viewer is not None:
        for post_id in Like.objects.filter(user=viewer, post_id__in=ids).values_list("post_id", flat=True):
            out[post_id].liked = True
        for post_id in Bookmark.objects.filter(user=viewer, post_id__in=ids).values_list("post_id", flat=True):
            out[post_id].saved = True
        followed = set(
            viewer.following_edges.filter(followee_id__in={p.author_id for p in posts}).values_list(
                "followee_id", flat=True
            )
        )
        for post in posts:
            out[post.pk].follows_author = post.author_id in followed
    return out


def comments_of(post: Post, viewer: User | None, *, limit: int = 100) -> list[Comment]:
    """Top-level comments, oldest first, with their replies. Left out: people hidden from the viewer,
    comments the viewer reported, and comments a moderator hid (but for their author, who sees why)."""
    shown = Q(hidden_at=None) | Q(author=viewer) if viewer is not None else Q(hidden_at=None)
    comments = Comment.objects.filter(shown, post=post, parent=None).select_related("author")
    replies = Comment.objects.filter(shown).select_related("author").order_by("created_at")
    if viewer is not None:
        hidden = users_hidden_from(viewer)
        reported = [int(pk) for pk in subjects_reported_by(viewer, "comment")]
        comments = comments.exclude(author__in=hidden).exclude(pk__in=reported)
        replies = replies.exclude(author__in=hidden).exclude(pk__in=reported)
    return list(comments.order_by("created_at").prefetch_related(Prefetch("replies", queryset=replies))[:limit])


def _comment_not_found() -> DomainError:
    return DomainError("comment_not_found", gettext("This comment does not exist."), status=404)


def comment_get(comment_id: int) -> Comment:
    try:
        return Comment.objects.select_related("post", "author").get(pk=comment_id)
    except Comment.DoesNotExist:
        raise _comment_not_found() from None


def comment_get_for_viewer(comment_id: int, viewer: User) -> Comment:
    """A comment the viewer may see: on a post they may see, and not hidden by a moderator unless it is
    their own. Anything else answers as a missing comment, so the answer confirms nothing."""
    comment = comment_get(comment_id)
    if comment.hidden_at is not None and comment.author_id != viewer.pk:
        raise _comment_not_found()
    post_get_for_viewer(comment.post_id, viewer)
    return comment


def collections_of(user: User) -> list[Collection]:
    return list(Collection.objects.filter(owner=user).order_by("name"))


def collection_get(owner: User, collection_id: int) -> Collection:
    """One of the owner's collections; anyone else's answers as missing."""
    collection = Collection.objects.filter(owner=owner, pk=collection_id).first()
    if collection is None:
        raise DomainError("collection_not_found", gettext("This collection does not exist."), status=404)
    return collection


def saved_posts(user: User, collection: Collection | None = None, *, limit: int = 120) -> list[Post]:
    """What this person saved, newest save first (in one collection, or all). Only what they may still
    see: a post taken down, made private, by someone blocked either way, reported, or not for teens
    drops out (the bookmark stays, and the post comes back if it does)."""
    bookmarks = Bookmark.objects.filter(user=user, post=OuterRef("pk"))
    if collection is not None:
        bookmarks = bookmarks.filter(collection=collection)
    posts = (
        posts_readable_by(user)
        .exclude(pk__in=posts_reported_by(user))
        .annotate(
            saved_at=Subquery(bookmarks.values("created_at")[:1]),
            saved_in=Subquery(bookmarks.values("collection_id")[:1]),
        )
        .filter(saved_at__isnull=False)
        .order_by("-saved_at", "-pk")
    )
    return list(posts[:limit])
