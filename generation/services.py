"""Writes for generation jobs that people ask for: create, stitch, retry, cancel, delete, and the stops that
cameo owners cause (revoke, withdraw). The worker's side is `generation.worker`; every way a job ends
goes through `generation.transitions.job_end`.
"""

from __future__ import annotations

import io
import math
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from cameos import likeness
from cameos.models import Cameo
from cameos.selectors import cameos_of_job, may_use
from cameos.services import usage as cameo_usage
from feed.accounts.models import User
from generation import failures, specs
from generation.events import job_push
from generation.models import GenerationJob, StitchPart
from generation.queue import job_enqueue
from generation.quotas import quota_check
from generation.selectors import remix_check, stitch_source_check
from generation.signals import job_deleting, job_withdrawn
from generation.storage import media_delete
from generation.transitions import job_end, job_error_fields
from moderation.nudity import explicit_findings
from moderation.sanctions import account_standing_check
from moderation.texts import texts_check
from sora_site.errors import DomainError
from sora_site.images import cover_crop, image_open_checked
from sora_site.texts import Sentence

State = GenerationJob.State
INPUT_IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
BLOCKED_CODES = ("likeness_blocked", "nudity_blocked")  # moderation's frames stage refused the output


def job_create(
    *,
    owner: User,
    prompt: str,
    model: str = "sora-2",
    size: str = specs.DEFAULT_SIZE,
    seconds: int | str = 4,
    shots: list[dict[str, Any]] | None = None,
    input_image: UploadedFile | None = None,
    remix_of: GenerationJob | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
    seed: int | None = None,
    cameo_handles: Sequence[str] = (),
) -> tuple[GenerationJob, list[str]]:
    """Validate and queue a job. Returns the job and notices for the user (e.g. "image cropped").

    Nothing is queued unless every check passes. The same `idempotency_key` returns the first job, if it
    came with the same request (`request_hash`, a digest of it); with another request it is refused.
    `cameo_handles` are cameos asked for besides the prompt's @mentions (the API's `characters`).
    """
    if idempotency_key:
        existing = GenerationJob.objects.filter(owner=owner, idempotency_key=idempotency_key).first()
        if existing is not None:
            if request_hash != existing.idempotency_request_hash:
                raise DomainError(
                    "idempotency_key_reused",
                    "This Idempotency-Key was already used with a different request. Use a new key.",
                    field="Idempotency-Key",
                    status=422,
                )
            return existing, []
    model = specs.model_check(model)
    width, height = specs.size_check(size)
    if shots:
        checked_shots = specs.shots_check(shots)
        prompt = " / ".join(shot["prompt"] for shot in checked_shots)
    else:
        prompt = specs.prompt_check(prompt)
        checked_shots = [{"prompt": prompt, "seconds": specs.seconds_check(seconds)}]
    cameos = job_create_check(
        owner=owner, shots=checked_shots, storyboard=bool(shots), remix_of=remix_of, cameo_handles=cameo_handles
    )
    notices: list[str] = []
    image_file = None
    if input_image is not None:
        image_file, notice, fitted = input_image_fit(input_image, width, height)
        if notice:
            notices.append(notice)
        # Before anything is stored: nudity, and faces the requester may not show (a photo of
        # someone's cameo counts as using that cameo, with the same consent check).
        reference_image_check(owner, fitted, prompts=[shot["prompt"] for shot in checked_shots], cameos=cameos)
    job = GenerationJob(
        owner=owner,
        prompt=prompt,
        model=model,
        width=width,
        height=height,
        seconds=sum(shot["seconds"] for shot in checked_shots),
        shots=checked_shots,
        seed=seed if seed is not None else secrets.randbelow(2**31),
        remix_of=remix_of,
        idempotency_key=idempotency_key,
        idempotency_request_hash=request_hash if idempotency_key else "",
    )
    return _job_insert(job, cameos=cameos, image_file=image_file), notices


