"""Reads for the API: the Video object, pages of videos, characters, the poll interval, webhook deliveries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q

from cameos.models import Cameo
from cameos.selectors import may_use
from feed.accounts.models import User
from generation.api.errors import failure_code
from generation.models import GenerationJob, WebhookDelivery
from generation.selectors import job_get_for_owner, jobs_of
from sora_site.errors import DomainError

State = GenerationJob.State
STATUS = {
    State.QUEUED: "queued",
    State.IN_PROGRESS: "in_progress",
    State.FINISHING: "in_progress",
    State.COMPLETED: "completed",
    State.FAILED: "failed",
    State.CANCELLED: "failed",  # the protocol has no cancelled status
}
CHARACTER_PREFIX = "char_"


def _unix(moment: dt.datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


def video_expires_at(job: GenerationJob) -> dt.datetime | None:
    if not settings.VIDEO_RETENTION_DAYS or job.state != State.COMPLETED or job.completed_at is None:
        return None
    return job.completed_at + dt.timedelta(days=settings.VIDEO_RETENTION_DAYS)


def video_object(job: GenerationJob) -> dict[str, Any]:
    status = STATUS[State(job.state)]
    failed = status == "failed"
    return {
        "id": job.public_id,
        "object": "video",
        "model": job.model,
        "status": status,
        "progress": job.progress,
        "created_at": _unix(job.created_at),
        "completed_at": _unix(job.completed_at) if status in ("completed", "failed") else None,
        "expires_at": _unix(video_expires_at(job)),
        "prompt": job.prompt,
        "size": job.size,
        "seconds": str(job.seconds),
        "remixed_from_video_id": job.remix_of.public_id if job.remix_of_id and job.remix_of else None,
        "error": {"code": failure_code(job.error_code), "message": job.error_message} if failed else None,
    }


def video_get(public_id: str, owner: User) -> GenerationJob:
    try:
        return job_get_for_owner(public_id, owner)
    except DomainError:
        raise DomainError("not_found", f"No video found with id {public_id!r}.", field="video_id", status=404) from None


def videos_page(owner: User, *, limit: int, order: str, after: str | None) -> tuple[list[GenerationJob], bool]:
    """One page of the owner's videos, newest first for `desc`, and whether more follow."""
    rows = jobs_of(owner).select_related("remix_of")
    ascending = order == "asc"
    rows = rows.order_by(*(("created_at", "pk") if ascending else ("-created_at", "-pk")))
    if after:
        cursor = GenerationJob.objects.filter(owner=owner, public_id=after).values_list("created_at", "pk").first()
        if cursor is None:
            raise DomainError("invalid_value", f"No video found with id {after!r}.", field="after")
        created, pk = cursor
        if ascending:
            rows = rows.filter(Q(created_at__gt=created) | Q(created_at=created, pk__gt=pk))
        else:
            rows = rows.filter(Q(created_at__lt=created) | Q(created_at=created, pk__lt=pk))
    page = list(rows[: limit + 1])
    return page[:limit], len(page) > limit


def poll_after_ms(job: GenerationJob) -> int:
    """How long a client should wait before polling again: longer when more jobs are ahead of this one."""
    if not job.is_active:
        return settings.API_POLL_AFTER_MS
    ahead = GenerationJob.objects.filter(state__in=GenerationJob.ACTIVE_STATES, created_at__lt=job.created_at).count()
    return int(min(settings.API_POLL_AFTER_MAX_MS, settings.API_POLL_AFTER_MS * (1 + ahead)))


def character_id(cameo: Cameo) -> str:
    return CHARACTER_PREFIX + cameo.handle


def character_name(cameo: Cameo) -> str:
    return cameo.name or cameo.handle


def character_object(cameo: Cameo) -> dict[str, Any]:
    return {"id": character_id(cameo), "name": character_name(cameo), "created_at": _unix(cameo.created_at)}


def character_cameo(public_id: str, *, field: str) -> Cameo:
    """The cameo behind a character id. Whether the caller may use it is decided where it is used
    (`cameo_use_check`, as for an @mention in a prompt)."""
    handle = public_id.removeprefix(CHARACTER_PREFIX) if public_id.startswith(CHARACTER_PREFIX) else ""
    cameo = Cameo.objects.select_related("owner").filter(handle=handle).first() if handle else None
    if cameo is None:
        raise DomainError("not_found", f"No character found with id {public_id!r}.", field=field, status=404)
    return cameo


def character_get(public_id: str, user: User) -> Cameo:
    """A character the caller owns or may use; anyone else's looks like a missing one."""
    cameo = character_cameo(public_id, field="character_id")
    if cameo.owner_id != user.pk and not may_use(user, cameo):
        raise DomainError("not_found", f"No character found with id {public_id!r}.", field="character_id", status=404)
    return cameo


def deliveries_of(owner: User, limit: int = 50) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(endpoint__owner=owner).select_related("endpoint")[:limit])
