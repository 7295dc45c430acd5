"""The "comment" moderation subject (registered in FeedConfig.ready): load, show, hide and whose."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from feed.accounts.models import User
from feed.engagement.models import Comment
from feed.engagement.services import comment_hidden_set

_VERBS = {"hidden": "Hidden while a moderator reviews it", "removed": "Removed by a moderator"}


def reported_comments(subject_ids: Sequence[str]) -> Mapping[str, object]:
    pks = [int(i) for i in subject_ids if i.isdigit()]
    comments = Comment.objects.filter(pk__in=pks).select_related("author", "post__author")
    return {str(comment.pk): comment for comment in comments}


def _comment_of(subject_id: str) -> Comment | None:
    return Comment.objects.filter(pk=int(subject_id)).select_related("author").first() if subject_id.isdigit() else None


def comment_owner(subject_id: str) -> User | None:
    comment = _comment_of(subject_id)
    return comment.author if comment is not None else None


def comment_moderation_act(*, subject_id: str, visibility: str, reason: str, by: User) -> None:
    comment = _comment_of(subject_id)
    if comment is None:
        return
    verb = _VERBS.get(visibility)
    comment_hidden_set(comment=comment, hidden=verb is not None, reason=f"{verb}: {reason}" if verb else "")


def comment_moderation_decide(*, subject_id: str, approve: bool, by: User) -> None:
    """Keep the reported comment, or remove it."""
    comment_moderation_act(
        subject_id=subject_id, visibility="visible" if approve else "removed", reason="after reports", by=by
    )
