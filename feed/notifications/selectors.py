"""Reads for notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from feed.accounts.models import User
from feed.notifications.models import Notification


def notifications_for(user: User, *, subject_prefix: str = "", limit: int = 30) -> QuerySet[Notification]:
    """The newest notifications of `user`, optionally only those about one kind of subject ("cameo:")."""
    notes = Notification.objects.filter(recipient=user)
    if subject_prefix:
        notes = notes.filter(subject__startswith=subject_prefix)
    return notes.select_related("actor")[:limit]
