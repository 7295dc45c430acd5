"""Sanctions on people (a hidden or removed subject, a strike, a suspension, a ban), what their owner
is told, and the standing check every door calls before someone creates, posts or comments."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from feed.accounts.models import User
from feed.notifications.services import notification_send
from moderation.models import ModerationCase, Sanction
from moderation.selectors import APPEAL_WINDOW, sanction_blocking
from sora_site.errors import DomainError

SUSPEND_DAYS_MAX = 365

# What a case is about, in words for its owner ("a moderator acted on your post").
SUBJECT_NOUNS = {
    "post": gettext_lazy("post"),
    "comment": gettext_lazy("comment"),
    "profile": gettext_lazy("profile"),
    "cameo": gettext_lazy("cameo"),
    "job": gettext_lazy("video"),
}


def sanction_create(*, case: ModerationCase, owner: User | None, kind: str, reason: str, days: int | None) -> Sanction:
    """A sanction on the owner of the case's subject, in the decision's transaction (`sanction_tell`
    tells them)."""
    if owner is None:
        raise DomainError("moderation_no_owner", gettext("This subject has no known owner to act on."))
    now = timezone.now()
    return Sanction.objects.create(
        user=owner,
        case=case,
        kind=kind,
        reason=reason,
        created_at=now,
        ends_at=now + dt.timedelta(days=days) if kind == Sanction.Kind.SUSPEND and days else None,
    )


def sanction_tell(*, sanction: Sanction) -> None:
    """Tell its owner what was done, why, and that they may appeal (stored with the decision, pushed
    after commit by `notification_send`)."""
    # Lazy parts: notification_send writes the text in the owner's language.
    kind_words = lazy(lambda: sanction.get_kind_display().lower(), str)()
    ends_at = sanction.ends_at
    until = (
        format_lazy(gettext_lazy(" until {date}"), date=lazy(lambda: date_format(ends_at), str)()) if ends_at else ""
    )
    subject_type = sanction.case.subject_type
    notification_send(
        recipient=sanction.user,
        actor=None,
        kind="moderation_action",
        subject=f"sanction:{sanction.pk}",
        text=format_lazy(
            gettext_lazy(
                "A moderator acted on your {subject}: {kind}{until}. Reason: {reason}. "
                "You can appeal within {days} days."
            ),
            subject=SUBJECT_NOUNS.get(subject_type, subject_type),
            kind=kind_words,
            until=until,
            reason=sanction.reason,
            days=APPEAL_WINDOW.days,
        ),
    )


def account_standing_check(*, user: User) -> None:
    """Refuse creating, posting and commenting to a suspended or banned account (the reason and end date told)."""
    sanction = sanction_blocking(user)
    if sanction is None:
        return
    if sanction.ends_at is None:
        raise DomainError(
            "account_banned",
            gettext("Your account is banned from creating, posting and commenting. Reason: %(reason)s")
            % {"reason": sanction.reason},
            status=403,
        )
    raise DomainError(
        "account_suspended",
        gettext(
            "Your account is suspended until %(until)s UTC, so you can't create, post or comment until then. "
            "Reason: %(reason)s"
        )
        % {"until": f"{sanction.ends_at:%d %b %Y %H:%M}", "reason": sanction.reason},
        status=403,
    )
