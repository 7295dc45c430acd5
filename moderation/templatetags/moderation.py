"""`{% load moderation %}`: `user|can_moderate` (the moderator check) and the case log's words, for templates."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import pgettext_lazy

from feed.accounts.models import User
from moderation.models import Report
from moderation.selectors import user_is_moderator

register = template.Library()


@register.filter
def can_moderate(user: User | AnonymousUser) -> bool:
    return user_is_moderator(user)


# What happened to a case, as its log shows it to a moderator (the stored codes stay English).
EVENT_LABELS = {
    "flagged": pgettext_lazy("moderation event", "Flagged"),
    "held": pgettext_lazy("moderation event", "Held for review"),
    "blocked": pgettext_lazy("moderation event", "Blocked"),
    "reported": pgettext_lazy("moderation event", "Reported"),
    "approve": pgettext_lazy("moderation event", "Approved"),
    "take_down": pgettext_lazy("moderation event", "Taken down"),
    "hide": pgettext_lazy("moderation event", "Hidden"),
    "remove": pgettext_lazy("moderation event", "Removed"),
    "strike": pgettext_lazy("moderation event", "Warning given"),
    "suspend": pgettext_lazy("moderation event", "Suspended from posting"),
    "ban": pgettext_lazy("moderation event", "Banned"),
    "escalate": pgettext_lazy("moderation event", "Escalated"),
    "note": pgettext_lazy("moderation event", "Note"),
    "resolve": pgettext_lazy("moderation event", "Reports resolved"),
    "appealed": pgettext_lazy("moderation event", "Appealed"),
    "appeal_upheld": pgettext_lazy("moderation event", "Appeal upheld"),
    "appeal_denied": pgettext_lazy("moderation event", "Appeal denied"),
    "evidence_erased": pgettext_lazy("moderation event", "Evidence erased"),
    "public_figure_added": pgettext_lazy("moderation event", "Public figure added"),
    "public_figure_removed": pgettext_lazy("moderation event", "Public figure removed"),
    "text_refused": pgettext_lazy("moderation event", "Text refused"),
}


@register.filter
def event_label(action: str) -> str:
    """`{{ event.action|event_label }}`: the event in the reader's language (an unknown code as it is)."""
    return str(EVENT_LABELS.get(action, action))


@register.filter
def report_category_label(code: str) -> str:
    """A report's category code as the reporter chose it, in the reader's language."""
    return str(Report.Category(code).label) if code in Report.Category.values else code