def job_create_check(
    *,
    owner: User,
    shots: list[dict[str, Any]],
    storyboard: bool,
    remix_of: GenerationJob | None = None,
    cameo_handles: Sequence[str] = (),
) -> list[Cameo]:
    """May `owner` ask for this video? The one check of every door that makes a job: the create page
    (text, image, storyboard, remix), the API's create, remix, edit and extend, and a retry, which is a
    new request. Their account's standing (not suspended or banned), the remixed video (`remix_check`),
    each cameo's consent and its owner's restrictions (`cameo_use_check`), and moderation's prompt stage.
    Returns the cameos the video will show. The quota is metered as the job is inserted (`_job_insert`)."""
    account_standing_check(user=owner)
    if remix_of is not None:
        remix_check(remix_of, owner)
    # @mentions in every shot and the remixed video's cameos: each must be usable by `owner`.
    cameos = cameo_usage.cameos_for_new_job(
        owner=owner,
        texts=[shot["prompt"] for shot in shots] + [f"@{handle}" for handle in cameo_handles],
        remix_of_job_id=remix_of.pk if remix_of is not None else None,
    )
    prompts_check(owner, shots, cameos, storyboard=storyboard, remix_of=remix_of)
    return cameos


def prompts_check(
    owner: User, shots: list[dict[str, Any]], cameos: list[Cameo], *, storyboard: bool, remix_of: GenerationJob | None
) -> None:
    """Moderation's prompt stage on the request as a whole: every shot alone and all of them together
    with the remixed video's prompt (stricter when a real person's cameo is in the video)."""
    uses_cameo = any(cameo.is_human for cameo in cameos)
    surface = "storyboard" if storyboard else "remix" if remix_of is not None else "prompt"
    texts_check(
        texts=[
            (f"shot-{number}-prompt" if storyboard else "prompt", shot["prompt"])
            for number, shot in enumerate(shots, start=1)
        ],
        context=[remix_of.prompt] if remix_of is not None else [],
        surface=surface,
        user=owner,
        uses_cameo=uses_cameo,
    )


def input_image_fit(upload: UploadedFile, width: int, height: int) -> tuple[ContentFile[bytes], str, np.ndarray]:
    """Validate an image by its content and cover-crop it to width x height: (PNG file, notice, RGB pixels)."""
    image = image_open_checked(
        upload,
        formats=INPUT_IMAGE_FORMATS,
        max_bytes=settings.GENERATION_INPUT_IMAGE_MAX_BYTES,
        max_pixels=settings.GENERATION_INPUT_IMAGE_MAX_PIXELS,
        code_prefix="image",
        field="input_reference",
    )
    notice = ""
    if image.size != (width, height):
        notice = gettext("Your image (%(original)s) was resized and cropped to %(size)s.") % {
            "original": f"{image.width}x{image.height}",
            "size": f"{width}x{height}",
        }
    out = io.BytesIO()
    fitted = cover_crop(image, width, height).convert("RGB")
    fitted.save(out, "PNG")
    return ContentFile(out.getvalue()), notice, np.asarray(fitted)


def reference_image_check(owner: User, image: np.ndarray, *, prompts: list[str], cameos: list[Cameo]) -> None:
    """Moderation on an image to animate. Cameos it shows that `owner` may use join `cameos` (the
    ledger and their owners' restrictions then apply as for an @mention)."""
    if explicit_findings(image, stage="reference"):
        raise DomainError(
            "image_blocked",
            gettext("This image shows nudity, which videos can't include. It was not kept; choose another."),
            field="input_reference",
        )
    for cameo in likeness.reference_image_check(user=owner, image=image):
        if cameo.pk not in {c.pk for c in cameos}:
            cameos.append(cameo)
            if cameo.owner_id != owner.pk:
                cameo_usage.cameo_restrictions_check(cameo, " / ".join(prompts))


def stitch_create(*, owner: User, parts: Sequence[Mapping[str, object]]) -> GenerationJob:
    """Queue one new video joined from 2-6 of `owner`'s finished drafts, in order, each trimmed:
    `parts` are {"id": the draft's public id, "start": s, "end": s}. Nothing is queued unless every
    check passes (`stitch_create_check`). It is charged no generated seconds (see `_job_insert`)."""
    sources, specs_checked, cameos = stitch_create_check(owner=owner, parts=parts)
    first = sources[0]
    job = GenerationJob(
        owner=owner,
        kind=GenerationJob.Kind.STITCH,
        prompt=" / ".join(source.prompt for source in sources),
        model=first.model,
        width=first.width,
        height=first.height,
        seconds=math.ceil(sum(spec.end_s - spec.start_s for spec in specs_checked)),
        seed=0,
    )
    stitch_parts = [
        StitchPart(source=source, position=position, start_s=spec.start_s, end_s=spec.end_s)
        for position, (source, spec) in enumerate(zip(sources, specs_checked, strict=True))
    ]
    return _job_insert(job, cameos=cameos, parts=stitch_parts)


