"""Writes for generation jobs: create (validate, authorize, meter), claim, run, cancel, publish.

The database row is the truth. A Celery message only carries a job id; the worker claims the row
with a conditional UPDATE that sets a fresh `job_token`, and every later write presents that token,
so a duplicate delivery or a worker that was presumed dead cannot overwrite anything.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import secrets
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from PIL import Image, ImageOps

from cameos import selectors as cameo_selectors
from cameos import services as cameo_services
from cameos.models import Cameo
from feed.events import user_event_send
from feed.models import Post, User
from generation import media, specs
from generation.backends import get_backend
from generation.backends.base import GenerationCancelled, GenerationRequest, GenerationResult, Shot
from generation.models import GenerationJob
from sora_site.errors import DomainError
from sora_site.images import image_open_checked
from sora_site.storage import local_path

log = logging.getLogger(__name__)
State = GenerationJob.State

INPUT_IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
PROGRESS_INTERVAL_S = 1.0  # throttle for progress writes and pushes
CANCEL_POLL_INTERVAL_S = 0.5


# --- create ----------------------------------------------------------------------------------


def job_create(
    *,
    owner: User,
    prompt: str,
    model: str = "sora-2",
    size: str = specs.DEFAULT_SIZE,
    seconds: int | str = 4,
    shots: list[dict] | None = None,
    input_image: UploadedFile | None = None,
    remix_of_post: Post | None = None,
    remix_of_job: GenerationJob | None = None,
    idempotency_key: str = "",
    seed: int | None = None,
) -> tuple[GenerationJob, list[str]]:
    """Validate and queue a job. Returns the job and notices for the user (e.g. "image cropped").

    Nothing is queued unless every check passes. The same `idempotency_key` returns the first job.
    """
    if idempotency_key:
        existing = GenerationJob.objects.filter(owner=owner, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, []
    model = specs.model_check(model)
    width, height = specs.size_check(size)
    if shots:
        checked_shots = specs.shots_check(shots)
        prompt = " / ".join(shot["prompt"] for shot in checked_shots)
    else:
        prompt = specs.prompt_check(prompt)
        checked_shots = [{"prompt": prompt, "seconds": specs.seconds_check(seconds)}]
    total_seconds = sum(shot["seconds"] for shot in checked_shots)
    if remix_of_post is not None:
        _remix_post_check(owner, remix_of_post)
    if remix_of_job is not None:
        _remix_job_check(owner, remix_of_job)
    # @mentions in every shot and the remixed video's cameos: each must be usable by `owner`.
    cameos = cameo_services.cameos_for_new_job(
        owner=owner,
        texts=[shot["prompt"] for shot in checked_shots],
        remix_of_post=remix_of_post,
        remix_of_job=remix_of_job,
    )
    notices: list[str] = []
    image_file = None
    if input_image is not None:
        image_file, notice = input_image_fit(input_image, width, height)
        if notice:
            notices.append(notice)

    job = GenerationJob(
        owner=owner,
        prompt=prompt,
        model=model,
        width=width,
        height=height,
        seconds=total_seconds,
        shots=checked_shots,
        seed=seed if seed is not None else secrets.randbelow(2**31),
        remix_of_post=remix_of_post,
        remix_of_job=remix_of_job,
        idempotency_key=idempotency_key,
    )
    return _job_insert(job, cameos=cameos, image_file=image_file), notices


def _job_insert(job: GenerationJob, *, cameos: Sequence[Cameo], image_file: ContentFile | None = None) -> GenerationJob:
    """Meter, save, record cameo usage and queue (after commit) a validated, unsaved job."""
    with transaction.atomic():
        # Serialise one user's enqueues so two tabs cannot both slip under the quota.
        User.objects.select_for_update().filter(pk=job.owner_id).first()
        _quota_check(job.owner, job.seconds)
        job.charged_seconds = job.seconds
        if image_file is not None:
            job.input_image.save(f"{job.public_id}.png", image_file, save=False)
        job.save()
        cameo_services.cameo_usage_record(job=job, cameos=cameos)
        _enqueue_after_commit(job)
    return job


def _enqueue_after_commit(job: GenerationJob) -> None:
    from generation.tasks import gpu_generate

    transaction.on_commit(lambda: gpu_generate.delay(job.pk))
    _push(job)


def _remix_post_check(owner: User, post: Post) -> None:
    from feed.selectors import is_blocked_either_way

    visible = post.visibility != Post.Visibility.PRIVATE or post.author_id == owner.pk
    if not visible or is_blocked_either_way(owner, post.author):
        raise DomainError(
            "remix_not_allowed", "You can only remix public posts or your own videos.", field="remix_of", status=404
        )


def _remix_job_check(owner: User, job: GenerationJob) -> None:
    if job.owner_id != owner.pk:
        raise DomainError(
            "remix_not_allowed", "You can only remix public posts or your own videos.", field="remix_of", status=404
        )
    if job.state != State.COMPLETED:
        raise DomainError("remix_not_ready", "Only finished videos can be remixed.", field="remix_of")


def _quota_check(owner: User, seconds: int) -> None:
    teen = owner.is_teen
    max_active = settings.GENERATION_MAX_CONCURRENT_TEEN if teen else settings.GENERATION_MAX_CONCURRENT
    daily = settings.GENERATION_DAILY_SECONDS_TEEN if teen else settings.GENERATION_DAILY_SECONDS
    active = GenerationJob.objects.filter(owner=owner, state__in=GenerationJob.ACTIVE_STATES).count()
    if active >= max_active:
        raise DomainError(
            "too_many_active_jobs", f"You already have {active} videos in progress. Wait for one to finish.", status=429
        )
    used = quota_used_today(owner)
    if used + seconds > daily:
        raise DomainError(
            "quota_exceeded",
            f"This would take you over today's limit of {daily} generated seconds ({used} s used).",
            status=429,
        )


def quota_used_today(owner: User) -> int:
    since = timezone.now() - dt.timedelta(days=1)
    used = GenerationJob.objects.filter(owner=owner, created_at__gte=since).aggregate(total=Sum("charged_seconds"))
    return int(used["total"] or 0)


def input_image_fit(upload: UploadedFile, width: int, height: int) -> tuple[ContentFile, str]:
    """Validate an image by its content and cover-crop it to width x height (PNG)."""
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
        notice = f"Your image ({image.width}x{image.height}) was resized and cropped to {width}x{height}."
        image = ImageOps.fit(image, (width, height), Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG")
    return ContentFile(out.getvalue()), notice


# --- run (on the worker) ---------------------------------------------------------------------


def job_claim(job_id: int) -> str | None:
    """Atomically move a queued job to in_progress. Returns the new token, or None if not queued."""
    token = secrets.token_hex(16)
    now = timezone.now()
    claimed = GenerationJob.objects.filter(pk=job_id, state=State.QUEUED, cancel_requested=False).update(
        state=State.IN_PROGRESS, job_token=token, started_at=now, heartbeat_at=now, progress=0
    )
    return token if claimed == 1 else None


def _owned(job_id: int, token: str):  # noqa: ANN202  (a QuerySet of at most one row)
    return GenerationJob.objects.filter(pk=job_id, job_token=token)


def job_execute(job_id: int) -> None:
    """The worker's body: claim, generate, finish, store. Safe to call twice for one job."""
    token = job_claim(job_id)
    if token is None:
        log.info("job %s not claimable (duplicate delivery or not queued); skipping", job_id)
        return
    job = GenerationJob.objects.select_related("owner", "remix_of_post", "remix_of_job").get(pk=job_id)
    _push(job)
    timings: dict[str, float] = {}
    started = time.monotonic()
    files = contextlib.ExitStack()  # local copies of stored inputs, removed when the job ends
    try:
        cameo_services.cameos_recheck_for_job(job)  # access may have been withdrawn since enqueue
        request = _request_for(job, files)
        backend = get_backend()
        reporter = _ProgressReporter(job, token)
        with _phase(timings, "generate"):
            result = backend.generate(request, on_progress=reporter.report, should_cancel=reporter.should_cancel)
        if (
            not _owned(job_id, token)
            .filter(state=State.IN_PROGRESS)
            .update(state=State.FINISHING, progress=95, heartbeat_at=timezone.now())
        ):
            return  # lost the job meanwhile (cancelled, or presumed dead and requeued)
        _push(GenerationJob.objects.get(pk=job_id))
        video, poster = _finish(job, request, result, token, timings)
        timings["total"] = round(time.monotonic() - started, 3)
        completed = (
            _owned(job_id, token)
            .filter(state=State.FINISHING, cancel_requested=False)
            .update(
                state=State.COMPLETED,
                progress=100,
                video=video,
                poster=poster,
                completed_at=timezone.now(),
                backend=backend.name,
                is_preview=backend.is_preview,
                timings=timings,
                gpu_seconds=float(result.metadata.get("gpu_seconds", 0.0)),
            )
        )
        if not completed:
            media_delete(video, poster)
            if _owned(job_id, token).filter(state=State.FINISHING).exists():
                raise GenerationCancelled  # cancelled or revoked while finishing
            return
        log.info("job %s completed: %s", job.public_id, " ".join(f"{k}={v}s" for k, v in timings.items()))
    except GenerationCancelled:
        revoked = GenerationJob.objects.filter(pk=job_id).values_list("error_code", "error_message").first()
        if revoked and revoked[0]:  # stopped by job_revoke, not by its owner: a failure with its reason
            _end(job_id, token, State.FAILED, *revoked)
        else:
            _end(job_id, token, State.CANCELLED, "cancelled", "Cancelled.")
    except DomainError as error:
        _end(job_id, token, State.FAILED, error.code, error.message)
    except Exception:
        log.exception("job %s failed", job_id)
        _end(
            job_id,
            token,
            State.FAILED,
            "generation_error",
            "Something went wrong while generating. Your quota was refunded.",
        )
    finally:
        files.close()
    _push(GenerationJob.objects.get(pk=job_id))


