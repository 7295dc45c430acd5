"""Template helpers for the drafts page."""

from __future__ import annotations

from django import template

from generation.models import GenerationJob
from generation.selectors import job_seconds_left

register = template.Library()


@register.filter
def time_left(job: GenerationJob) -> str:
    """The same words static/js/jobs.js writes when a progress event arrives."""
    if job.state == GenerationJob.State.QUEUED:
        return "· waiting for a worker"
    seconds = job_seconds_left(job)
    if not seconds:
        return ""
    return f"· about {seconds} s left" if seconds < 90 else f"· about {round(seconds / 60)} min left"
