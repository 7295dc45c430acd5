"""The one way to tell someone something: a stored notification, pushed live to their open tabs."""

from __future__ import annotations

from django.utils import timezone

from feed.accounts.models import User
from feed.notifications.models import Notification
from feed.notifications.selectors import unread_count
from sora_site.events import user_event_send
from sora_site.texts import Sentence, sentence_in
from sora_site.timezones import zone_of


def notification_send(
    *, recipient: User, actor: User | None, kind: str, text: Sentence, subject: str = ""
) -> Notification:
    """Store it (in the caller's transaction) and push it, with the new unread count, after commit.

    `text` is kept as its code and parameters and written in the reader's language whenever the inbox
    shows it; what is pushed now (and kept beside it) is written in the recipient's language (their
    setting, else their browser's, recorded at sign-up), not in the language of whoever caused it.
    """
    with timezone.override(zone_of(recipient.zone_name)):
        written = sentence_in(recipient.reading_language, text)
    notification = Notification.objects.create(
        recipient=recipient, actor=actor, kind=kind, subject=subject, sentence=text.as_json(), text=written[:300]
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
