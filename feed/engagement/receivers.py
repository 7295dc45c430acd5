"""Engagement's answers (connected in feed/wiring.py): notifications for writes that happen in
other packages (follows, remixes), and moderation's "comment" subject: load, show, hide and whose."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from feed.accounts.hidden_reasons import moderation_reason
from feed.accounts.models import User
from feed.engagement.models import Comment
from feed.engagement.services import comment_hidden_set, stats_bump
from feed.graph.models import Follow
from feed.notifications.services import notification_send
from feed.posts.models import Post
from feed.tasks import post_embed
from sora_site.texts import sentence

FOLLOWED = sentence("followed", _("@{handle} started following you."))
REMIXED = sentence("post_remixed", _("@{handle} remixed your video."))


def on_follow_saved(sender: type[Follow], *, instance: Follow, created: bool, **kwargs: Any) -> None:
    if created:
        follower = instance.follower
        notification_send(
            recipient=instance.followee,
            actor=follower,
            kind="followed",
            text=FOLLOWED(handle=follower.username),
            subject=f"user:{follower.pk}",
        )


def on_post_saved(sender: type[Post], *, instance: Post, created: bool, **kwargs: Any) -> None:
    """A new post is embedded for ranking (by the worker, after commit). A new remix counts on its
    parent, whose author hears of it (unless it is their own)."""
    if not created:
        return
    post_id = instance.pk
    transaction.on_commit(lambda: post_embed.delay(post_id))
    parent = instance.remix_of
    if parent is None:
        return
    stats_bump(parent.pk, remixes=1)
    if parent.author_id != instance.author_id:
        notification_send(
            recipient=parent.author,
            actor=instance.author,
            kind="post_remixed",
            text=REMIXED(handle=instance.author.username),
            subject=f"post:{instance.pk}",
        )


# --- the "comment" moderation subject ---------------------------------------------------------------


def reported_comments(subject_ids: Sequence[str]) -> Mapping[str, object]:
    pks = [int(i) for i in subject_ids if i.isdigit()]
    comments = Comment.objects.filter(pk__in=pks).select_related("author", "post__author")
    return {str(comment.pk): comment for comment in comments}


def _comment_of(subject_id: str) -> Comment | None:
    return Comment.objects.filter(pk=int(subject_id)).select_related("author").first() if subject_id.isdigit() else None


def comment_owner(subject_id: str) -> User | None:
    comment = _comment_of(subject_id)
    return comment.author if comment is not None else None


def comment_moderation_show(*, subject_id: str, visibility: str, reason: str, by: User) -> None:
    comment = _comment_of(subject_id)
    if comment is None:
        return
    said = moderation_reason(visibility, reason)
    comment_hidden_set(comment=comment, hidden=said is not None, reason=said or "")
