"""Per-user limits: jobs in progress at once, and generated seconds per rolling day (teens lower)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from feed.accounts.models import User
from generation.models import GenerationJob
from sora_site.errors import DomainError


@dataclass(frozen=True)
class Quota:
    """Where a user stands against their limits (shown on the create and drafts pages)."""

    daily_seconds: int
    used_seconds: int
    max_active: int
    active: int

    @property
    def seconds_left(self) -> int:
        return max(0, self.daily_seconds - self.used_seconds)

    @property
    def percent_used(self) -> int:
        return min(100, round(100 * self.used_seconds / self.daily_seconds)) if self.daily_seconds else 100


def quota_used_today(owner: User) -> int:
    """Seconds charged in the last 24 hours; failed and cancelled jobs were refunded to 0."""
    since = timezone.now() - dt.timedelta(days=1)
    used = GenerationJob.objects.filter(owner=owner, created_at__gte=since).aggregate(total=Sum("charged_seconds"))
    return int(used["total"] or 0)


def quota_of(owner: User) -> Quota:
    teen = owner.is_teen
    return Quota(
        daily_seconds=settings.GENERATION_DAILY_SECONDS_TEEN if teen else settings.GENERATION_DAILY_SECONDS,
        used_seconds=quota_used_today(owner),
        max_active=settings.GENERATION_MAX_CONCURRENT_TEEN if teen else settings.GENERATION_MAX_CONCURRENT,
        active=GenerationJob.objects.filter(owner=owner, state__in=GenerationJob.ACTIVE_STATES).count(),
    )


def quota_check(owner: User, seconds: int) -> None:
    quota = quota_of(owner)
    if quota.active >= quota.max_active:
        raise DomainError(
            "too_many_active_jobs",
            gettext("You already have %(active)d videos in progress. Wait for one to finish.")
            % {"active": quota.active},
            status=429,
        )
    if seconds > quota.seconds_left:
        raise DomainError(
            "quota_exceeded",
            gettext("This would take you over today's limit of %(daily)d generated seconds (%(used)d s used).")
            % {"daily": quota.daily_seconds, "used": quota.used_seconds},
            status=429,
        )