def _request_for(job: GenerationJob, files: contextlib.ExitStack) -> GenerationRequest:
    input_image = None
    if job.input_image:
        with job.input_image.open("rb") as handle, Image.open(handle) as image:
            input_image = image.convert("RGB")
    parent = job.remix_of_post.video if job.remix_of_post else (job.remix_of_job.video if job.remix_of_job else None)
    parent_path = files.enter_context(local_path(parent.name, parent.storage)) if parent else None
    cameos = cameo_selectors.cameo_references_for_job(job)
    return GenerationRequest(
        prompt=cameo_selectors.prompt_with_preferences(job.prompt, cameos),
        model=job.model,
        width=job.width,
        height=job.height,
        seed=job.seed,
        shots=tuple(Shot(prompt=shot["prompt"], seconds=float(shot["seconds"])) for shot in job.shots),
        input_image=input_image,
        parent_video=parent_path,
        cameos=cameos,
    )


def _finish(
    job: GenerationJob, request: GenerationRequest, result: GenerationResult, token: str, timings: dict[str, float]
) -> tuple[str, str]:
    """Encode and store. Hooks for frame moderation and provenance plug in here (see FINISHING_STEPS)."""
    for step in FINISHING_STEPS:
        with _phase(timings, step.__name__):
            result = step(job, result)
    if result.audio is None:
        from generation.audio import render_soundtrack

        with _phase(timings, "soundtrack"):
            voices = tuple(cameo.voice for cameo in request.cameos if cameo.voice is not None)
            result.audio = render_soundtrack(prompt_shots=request.shots, seed=job.seed, voices=voices)
            result.sample_rate = 48_000
    storage = GenerationJob._meta.get_field("video").storage
    stem = f"drafts/{job.created_at:%Y/%m}/{job.public_id}-{token[:8]}"
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "video.mp4"
        with _phase(timings, "encode"):
            media.encode_mp4(result.frames, result.fps, result.audio, result.sample_rate, path)
        with _phase(timings, "store"):
            with path.open("rb") as handle:
                video_name = storage.save(f"{stem}.mp4", handle)
            poster_name = storage.save(
                f"{stem}.jpg", ContentFile(media.poster_jpeg(result.frames[len(result.frames) // 3]))
            )
    return video_name, poster_name


# Steps run on the generated result before anything is stored: (job, result) -> result.
# The frames stage of moderation and the provenance watermark register themselves here.
FINISHING_STEPS: list[Callable[[GenerationJob, GenerationResult], GenerationResult]] = []


def media_delete(*names: str) -> None:
    storage = GenerationJob._meta.get_field("video").storage
    for name in names:
        if name:
            storage.delete(name)


class _phase:
    def __init__(self, timings: dict[str, float], name: str):
        self.timings, self.name = timings, name

    def __enter__(self) -> None:
        self.started = time.monotonic()

    def __exit__(self, *exc: object) -> None:
        self.timings[self.name] = round(time.monotonic() - self.started, 3)


class _ProgressReporter:
    """Throttled progress writes (which double as the heartbeat) and a throttled cancel check."""

    def __init__(self, job: GenerationJob, token: str):
        self.job, self.token = job, token
        self.last_write = 0.0
        self.last_cancel_poll = 0.0
        self.cancelled = False

    def report(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last_write < PROGRESS_INTERVAL_S and fraction < 1.0:
            return
        self.last_write = now
        progress = max(1, min(94, int(fraction * 94)))  # the last points belong to finishing
        updated = (
            _owned(self.job.pk, self.token)
            .filter(state=State.IN_PROGRESS)
            .update(progress=progress, heartbeat_at=timezone.now())
        )
        if not updated:
            self.cancelled = True  # the row moved on without us: stop working on it
            return
        self.job.progress = progress
        user_event_send(self.job.owner_id, _event(self.job, state=State.IN_PROGRESS))

    def should_cancel(self) -> bool:
        now = time.monotonic()
        if not self.cancelled and now - self.last_cancel_poll >= CANCEL_POLL_INTERVAL_S:
            self.last_cancel_poll = now
            self.cancelled = (
                not _owned(self.job.pk, self.token).filter(state=State.IN_PROGRESS, cancel_requested=False).exists()
            )
        return self.cancelled


def _end(job_id: int, token: str, state: str, code: str, message: str) -> None:
    _owned(job_id, token).filter(state__in=GenerationJob.ACTIVE_STATES).update(
        state=state, error_code=code, error_message=message[:500], charged_seconds=0, completed_at=timezone.now()
    )


# --- owner actions ---------------------------------------------------------------------------


def job_cancel(*, job: GenerationJob, by: User) -> GenerationJob:
    _owner_check(job, by)
    if not job.is_active:
        raise DomainError("job_not_active", "This job has already finished.")
    with transaction.atomic():
        # A queued job is cancelled at once; a running one stops at its next cancel check.
        GenerationJob.objects.filter(pk=job.pk, state=State.QUEUED).update(
            state=State.CANCELLED,
            error_code="cancelled",
            error_message="Cancelled.",
            charged_seconds=0,
            completed_at=timezone.now(),
        )
        GenerationJob.objects.filter(pk=job.pk, state__in=GenerationJob.ACTIVE_STATES).update(cancel_requested=True)
        job.refresh_from_db()
        _push(job)
    return job


def job_revoke(*, job_id: int, code: str, message: str) -> None:
    """Stop a job because something it relies on was withdrawn (e.g. a cameo's permission).

    A queued job fails at once; a running one fails at its next cancel check, with this code.
    """
    with transaction.atomic():
        GenerationJob.objects.filter(pk=job_id, state=State.QUEUED).update(
            state=State.FAILED,
            error_code=code,
            error_message=message[:500],
            charged_seconds=0,
            completed_at=timezone.now(),
        )
        GenerationJob.objects.filter(pk=job_id, state__in=GenerationJob.ACTIVE_STATES).update(
            cancel_requested=True, error_code=code, error_message=message[:500]
        )
        job = GenerationJob.objects.filter(pk=job_id).first()
        if job is not None:
            _push(job)


def job_retry(*, job: GenerationJob, by: User) -> GenerationJob:
    """A failed or cancelled job runs again as a new job with the same request (and seed)."""
    _owner_check(job, by)
    if job.state not in (State.FAILED, State.CANCELLED):
        raise DomainError("job_not_retryable", "Only failed or cancelled jobs can be retried.")
    # Permission to use the cameos is decided again: it may have been withdrawn since.
    cameos = cameo_services.cameos_for_new_job(
        owner=by,
        texts=[shot["prompt"] for shot in job.shots],
        remix_of_post=job.remix_of_post,
        remix_of_job=job.remix_of_job,
    )
    retry = GenerationJob(
        owner=by,
        prompt=job.prompt,
        model=job.model,
        width=job.width,
        height=job.height,
        seconds=job.seconds,
        shots=job.shots,
        seed=job.seed,
        input_image=job.input_image.name,
        remix_of_post=job.remix_of_post,
        remix_of_job=job.remix_of_job,
    )
    return _job_insert(retry, cameos=cameos)


def job_delete(*, job: GenerationJob, by: User) -> None:
    _owner_check(job, by)
    job.refresh_from_db()
    if job.is_active:
        raise DomainError("job_active", "Cancel this job before deleting it.")
    if Post.objects.filter(job=job).exists():
        raise DomainError("job_posted", "This video is posted. Delete the post instead.")
    input_image_shared = GenerationJob.objects.filter(input_image=job.input_image.name).exclude(pk=job.pk).exists()
    media_delete(job.video.name, job.poster.name, "" if input_image_shared else job.input_image.name)
    job.delete()


def _owner_check(job: GenerationJob, user: User) -> None:
    if job.owner_id != user.pk:
        raise DomainError("job_not_found", "This job does not exist.", status=404)


def draft_publish(*, job: GenerationJob, by: User, caption: str, visibility: str, show_prompt: bool) -> Post:
    _owner_check(job, by)
    if visibility not in Post.Visibility.values:
        raise DomainError("invalid_visibility", "Choose public, unlisted or private.", field="visibility")
    if len(caption) > 2200:
        raise DomainError("caption_too_long", "Captions can be at most 2,200 characters.", field="caption")
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().get(pk=job.pk)
        if job.state != State.COMPLETED:
            raise DomainError("draft_not_ready", "Only finished videos can be posted.")
        if Post.objects.filter(job=job).exists():
            raise DomainError("already_posted", "This video is already posted.")
        parent_job_post = Post.objects.filter(job=job.remix_of_job).first() if job.remix_of_job else None
        return Post.objects.create(
            author=by,
            job=job,
            video=job.video.name,
            poster=job.poster.name,
            caption=caption.strip(),
            prompt=job.prompt,
            show_prompt=show_prompt,
            visibility=visibility,
            is_preview=job.is_preview,
            seconds=job.seconds,
            remix_of=job.remix_of_post or parent_job_post,
        )


# --- watchdog --------------------------------------------------------------------------------


def jobs_requeue_stalled(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Jobs whose worker stopped heart-beating go back to the queue, or fail after too many tries."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.GENERATION_STALL_SECONDS)
    stalled = GenerationJob.objects.filter(state__in=(State.IN_PROGRESS, State.FINISHING), heartbeat_at__lt=cutoff)
    counts = {"requeued": 0, "failed": 0}
    for job in stalled:
        with transaction.atomic():
            if job.failures + 1 >= settings.GENERATION_MAX_ATTEMPTS:
                changed = GenerationJob.objects.filter(
                    pk=job.pk, job_token=job.job_token, heartbeat_at__lt=cutoff
                ).update(
                    state=State.FAILED,
                    failures=F("failures") + 1,
                    job_token="",
                    charged_seconds=0,
                    error_code="worker_lost",
                    error_message=(
                        "The video worker stopped responding several times. Your quota was refunded; try again."
                    ),
                    completed_at=now,
                )
                counts["failed"] += changed
            else:
                changed = GenerationJob.objects.filter(
                    pk=job.pk, job_token=job.job_token, heartbeat_at__lt=cutoff
                ).update(state=State.QUEUED, failures=F("failures") + 1, job_token="", progress=0, heartbeat_at=None)
                if changed:
                    from generation.tasks import gpu_generate

                    transaction.on_commit(lambda pk=job.pk: gpu_generate.delay(pk))
                counts["requeued"] += changed
            if changed:
                job.refresh_from_db()
                _push(job)
    return counts


# --- events ----------------------------------------------------------------------------------


def _event(job: GenerationJob, *, state: str | None = None) -> dict:
    return {
        "type": "job",
        "id": job.public_id,
        "state": state or job.state,
        "progress": job.progress,
        "error": {"code": job.error_code, "message": job.error_message} if job.error_code else None,
    }


def _push(job: GenerationJob) -> None:
    user_event_send(job.owner_id, _event(job))
