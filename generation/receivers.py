"""Generation's answers to what the cameos app announces, and its media rule (connected in GenerationConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q

from cameos.models import Cameo
from generation import services
from generation.models import GenerationJob


def on_cameo_access_narrowed(sender: type[Cameo], *, cameo: Cameo, **kwargs: Any) -> int:
    return services.jobs_stop_disallowed(cameo=cameo)


def on_cameo_job_withdrawn(sender: type[Cameo], *, cameo: Cameo, job_id: int, reason: str, **kwargs: Any) -> str:
    return services.job_withdraw(job_id=job_id, code="cameo_permission_revoked", reason=reason)


def job_media_readable(name: str, viewer: AbstractBaseUser | None) -> bool:
    """A job's video, poster, spritesheet and input image are readable by the job's owner and by the owner of a cameo
    it uses (who may see every video with their likeness). The feed adds a rule for published videos."""
    if viewer is None:
        return False
    job = GenerationJob.objects.filter(
        Q(video=name) | Q(poster=name) | Q(spritesheet=name) | Q(input_image=name)
    ).first()
    if job is None:
        return False
    return job.owner_id == viewer.pk or job.cameo_usages.filter(cameo__owner_id=viewer.pk).exists()
