"""The one way to tell someone something: a stored notification, pushed live to their open tabs."""

from __future__ import annotations

from feed.accounts.models import User
from feed.notifications.models import Notification
from sora_site.events import user_event_send


def notification_send(*, recipient: User, actor: User | None, kind: str, text: str, subject: str = "") -> Notification:
    """Store it (in the caller's transaction) and push it after commit."""
    notification = Notification.objects.create(
        recipient=recipient, actor=actor, kind=kind, subject=subject, text=text[:300]
    )
    user_event_send(recipient.pk, {"type": "notification", "kind": kind, "subject": subject, "text": notification.text})
    return notification


def notifications_delete_about(*, subject: str) -> int:
    """Forget what was said about something that no longer exists (a deleted cameo)."""
    deleted, _ = Notification.objects.filter(subject=subject).delete()
    return deleted
