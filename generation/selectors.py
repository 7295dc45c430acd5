from __future__ import annotations

from django.db.models import QuerySet

from feed.models import User
from generation.models import GenerationJob
from sora_site.errors import DomainError


def jobs_of(owner: User) -> QuerySet[GenerationJob]:
    return GenerationJob.objects.filter(owner=owner).select_related("post").order_by("-created_at")


def job_get_for_owner(public_id: str, owner: User) -> GenerationJob:
    """Another user's job is indistinguishable from a missing one."""
    try:
        return GenerationJob.objects.select_related("remix_of_post__author").get(public_id=public_id, owner=owner)
    except GenerationJob.DoesNotExist:
        raise DomainError("job_not_found", "This job does not exist.", status=404) from None


def job_as_dict(job: GenerationJob) -> dict:
    return {
        "id": job.public_id,
        "state": job.state,
        "progress": job.progress,
        "error": {"code": job.error_code, "message": job.error_message} if job.error_code else None,
        "video_url": job.video.url if job.video else None,
        "poster_url": job.poster.url if job.poster else None,
    }