def stitch_create_check(
    *, owner: User, parts: Sequence[Mapping[str, object]]
) -> tuple[list[GenerationJob], list[specs.StitchPartSpec], list[Cameo]]:
    """May `owner` join these drafts? The one check of the drafts page's stitch form and of a stitch's
    retry: their standing; each draft their own, finished, not withheld or removed (`stitch_source_check`),
    trimmed within its length; every cameo in any of them still usable by them now (`cameos_for_stitch`:
    `cameo_use_check` and the owners' restrictions); and moderation's prompt stage on all the drafts'
    prompts together. Returns the drafts, the checked trims and the cameos the video will show."""
    account_standing_check(user=owner)
    checked = specs.stitch_parts_check(parts)
    found = {job.public_id: job for job in GenerationJob.objects.filter(public_id__in=[p.source_id for p in checked])}
    sources = [stitch_source_check(found.get(spec.source_id), owner) for spec in checked]
    for number, (source, spec) in enumerate(zip(sources, checked, strict=True), start=1):
        if spec.end_s > source.seconds:
            raise DomainError(
                "stitch_trim",
                gettext("Draft %(number)d lasts %(seconds)d s: end its trim at %(seconds)d s or sooner.")
                % {"number": number, "seconds": source.seconds},
                field=f"part-{number}",
            )
    prompts = [source.prompt for source in sources]
    cameos = cameo_usage.cameos_for_stitch(owner=owner, texts=prompts, source_job_ids=[s.pk for s in sources])
    texts_check(
        texts=[(f"part-{number}", prompt) for number, prompt in enumerate(prompts, start=1)],
        surface="stitch",
        user=owner,
        uses_cameo=any(cameo.is_human for cameo in cameos),
    )
    return sources, checked, cameos


def _job_insert(
    job: GenerationJob,
    *,
    cameos: list[Cameo],
    image_file: ContentFile[bytes] | None = None,
    parts: Sequence[StitchPart] = (),
) -> GenerationJob:
    """Meter, save, record cameo usage and queue (after commit) a validated, unsaved job.

    A stitch is charged no seconds: its footage was generated, and charged, once already; joining it
    only re-encodes. It counts as a job in progress like any other, so the limit on those still holds."""
    with transaction.atomic():
        # Serialise one user's enqueues so two tabs cannot both slip under the quota.
        User.objects.select_for_update().filter(pk=job.owner_id).first()
        job.charged_seconds = 0 if job.is_stitch else job.seconds
        quota_check(job.owner, job.charged_seconds)
        if image_file is not None:
            job.input_image.save(f"{job.public_id}.png", image_file, save=False)
        job.save()
        for part in parts:
            part.stitch = job
        StitchPart.objects.bulk_create(parts)
        cameo_usage.cameo_usage_record(job_id=job.pk, maker=job.owner, cameos=cameos)
        transaction.on_commit(lambda: job_enqueue(job.pk))
        job_push(job)
    return job


def job_retry(*, job: GenerationJob, by: User) -> GenerationJob:
    """A failed or cancelled job runs again as a new job with the same request (and seed)."""
    _owner_check(job, by)
    if job.state not in (State.FAILED, State.CANCELLED):
        raise DomainError("job_not_retryable", gettext("Only failed or cancelled jobs can be retried."))
    if job.error_code in BLOCKED_CODES:
        raise DomainError(
            "job_not_retryable", gettext("A video blocked by moderation can't be retried; change the request.")
        )
    if job.is_stitch:  # the same drafts and trims, checked again as a new stitch
        parts = job.stitch_parts.select_related("source")
        return stitch_create(
            owner=by,
            parts=[{"id": p.source.public_id if p.source else "", "start": p.start_s, "end": p.end_s} for p in parts],
        )
    # Everything is decided again, as for a new request: standing, the remixed video, consent to
    # the same cameos (the API's characters and faces found in the image among them), the prompt stage.
    cameos = job_create_check(
        owner=by,
        shots=job.shots,
        storyboard=len(job.shots) > 1,
        remix_of=job.remix_of,
        cameo_handles=[cameo.handle for cameo in cameos_of_job(job.pk)],
    )
    retry = GenerationJob(owner=by, **{name: getattr(job, name) for name in GenerationJob.REQUEST_FIELDS})
    return _job_insert(retry, cameos=cameos)


