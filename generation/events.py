"""The job as its owner's browser sees it, pushed over their socket and served as JSON."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from generation.models import GenerationJob
from generation.selectors import job_seconds_left
from sora_site.events import user_event_send


def job_as_dict(job: GenerationJob) -> dict[str, Any]:
    return {
        "type": "job",
        "id": job.public_id,
        "state": job.state,
        "progress": job.progress,
        "seconds_left": job_seconds_left(job),
        # In the active language: the asker's (the JSON endpoint), the owner's for a push.
        "error": {"code": job.error_code, "message": job.error_text} if job.error_code else None,
        "video_url": job.video.url if job.video else None,
        "poster_url": job.poster.url if job.poster else None,
    }


def job_push(job: GenerationJob) -> None:
    """To the owner's open tabs (in their language), after the surrounding transaction commits."""
    with translation.override(job.owner.reading_language):
        user_event_send(job.owner_id, job_as_dict(job))
