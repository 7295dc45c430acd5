"""The one way to tell someone something: a stored notification, pushed live to their open tabs."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise

from feed.accounts.models import User
from feed.notifications.models import Notification
from feed.notifications.selectors import unread_count
from sora_site.events import user_event_send


def notification_send(
    *, recipient: User, actor: User | None, kind: str, text: str | Promise, subject: str = ""
) -> Notification:
    """Store it (in the caller's transaction) and push it, with the new unread count, after commit.

    `text` is best a lazy translation (`format_lazy(gettext_lazy(...), ...)`): it is written in the
    recipient's language (their setting, else the site's), not in the language of whoever caused it.
    """
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        written = str(text)
    notification = Notification.objects.create(
        recipient=recipient, actor=actor, kind=kind, subject=subject, text=written[:300]
    )
    event = {
        "type": "notification",
        "kind": kind,
        "subject": subject,
        "text": notification.text,
        "unread": unread_count(recipient),
    }
    user_event_send(recipient.pk, event)
    return notification


def notifications_mark_read(*, user: User) -> int:
    """Everything `user` has been told is now read (they opened their inbox); the badge clears live."""
    marked = Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())
    if marked:
        user_event_send(user.pk, {"type": "notifications_read", "unread": 0})
    return marked


def notifications_delete_about(*, subject: str) -> int:
    """Forget what was said about something that no longer exists (a deleted cameo)."""
    deleted, _ = Notification.objects.filter(subject=subject).delete()
    return deleted
