"""Per-user limits: jobs in progress at once, and generated seconds per rolling day (teens lower)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from feed.accounts.models import User
from generation.models import GenerationJob
from sora_site.errors import DomainError


def quota_used_today(owner: User) -> int:
    """Seconds charged in the last 24 hours; failed and cancelled jobs were refunded to 0."""
    since = timezone.now() - dt.timedelta(days=1)
    used = GenerationJob.objects.filter(owner=owner, created_at__gte=since).aggregate(total=Sum("charged_seconds"))
    return int(used["total"] or 0)


def quota_check(owner: User, seconds: int) -> None:
    teen = owner.is_teen
    max_active = settings.GENERATION_MAX_CONCURRENT_TEEN if teen else settings.GENERATION_MAX_CONCURRENT
    daily = settings.GENERATION_DAILY_SECONDS_TEEN if teen else settings.GENERATION_DAILY_SECONDS
    active = GenerationJob.objects.filter(owner=owner, state__in=GenerationJob.ACTIVE_STATES).count()
    if active >= max_active:
        raise DomainError(
            "too_many_active_jobs", f"You already have {active} videos in progress. Wait for one to finish.", status=429
        )
    used = quota_used_today(owner)
    if used + seconds > daily:
        raise DomainError(
            "quota_exceeded",
            f"This would take you over today's limit of {daily} generated seconds ({used} s used).",
            status=429,
        )
