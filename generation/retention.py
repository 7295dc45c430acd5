"""Retention: with VIDEO_RETENTION_DAYS set, finished videos are deleted once they expire.

It is the core's rule, not the API's: it deletes every finished job past the cutoff, whichever door
made it (the create page or /v1); the API only shows the date as the Video object's `expires_at`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from generation.models import GenerationJob
from generation.services import job_delete
from sora_site.errors import DomainError


def videos_delete_expired(*, now: dt.datetime | None = None) -> int:
    """With VIDEO_RETENTION_DAYS set, finished videos past their `expires_at` are deleted with their files
    (hourly, by beat). A posted video stays: the feed refuses its deletion. Returns how many went."""
    if not settings.VIDEO_RETENTION_DAYS:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.VIDEO_RETENTION_DAYS)
    deleted = 0
    expired = GenerationJob.objects.filter(state=GenerationJob.State.COMPLETED, completed_at__lt=cutoff)
    for job in expired.select_related("owner")[:500]:
        try:
            job_delete(job=job, by=job.owner)
        except DomainError:
            continue  # posted: the feed keeps it
        deleted += 1
    return deleted