def job_cancel(*, job: GenerationJob, by: User) -> GenerationJob:
    """A queued job is cancelled at once; a running one stops at its next cancel check."""
    _owner_check(job, by)
    if not job.is_active:
        raise DomainError("job_not_active", gettext("This job has already finished."))
    with transaction.atomic():
        if not job_end(
            job.pk, state=State.CANCELLED, where=Q(state=State.QUEUED), error=("cancelled", failures.CANCELLED())
        ):
            GenerationJob.objects.filter(pk=job.pk, state__in=GenerationJob.ACTIVE_STATES).update(cancel_requested=True)
            job_push(GenerationJob.objects.get(pk=job.pk))
        job.refresh_from_db()
    return job


def job_revoke(*, job_id: int, code: str, message: str | Sentence) -> None:
    """Stop a job because something it relies on was withdrawn (e.g. a cameo's permission).

    A queued job fails at once; a running one fails at its next cancel check, with this code.
    """
    with transaction.atomic():
        if not job_end(job_id, state=State.FAILED, where=Q(state=State.QUEUED), error=(code, message)):
            stopping = GenerationJob.objects.filter(pk=job_id, state__in=GenerationJob.ACTIVE_STATES)
            if stopping.update(cancel_requested=True, **job_error_fields(code, message)):
                job_push(GenerationJob.objects.get(pk=job_id))


def job_delete(*, job: GenerationJob, by: User) -> None:
    _owner_check(job, by)
    job.refresh_from_db()
    if job.is_active:
        raise DomainError("job_active", gettext("Cancel this job before deleting it."))
    job_deleting.send(sender=GenerationJob, job=job)  # the feed refuses while the video is posted
    input_image_shared = GenerationJob.objects.filter(input_image=job.input_image.name).exclude(pk=job.pk).exists()
    media_delete(
        job.video.name,
        job.poster.name,
        job.spritesheet.name,
        job.subtitles.name,
        "" if input_image_shared else job.input_image.name,
    )
    job.delete()


def job_withdraw(*, job_id: int, code: str, reason: str | Sentence) -> str:
    """Something the video shows was withdrawn: a published video is taken down, a job in progress is
    stopped, a draft is deleted; and so is every stitch that joins it, since a stitch shows its drafts'
    frames. Returns which of "taken_down", "stopped", "deleted" happened to the job itself."""
    job = GenerationJob.objects.select_related("owner").get(pk=job_id)
    # Read before the job goes: deleting a draft empties its stitch parts' link to it.
    stitches = list(GenerationJob.objects.filter(stitch_parts__source=job).values_list("pk", flat=True).distinct())
    outcome = _job_withdraw_one(job, code=code, reason=reason)
    for stitch_id in stitches:
        if GenerationJob.objects.filter(pk=stitch_id).exists():  # a stitch of a stitch may be gone already
            job_withdraw(job_id=stitch_id, code=code, reason=reason)
    return outcome


def _job_withdraw_one(job: GenerationJob, *, code: str, reason: str | Sentence) -> str:
    if any(taken_down for _, taken_down in job_withdrawn.send(sender=GenerationJob, job=job, reason=reason)):
        return "taken_down"
    if job.is_active:
        job_revoke(job_id=job.pk, code=code, message=reason)
        return "stopped"
    job_delete(job=job, by=job.owner)
    return "deleted"


def jobs_stop_disallowed(*, cameo: Cameo) -> int:
    """Stop the jobs in progress of people who may no longer use `cameo`. Returns how many."""
    active = GenerationJob.objects.filter(cameo_usages__cameo=cameo, state__in=GenerationJob.ACTIVE_STATES)
    stopped = 0
    for job in active.select_related("owner"):
        if not may_use(job.owner, cameo):
            job_revoke(job_id=job.pk, code="cameo_permission_revoked", message=cameo_usage.revoked_message(cameo))
            stopped += 1
    return stopped


def _owner_check(job: GenerationJob, user: User) -> None:
    if job.owner_id != user.pk:
        raise DomainError("job_not_found", gettext("This job does not exist."), status=404)
