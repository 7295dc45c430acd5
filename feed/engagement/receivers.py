"""Notifications for writes that happen in other packages (connected in FeedConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from feed.engagement.services import stats_bump
from feed.graph.models import Follow
from feed.notifications.services import notification_send
from feed.posts.models import Post
from feed.tasks import post_embed


def on_follow_saved(sender: type[Follow], *, instance: Follow, created: bool, **kwargs: Any) -> None:
    if created:
        follower = instance.follower
        notification_send(
            recipient=instance.followee,
            actor=follower,
            kind="followed",
            text=format_lazy(_("@{handle} started following you."), handle=follower.username),
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
            text=format_lazy(_("@{handle} remixed your video."), handle=instance.author.username),
            subject=f"post:{instance.pk}",
        )
