"""Generation's answers to the layers below it: cameos' signals, its media rule, moderation's "job" subject
(connected in generation/wiring.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q

from cameos.models import Cameo
from feed.accounts.models import User
from generation import failures, services
from generation.fingerprint_index import fingerprints_delete
from generation.models import GenerationJob
from moderation.selectors import cases_exist, user_is_moderator
from sora_site.texts import Sentence


def on_job_deleted(sender: type[GenerationJob], *, instance: GenerationJob, **kwargs: Any) -> None:
    """A deleted job's frame fingerprints go with it, however it was deleted (its owner, an account
    deleted with its jobs): the index table has no foreign key (migration 0010 says why)."""
    fingerprints_delete(job_id=instance.pk)


def on_cameo_access_narrowed(sender: type[Cameo], *, cameo: Cameo, **kwargs: Any) -> int:
    return services.jobs_stop_disallowed(cameo=cameo)


def on_cameo_job_withdrawn(sender: type[Cameo], *, cameo: Cameo, job_id: int, reason: Sentence, **kwargs: Any) -> str:
    return services.job_withdraw(job_id=job_id, code="cameo_permission_revoked", reason=reason)


def job_media_readable(name: str, viewer: AbstractBaseUser | None) -> bool:
    """A job's video, poster, spritesheet, subtitles and input image are readable by the job's owner and
    by the owner of a cameo it uses (who may see every video with their likeness). The feed adds a rule
    for published videos."""
    if viewer is None:
        return False
    job = GenerationJob.objects.filter(
        Q(video=name) | Q(poster=name) | Q(spritesheet=name) | Q(subtitles=name) | Q(input_image=name)
    ).first()
    if job is None:
        return False
    if job.owner_id == viewer.pk or job.cameo_usages.filter(cameo__owner_id=viewer.pk).exists():
        return True
    # Moderators see a draft only while it is the subject of a case (reported by a cameo's owner).
    return isinstance(viewer, User) and user_is_moderator(viewer) and cases_exist("job", str(job.pk))


def moderated_jobs(subject_ids: Sequence[str]) -> Mapping[str, object]:
    """The jobs of a page of moderation cases ("job" subjects: a blocked video, a cameo use reported by
    the cameo's owner), with their owners."""
    pks = [int(i) for i in subject_ids if i.isdigit()]
    return {str(job.pk): job for job in GenerationJob.objects.filter(pk__in=pks).select_related("owner")}


def job_owner(subject_id: str) -> User | None:
    job = (
        GenerationJob.objects.filter(pk=int(subject_id)).select_related("owner").first()
        if subject_id.isdigit()
        else None
    )
    return job.owner if job is not None else None


def job_moderation_show(*, subject_id: str, visibility: str, reason: str, by: User) -> None:
    """Keep the video (visible: nothing changes), or remove it as a consent take-down: a post of it is
    taken down with its files erased, a job in progress stopped, a draft deleted (a blocked job keeps
    only the case's evidence). A video cannot be hidden."""
    if (
        visibility != "removed"
        or not subject_id.isdigit()
        or not GenerationJob.objects.filter(pk=int(subject_id)).exists()
    ):
        return
    services.job_withdraw(job_id=int(subject_id), code="moderation_removed", reason=failures.MODERATION_REMOVED())
