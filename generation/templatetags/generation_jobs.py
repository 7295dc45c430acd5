"""Template helpers for the drafts page."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from generation.models import GenerationJob
from generation.selectors import job_seconds_left

register = template.Library()


@register.filter
def time_left(job: GenerationJob) -> str:
    """The same words static/js/jobs.js writes when a progress event arrives."""
    if job.state == GenerationJob.State.QUEUED:
        return gettext("· waiting for a worker")
    seconds = job_seconds_left(job)
    if not seconds:
        return ""
    if seconds < 90:
        return gettext("· about %(seconds)d s left") % {"seconds": seconds}
    return gettext("· about %(minutes)d min left") % {"minutes": round(seconds / 60)}
