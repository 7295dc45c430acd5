"""Sanctions on people (a hidden or removed subject, a strike, a suspension, a ban), what their owner
is told, and the standing check every door calls before someone creates, posts or comments."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from feed.accounts.models import User
from feed.notifications.services import notification_send
from moderation.models import ModerationCase, Sanction
from moderation.selectors import APPEAL_WINDOW, sanction_blocking
from sora_site.errors import DomainError
from sora_site.texts import sentence

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


# A sanction's kind inside a sentence (lower case in English; the labels of Sanction.Kind are titles).
KIND_WORDS = {
    Sanction.Kind.HIDE: sentence("sanction_word_hide", pgettext_lazy("sanction, in a sentence", "hidden")),
    Sanction.Kind.REMOVE: sentence("sanction_word_remove", pgettext_lazy("sanction, in a sentence", "removed")),
    Sanction.Kind.STRIKE: sentence("sanction_word_strike", pgettext_lazy("sanction, in a sentence", "a strike")),
    Sanction.Kind.SUSPEND: sentence(
        "sanction_word_suspend", pgettext_lazy("sanction, in a sentence", "suspended from posting")
    ),
    Sanction.Kind.BAN: sentence("sanction_word_ban", pgettext_lazy("sanction, in a sentence", "banned from posting")),
}
ACTED = sentence(
    "moderation_action",
    gettext_lazy("A moderator acted on your {subject}: {kind}. Reason: {reason}. You can appeal within {days} days."),
)
ACTED_UNTIL = sentence(
    "moderation_action_until",
    gettext_lazy(
        "A moderator acted on your {subject}: {kind} until {date}. Reason: {reason}. You can appeal within {days} days."
    ),
)


def sanction_tell(*, sanction: Sanction) -> None:
    """Tell its owner what was done, why, and that they may appeal (stored with the decision, pushed
    after commit by `notification_send`; written in the reader's language and time zone when shown)."""
    subject_type = sanction.case.subject_type
    said = {
        "subject": SUBJECT_NOUNS.get(subject_type, subject_type),
        "kind": KIND_WORDS[Sanction.Kind(sanction.kind)](),
        "reason": sanction.reason,
        "days": APPEAL_WINDOW.days,
    }
    notification_send(
        recipient=sanction.user,
        actor=None,
        kind="moderation_action",
        subject=f"sanction:{sanction.pk}",
        text=ACTED_UNTIL(**said, date=sanction.ends_at) if sanction.ends_at else ACTED(**said),
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
            "Your account is suspended until %(until)s, so you can't create, post or comment until then. "
            "Reason: %(reason)s"
        )
        % {"until": date_format(timezone.localtime(sanction.ends_at), "DATETIME_FORMAT"), "reason": sanction.reason},
        status=403,
    )
