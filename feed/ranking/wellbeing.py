"""Well-being limits: a daily cap on feed items and a "take a break" card in long continuous scrolls."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from feed.accounts.models import User
from feed.ranking.models import FeedPreferences


@dataclass(frozen=True)
class Limits:
    daily_cap: int
    break_after: int


def preferences_of(user: User) -> FeedPreferences:
    prefs, _ = FeedPreferences.objects.get_or_create(user=user)
    return prefs


def limits_for(user: User | None, prefs: FeedPreferences | None = None) -> Limits | None:
    """Teens always; others when they turned the limits on. A person's own values may only be lower."""
    if user is None:
        return None
    prefs = prefs or FeedPreferences.objects.filter(user=user).first()
    if not user.is_teen and (prefs is None or not prefs.limits_on):
        return None
    cap, pause = settings.FEED_TEEN_DAILY_CAP, settings.FEED_TEEN_BREAK_AFTER
    if prefs is not None:
        cap = min(cap, prefs.daily_cap or cap)
        pause = min(pause, prefs.break_after or pause)
    return Limits(daily_cap=cap, break_after=pause)


def served_today(user: User) -> int:
    prefs = FeedPreferences.objects.filter(user=user).first()
    if prefs is None or prefs.served_on != timezone.localdate():
        return 0
    return prefs.served_today


def served_add(*, user: User, count: int) -> None:
    """Count items handed to this person today (the daily cap reads it)."""
    today = timezone.localdate()
    with transaction.atomic():
        prefs = FeedPreferences.objects.select_for_update().filter(user=user).first() or preferences_of(user)
        if prefs.served_on != today:
            FeedPreferences.objects.filter(pk=prefs.pk).update(served_on=today, served_today=count)
        else:
            FeedPreferences.objects.filter(pk=prefs.pk).update(served_today=F("served_today") + count)


def limits_update(*, user: User, limits_on: bool, daily_cap: int | None, break_after: int | None) -> FeedPreferences:
    prefs = preferences_of(user)
    prefs.limits_on = limits_on or user.is_teen
    prefs.daily_cap = max(1, daily_cap) if daily_cap else None
    prefs.break_after = max(1, break_after) if break_after else None
    prefs.save(update_fields=["limits_on", "daily_cap", "break_after", "updated_at"])
    return prefs
