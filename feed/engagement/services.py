"""Writes for engagement: likes, comments, views, shares, downloads, "not interested", bookmarks.

Each write that others should hear about sends a notification through
`feed.notifications.services.notification_send` (stored in the same transaction, pushed after commit).
Follows and remixes are announced from `feed.engagement.receivers` (their writes live in lower or
other packages).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from feed.accounts.models import User
from feed.engagement.models import (
    Bookmark,
    Collection,
    Comment,
    DailyView,
    Impression,
    Like,
    NotInterested,
    PostDay,
    PostStats,
)
from feed.notifications.services import notification_send
from feed.posts.models import Post
from feed.posts.selectors import post_get_for_viewer, posts_readable_by
from moderation.sanctions import account_standing_check
from moderation.texts import text_check
from sora_site.errors import DomainError
from sora_site.events import user_event_send
from sora_site.texts import Sentence, SentenceTemplate, sentence, sentence_columns

LIKED = sentence("post_liked", gettext_lazy("@{handle} liked your video."))
COMMENTED = sentence("post_commented", gettext_lazy("@{handle} commented: {text}"))
REPLIED = sentence("comment_replied", gettext_lazy("@{handle} replied: {text}"))
MENTIONED = sentence("comment_mention", gettext_lazy("@{handle} mentioned you: {text}"))
COMMENT_MAX = Comment._meta.get_field("text").max_length or 0
IMPRESSIONS_PER_BATCH = 50
WATCH_MS_MAX = 10 * 60 * 1000  # a view longer than ten minutes is a tab left open, not watching
REPLAYS_MAX = 50
COLLECTION_NAME_MAX = Collection._meta.get_field("name").max_length or 0
COLLECTIONS_MAX = 50
_MENTION = re.compile(r"(?<![\w@])@([a-z0-9_]{3,30})\b")


def today() -> dt.date:
    """The day counters are filed under: UTC, the same for every viewer and creator."""
    return timezone.now().astimezone(dt.UTC).date()


def stats_bump(post_id: int, **deltas: int) -> None:
    """Add to a post's counters (creating its row on first use) and to today's row of its daily counts
    (`PostDay`, the creator's analytics), in the caller's transaction. Names only `PostDay` keeps
    (`watched`) or only `PostStats` keeps (`not_interested`) go to that one."""
    for model, where in ((PostStats, {"post_id": post_id}), (PostDay, {"post_id": post_id, "day": today()})):
        names = {field.name for field in model._meta.concrete_fields}
        changes = {name: F(name) + delta for name, delta in deltas.items() if name in names and delta}
        if changes:
            model.objects.get_or_create(**where)
            model.objects.filter(**where).update(**changes)


def comments_recount(post_id: int) -> None:
    """Set a post's comment counter to the comments others see: not hidden by a moderator, nor replies
    under a hidden one (today's daily count moves by the difference). Counted (not bumped) in the
    caller's transaction while holding the counter row's lock, so each writer's count starts after the
    one before it committed and sees its rows."""
    PostStats.objects.get_or_create(post_id=post_id)
    before = PostStats.objects.select_for_update().get(post_id=post_id).comments
    shown = Comment.objects.filter(Q(parent=None) | Q(parent__hidden_at=None), post_id=post_id, hidden_at=None)
    stats_bump(post_id, comments=shown.count() - before)


def _subject(post: Post) -> str:
    return f"post:{post.pk}"


def like_set(*, user: User, post: Post, liked: bool) -> bool:
    """Like or unlike (idempotent both ways). True when something changed. The author hears of a new like."""
    post = post_get_for_viewer(post.pk, user)
    with transaction.atomic():
        if liked:
            try:
                with transaction.atomic():
                    Like.objects.create(user=user, post=post)
            except IntegrityError:
                return False
            stats_bump(post.pk, likes=1)
            _likes_push(post)
            if post.author_id != user.pk:
                notification_send(
                    recipient=post.author,
                    actor=user,
                    kind="post_liked",
                    text=LIKED(handle=user.username),
                    subject=_subject(post),
                )
            return True
        deleted, _ = Like.objects.filter(user=user, post=post).delete()
        if deleted:
            stats_bump(post.pk, likes=-1)
            _likes_push(post)
        return bool(deleted)


def _likes_push(post: Post) -> None:
    """The author's open tabs show the new count live (after commit, like every push)."""
    likes = PostStats.objects.filter(post_id=post.pk).values_list("likes", flat=True).first() or 0
    user_event_send(post.author_id, {"type": "post_stats", "post": post.pk, "likes": likes})


def comment_create(*, author: User, post: Post, text: str, parent: Comment | None = None) -> Comment:
    """Comment on a post, or reply to a top-level comment. The post's author, the replied-to person
    and people @mentioned are told."""
    post = post_get_for_viewer(post.pk, author)
    account_standing_check(user=author)
    text = text.strip()
    if not text:
        raise DomainError("comment_empty", gettext("Write something first."), field="text")
    if len(text) > COMMENT_MAX:
        raise DomainError(
            "comment_too_long",
            gettext("Comments can be at most %(max)d characters.") % {"max": COMMENT_MAX},
            field="text",
        )
    if parent is not None:
        if parent.post_id != post.pk:
            raise DomainError("comment_parent_invalid", gettext("That comment is on another video."), field="parent")
        parent = parent.parent or parent  # one level of replies: a reply to a reply joins its thread
    text_check(text=text, surface="comment", user=author, field="text")  # moderation stage 1, before any write
    with transaction.atomic():
        comment = Comment.objects.create(post=post, author=author, parent=parent, text=text)
        comments_recount(post.pk)
        # Each person hears once, in this order: the post's author, the replied-to, the @mentioned.
        audience: list[tuple[User, str, SentenceTemplate]] = [(post.author, "post_commented", COMMENTED)]
        if parent is not None:
            audience.append((parent.author, "comment_replied", REPLIED))
        audience += [(person, "comment_mention", MENTIONED) for person in _mentioned(text)]
        told = {author.pk}
        for person, kind, said in audience:
            if person.pk in told or not _may_see(post, person):
                continue
            told.add(person.pk)
            notification_send(
                recipient=person,
                actor=author,
                kind=kind,
                text=said(handle=author.username, text=text[:120]),
                subject=_subject(post),
            )
    return comment


def _mentioned(text: str) -> list[User]:
    handles = {match.lower() for match in _MENTION.findall(text.lower())}
    return list(User.objects.filter(username__in=handles, is_active=True)[:10])


def _may_see(post: Post, person: User) -> bool:
    """Never tell someone about a video they may not see (private, taken down, blocked)."""
    try:
        post_get_for_viewer(post.pk, person)
    except DomainError:
        return False
    return True


def comment_delete(*, comment: Comment, by: User) -> None:
    """Its author may delete a comment, and so may the creator of the post it is on (replies go with it)."""
    if by.pk not in (comment.author_id, comment.post.author_id):
        raise DomainError("comment_forbidden", gettext("You can only delete your own comments."), status=403)
    with transaction.atomic():
        comment.delete()
        comments_recount(comment.post_id)


def comment_hidden_set(*, comment: Comment, hidden: bool, reason: str | Sentence = "") -> None:
    """A moderator hides or removes a comment (gone for everyone but its author, who sees why; its
    replies go with it) or shows it again. The post's comment count follows."""
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        comment.hidden_at = (comment.hidden_at or timezone.now()) if hidden else None
        comment.hidden_reason, comment.hidden_sentence = sentence_columns(reason if hidden else "", 300)
        comment.save(update_fields=["hidden_at", "hidden_reason", "hidden_sentence"])
        comments_recount(comment.post_id)


def not_interested_set(*, user: User, post: Post) -> None:
    """The post goes, and won't come back; ranking damps its author and its topic for this person."""
    post = post_get_for_viewer(post.pk, user)
    with transaction.atomic():
        _, created = NotInterested.objects.get_or_create(user=user, post=post)
        if created:
            stats_bump(post.pk, not_interested=1)


def share_record(*, user: User | None, post: Post) -> None:
    post_get_for_viewer(post.pk, user)
    stats_bump(post.pk, shares=1)


def download_record(*, user: User | None, post: Post) -> Post:
    """Count a download of a post the person may see, and give it back to hand them its file. Its author
    still sees a post whose files were erased for consent, but there is nothing left to download."""
    post = post_get_for_viewer(post.pk, user)
    if not post.video:
        raise DomainError(
            "post_media_erased",
            gettext("This video's files were erased for consent; it can't be shown again."),
            status=410,
        )
    stats_bump(post.pk, downloads=1)
    return post


@dataclass(frozen=True)
class ImpressionReport:
    """One view as the browser reports it (sent again as watching goes on: the latest wins)."""

    post_id: int
    view_id: str
    watch_ms: int
    completed: bool
    replays: int


def impressions_record(*, user: User, reports: list[ImpressionReport]) -> int:
    """Store a batch of views. Idempotent: a repeated `view_id` updates its row (never down), so a
    resent beacon counts once. Posts the person may not see are skipped. The counters count a person
    once per post and day (`_daily_view_record`). Returns the rows written."""
    if len(reports) > IMPRESSIONS_PER_BATCH:
        raise DomainError("too_many_impressions", f"Send at most {IMPRESSIONS_PER_BATCH} views at once.")
    visible = {
        pk: (author_id, seconds)
        for pk, author_id, seconds in posts_readable_by(user)
        .filter(pk__in={r.post_id for r in reports})
        .values_list("pk", "author_id", "seconds")
    }
    written = 0
    for report in reports:
        if report.post_id not in visible or not report.view_id or len(report.view_id) > 40:
            continue
        watch_ms = max(0, min(report.watch_ms, WATCH_MS_MAX))
        replays = max(0, min(report.replays, REPLAYS_MAX))
        with transaction.atomic():
            impression, created = Impression.objects.select_for_update().get_or_create(
                user=user,
                view_id=report.view_id,
                defaults={
                    "post_id": report.post_id,
                    "watch_ms": watch_ms,
                    "completed": report.completed,
                    "replays": replays,
                },
            )
            if not created:
                if impression.post_id != report.post_id:
                    continue
                impression.watch_ms = max(impression.watch_ms, watch_ms)
                impression.replays = max(impression.replays, replays)
                impression.completed = impression.completed or report.completed
                impression.save(update_fields=["watch_ms", "replays", "completed"])
            author_id, seconds = visible[report.post_id]
            if author_id != user.pk:  # a creator's own plays are not views of their video
                _daily_view_record(user=user, impression=impression, seconds=seconds)
        written += 1
    return written


def _daily_view_record(*, user: User, impression: Impression, seconds: int) -> None:
    """Count the person's view of the post today once, and how far into the video they got: played to
    the end, or the time it played against the video's length (the player's numbers, clamped, are all
    there is to go on). Only a gain moves the counters, so a view resent or seen again today adds nothing."""
    watched = 1000 if impression.completed else min(1000, impression.watch_ms // max(1, seconds))
    view, created = DailyView.objects.select_for_update().get_or_create(
        user=user,
        post_id=impression.post_id,
        day=today(),
        defaults={"watched": watched, "completed": impression.completed},
    )
    if created:
        stats_bump(impression.post_id, impressions=1, completions=int(view.completed), watched=watched)
        return
    gained = max(0, watched - view.watched)
    newly_completed = impression.completed and not view.completed
    if gained or newly_completed:
        view.watched += gained
        view.completed = view.completed or newly_completed
        view.save(update_fields=["watched", "completed"])
        stats_bump(impression.post_id, completions=int(newly_completed), watched=gained)


def bookmark_set(*, user: User, post: Post, saved: bool, collection: Collection | None = None) -> bool:
    """Save a post for later (private: nobody is told, no counter moves) or unsave it; saving again
    files it into `collection` (None: out of any). Unsaving needs no right to see the post any more, so
    a post taken down since can still be dropped. True when something changed."""
    if not saved:
        deleted, _ = Bookmark.objects.filter(user=user, post_id=post.pk).delete()
        return bool(deleted)
    post = post_get_for_viewer(post.pk, user)
    if collection is not None and collection.owner_id != user.pk:
        raise DomainError("collection_not_found", gettext("This collection does not exist."), status=404)
    bookmark, created = Bookmark.objects.get_or_create(user=user, post=post, defaults={"collection": collection})
    if not created and bookmark.collection_id != (collection.pk if collection else None):
        bookmark.collection = collection
        bookmark.save(update_fields=["collection"])
        return True
    return created


def collection_create(*, owner: User, name: str) -> Collection:
    name = " ".join(name.split())
    if not name:
        raise DomainError("collection_name_empty", gettext("Give the collection a name."), field="name")
    if len(name) > COLLECTION_NAME_MAX:
        raise DomainError(
            "collection_name_too_long",
            gettext("A collection's name can be at most %(max)d characters.") % {"max": COLLECTION_NAME_MAX},
            field="name",
        )
    if Collection.objects.filter(owner=owner).count() >= COLLECTIONS_MAX:
        raise DomainError(
            "collections_too_many",
            gettext("You can have at most %(max)d collections.") % {"max": COLLECTIONS_MAX},
            field="name",
        )
    try:
        with transaction.atomic():
            return Collection.objects.create(owner=owner, name=name)
    except IntegrityError:
        raise DomainError(
            "collection_name_taken", gettext("You already have a collection with this name."), field="name"
        ) from None


def collection_delete(*, collection: Collection, by: User) -> None:
    """Its posts stay saved, out of any collection."""
    if collection.owner_id != by.pk:
        raise DomainError("collection_not_found", gettext("This collection does not exist."), status=404)
    collection.delete()
