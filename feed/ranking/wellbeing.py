"""Well-being limits: a daily cap on feed items and a "take a break" card in long continuous scrolls.

The cap counts what was watched today (views, so a reload costs nothing) plus what this scroll has
already handed out (so an endless scroll still stops).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from feed.accounts.models import User
from feed.engagement.models import Impression
from feed.ranking.models import FeedPreferences
from sora_site.timezones import local_midnight


@dataclass(frozen=True)
class Limits:
    daily_cap: int
    break_after: int


def preferences_of(user: User) -> FeedPreferences:
    prefs, _ = FeedPreferences.objects.get_or_create(user=user)
    return prefs


def limits_for(user: User | None, prefs: FeedPreferences | None) -> Limits | None:
    """Teens always; others when they turned the limits on. A person's own values may only be lower.
    `prefs`: the person's row, already read by the caller (None: they have none)."""
    if user is None:
        return None
    if not user.is_teen and (prefs is None or not prefs.limits_on):
        return None
    cap, pause = settings.FEED_TEEN_DAILY_CAP, settings.FEED_TEEN_BREAK_AFTER
    if prefs is not None:
        cap = min(cap, prefs.daily_cap or cap)
        pause = min(pause, prefs.break_after or pause)
    return Limits(daily_cap=cap, break_after=pause)


def watched_today(user: User, *, besides: list[int]) -> int:
    """Posts this person watched today, leaving out `besides` (this scroll's, counted by the cursor).
    Today starts at midnight where they live (their account's zone), whoever asks and from where."""
    since = local_midnight(user.zone_name)
    views = Impression.objects.filter(user=user, created_at__gte=since).exclude(post_id__in=besides)
    return views.values("post_id").distinct().count()


def limits_update(*, user: User, limits_on: bool, daily_cap: int | None, break_after: int | None) -> FeedPreferences:
    prefs = preferences_of(user)
    prefs.limits_on = limits_on or user.is_teen
    prefs.daily_cap = max(1, daily_cap) if daily_cap else None
    prefs.break_after = max(1, break_after) if break_after else None
    prefs.save(update_fields=["limits_on", "daily_cap", "break_after", "updated_at"])
    return prefs
