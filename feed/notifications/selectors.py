"""Reads for notifications."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from feed.accounts.models import User
from feed.notifications.models import Notification


def notifications_for(user: User, *, subject_prefix: str = "", limit: int = 30) -> QuerySet[Notification]:
    """The newest notifications of `user`, optionally only those about one kind of subject ("cameo:")."""
    notes = Notification.objects.filter(recipient=user)
    if subject_prefix:
        notes = notes.filter(subject__startswith=subject_prefix)
    return notes.select_related("actor")[:limit]


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).count()


def unread_badge(request: HttpRequest) -> dict[str, int]:
    """Template context processor: the unread count behind the inbox badge of every page (error pages
    rendered before the authentication middleware ran have no user)."""
    user = getattr(request, "user", None)
    return {"unread_notifications": unread_count(user) if isinstance(user, User) else 0}
