"""Reads for posts: what a viewer may see, profiles, the remix chain (the feed is `feed.ranking`)."""

from __future__ import annotations

from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy

from feed.accounts.models import User
from feed.graph.selectors import users_hidden_from
from feed.posts.models import Post
from moderation.selectors import subjects_reported_by
from sora_site.errors import DomainError


def _refusals(viewer: User | None) -> list[tuple[str, Q]]:
    """Why someone other than its author may not see a post, each as the condition that rules it out, in
    the order a refusal names them (a private or hidden post is "not found" before anything else)."""
    not_found = (
        Q(visibility=Post.Visibility.PRIVATE)
        | ~Q(review=Post.Review.CLEAR)  # in review: not published yet
        | Q(author__is_active=False)
        | Q(author__profile_hidden_at__isnull=False)  # a moderator hid the profile, its videos with it
    )
    if viewer is not None:
        not_found |= Q(author__in=users_hidden_from(viewer))
    refusals = [
        ("post_not_found", not_found),
        ("post_removed", Q(video="")),  # its files were erased for consent
        ("post_taken_down", Q(taken_down_at__isnull=False)),
    ]
    if viewer is not None and viewer.is_teen:
        refusals.append(("post_not_for_teens", Q(teen_suitable=False)))
    return refusals


_REFUSED = {
    "post_not_found": (gettext_lazy("This post does not exist."), 404),
    "post_removed": (gettext_lazy("This video was removed."), 404),
    "post_taken_down": (gettext_lazy("This video was taken down."), 410),
    "post_not_for_teens": (gettext_lazy("This video isn't available on teen accounts."), 404),
}


def posts_readable_by(viewer: User | None) -> QuerySet[Post]:
    """The one rule for "may this viewer see this post", as a query: every door that shows or acts on a
    post asks it (the post page and its media files, likes, comments, views, shares, downloads,
    reports, profiles, remix chains, notifications' links). Its author may always (and is shown why it
    is down); anyone else only a published, non-private post that is not taken down or erased, by an
    active author whose profile no moderator hid and who is not blocked either way, and for a teen only
    one suitable for teens."""
    refused = Q()
    for _, condition in _refusals(viewer):
        refused |= condition
    readable = ~refused
    if viewer is not None:
        readable |= Q(author=viewer)
    return Post.objects.filter(readable).select_related("author")


def posts_visible_to(viewer: User | None) -> QuerySet[Post]:
    """The public posts a viewer may see, minus posts they reported (lists: remixes, profiles)."""
    posts = posts_readable_by(viewer).filter(visibility=Post.Visibility.PUBLIC)
    if viewer is not None:
        posts = posts.exclude(pk__in=posts_reported_by(viewer))
    return posts


def posts_reported_by(user: User) -> frozenset[int]:
    """Posts this person reported: they never see them again (moderation decides for everyone else)."""
    return frozenset(int(pk) for pk in subjects_reported_by(user, "post") if pk.isdigit())


def profile_posts(profile: User, viewer: User | None) -> list[Post]:
    """Everything of the viewer's own; of someone else's, their public posts the viewer may see."""
    if viewer is not None and viewer.pk == profile.pk:
        posts = Post.objects.filter(author=profile)
    else:
        posts = posts_visible_to(viewer).filter(author=profile)
    return list(posts.order_by("-created_at")[:60])


def post_get_for_viewer(post_id: int, viewer: User | None) -> Post:
    """The post, if `viewer` may see it (`posts_readable_by`); otherwise the refusal that says why, never
    more than the viewer may know (a private post "does not exist")."""
    whens = [When(condition, then=Value(code)) for code, condition in _refusals(viewer)]
    refused = Case(*whens, default=Value(""), output_field=CharField())
    if viewer is not None:  # its author sees their own post whatever its state
        refused = Case(When(author=viewer, then=Value("")), default=refused, output_field=CharField())
    posts = Post.objects.select_related("author", "remix_of__author").annotate(refused=refused)
    post = posts.filter(pk=post_id).first()
    if post is not None and not post.refused:
        return post
    code = post.refused if post is not None else "post_not_found"
    message, status = _REFUSED[code]
    raise DomainError(code, str(message), status=status)


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
