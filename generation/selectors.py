from __future__ import annotations

from django.db.models import QuerySet

from feed.accounts.models import User
from generation.models import GenerationJob
from sora_site.errors import DomainError


def jobs_of(owner: User) -> QuerySet[GenerationJob]:
    return GenerationJob.objects.filter(owner=owner).order_by("-created_at")


def job_get_for_owner(public_id: str, owner: User) -> GenerationJob:
    """Another user's job is indistinguishable from a missing one."""
    try:
        return GenerationJob.objects.get(public_id=public_id, owner=owner)
    except GenerationJob.DoesNotExist:
        raise DomainError("job_not_found", "This job does not exist.", status=404) from None


def remix_source_get(public_id: str, user: User) -> GenerationJob:
    """The video `user` asked to remix, if they may: their own finished draft or one the feed shows them."""
    from generation.services import remix_check

    job = GenerationJob.objects.select_related("owner").filter(public_id=public_id).first()
    if job is None:
        raise DomainError("remix_not_allowed", "You can only remix public posts or your own videos.", status=404)
    remix_check(job, user)
    return job
