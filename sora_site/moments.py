"""Template filters (a builtin library: no {% load %}) for moments shown to people, in the active language
and time zone: `{{ post.created_at|ago }}` says "just now" or "5 minutes ago" (one unit, the whole phrase
from the catalog, not `timesince` + "ago"); `{{ moment|since }}` is the one-unit span for a sentence of its own."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext

register = template.Library()
JUST_NOW = dt.timedelta(minutes=1)


@register.filter
def since(moment: dt.datetime | None) -> str:
    """The time since `moment` in its largest unit ("2 hours", 「2時間」)."""
    return timesince(moment, depth=1) if moment else ""


@register.filter
def ago(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    if timezone.now() - moment < JUST_NOW:
        return gettext("just now")
    return gettext("%(since)s ago") % {"since": since(moment)}
