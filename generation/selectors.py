from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from feed.accounts.models import User
from generation.models import GenerationJob, StitchPart
from generation.signals import remix_granted
from sora_site.errors import DomainError
from sora_site.texts import sentence

# Kept as sentences: the worker checks a remix again before reading its source, and a job that fails
# there keeps the reason for its owner to read in their own language.
_REMIX_WITHHELD = sentence(
    "remix_withheld", gettext_lazy("This video's post is in review or taken down, so it can't be remixed.")
)
_REMIX_NOT_ALLOWED = sentence("remix_not_allowed", gettext_lazy("You can only remix public posts or your own videos."))
_REMIX_NOT_READY = sentence("remix_not_ready", gettext_lazy("Only finished videos can be remixed."))


def jobs_of(owner: User) -> QuerySet[GenerationJob]:
    return GenerationJob.objects.filter(owner=owner).order_by("-created_at")


def job_get_for_owner(public_id: str, owner: User) -> GenerationJob:
    """Another user's job is indistinguishable from a missing one."""
    try:
        return GenerationJob.objects.get(public_id=public_id, owner=owner)
    except GenerationJob.DoesNotExist:
        raise DomainError("job_not_found", gettext("This job does not exist."), status=404) from None


def remix_check(source: GenerationJob, user: User) -> None:
    """`user` may remix their own finished videos and those the layers above grant (a post they may see:
    not private, not blocked either way, not taken down), and nobody a video the layers above withhold
    (its post held or taken down by moderation, for its author too). Met by every new remix, extension
    and edit, by a retry of one, and by the worker before it reads the source's frames."""
    granted = remix_granted(source, user)
    if granted is False and source.owner_id == user.pk:
        raise DomainError(
            "remix_not_allowed",
            _REMIX_WITHHELD(),
            field="remix_of",
            status=403,
        )
    if granted is False or (granted is None and source.owner_id != user.pk):
        raise DomainError(
            "remix_not_allowed",
            _REMIX_NOT_ALLOWED(),
            field="remix_of",
            status=404,
        )
    if source.state != GenerationJob.State.COMPLETED:
        raise DomainError("remix_not_ready", _REMIX_NOT_READY(), field="remix_of")


def remix_source_get(public_id: str, user: User) -> GenerationJob:
    """The video `user` asked to remix, if they may: their own finished draft or one the feed shows them."""
    job = GenerationJob.objects.select_related("owner").filter(public_id=public_id).first()
    if job is None:
        raise DomainError("remix_not_allowed", _REMIX_NOT_ALLOWED(), status=404)
    remix_check(job, user)
    return job


# A stitch's drafts: checked when it is asked for and again on the worker, before their files are read.
_STITCH_SOURCE_NOT_FOUND = sentence(
    "stitch_source_not_found", gettext_lazy("A draft you picked is not one of your drafts any more (it was deleted?).")
)
_STITCH_SOURCE_NOT_READY = sentence("stitch_source_not_ready", gettext_lazy("Only finished drafts can be stitched."))
_STITCH_SOURCE_WITHHELD = sentence(
    "stitch_source_withheld",
    gettext_lazy("A draft you picked is in review or was taken down, so it can't be stitched."),
)
_STITCH_SOURCE_REMOVED = sentence(
    "stitch_source_removed", gettext_lazy("A draft you picked was removed, so it can't be stitched.")
)


def stitch_source_check(source: GenerationJob | None, user: User) -> GenerationJob:
    """May `user` stitch `source`? Only their own finished draft whose video is still there, and not one the
    layers above withhold (its post in review, held or taken down: `remix_granted`, the rule remixes
    follow). Met when the stitch is asked for, by its retry, and on the worker before the file is read."""
    if source is None or source.owner_id != user.pk:
        raise DomainError("stitch_source_not_found", _STITCH_SOURCE_NOT_FOUND(), field="parts", status=404)
    if source.state != GenerationJob.State.COMPLETED:
        raise DomainError("stitch_source_not_ready", _STITCH_SOURCE_NOT_READY(), field="parts")
    if remix_granted(source, user) is False:
        raise DomainError("stitch_source_withheld", _STITCH_SOURCE_WITHHELD(), field="parts", status=403)
    if not source.video:
        raise DomainError("stitch_source_removed", _STITCH_SOURCE_REMOVED(), field="parts")
    return source


def stitch_parts_of(job: GenerationJob) -> list[StitchPart]:
    """A stitched video's drafts in order, each checked again (`stitch_source_check`)."""
    parts = list(job.stitch_parts.select_related("source"))
    for part in parts:
        stitch_source_check(part.source, job.owner)
    return parts


def stitchable_drafts(owner: User) -> QuerySet[GenerationJob]:
    """The drafts the stitch form offers: `owner`'s finished videos, newest first (each is checked again
    by `stitch_source_check` when stitched)."""
    return jobs_of(owner).filter(state=GenerationJob.State.COMPLETED).exclude(video="")


def phase_shares(backend: str) -> dict[str, float]:
    """Each phase's share of the whole job's time (generate, then every finishing step by name), as the
    last completed job on `backend` took them; empty before the first. Progress moves by these shares,
    so a job's progress rate (and the estimate from it) is its real pace."""
    last = (
        GenerationJob.objects.filter(state=GenerationJob.State.COMPLETED, backend=backend)
        .exclude(timings={})
        .order_by("-completed_at")
        .values_list("timings", flat=True)
        .first()
    )
    seconds = {name: float(s) for name, s in (last or {}).items() if name != "total"}
    whole = sum(seconds.values())
    return {name: s / whole for name, s in seconds.items()} if whole > 0 else {}


ETA_MIN_PROGRESS = 3  # below this the rate says little (model loading, the first frame)


def job_seconds_left(job: GenerationJob, *, now: dt.datetime | None = None) -> int | None:
    """An estimate of the seconds until the job is done, from its own progress rate so far (progress
    points between its start and its last progress write); None while it waits or has just begun."""
    if not job.is_active or job.started_at is None or job.heartbeat_at is None or job.progress < ETA_MIN_PROGRESS:
        return None
    now = now or timezone.now()
    ran = (job.heartbeat_at - job.started_at).total_seconds()
    if ran <= 0:
        return None
    rate = job.progress / ran  # points per second
    since_last = (now - job.heartbeat_at).total_seconds()
    return max(1, round((100 - job.progress) / rate - since_last))
