"""The worker's side of a job: claim, execute (generate, finish, store), heartbeat, and the watchdog.

A Celery message only carries a job id. The worker claims the row with a conditional UPDATE that sets
a fresh `job_token`, and every later write presents that token (`job_end` included), so a duplicate
delivery or a worker that was presumed dead cannot overwrite anything.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets
import time
from functools import partial

import soundfile as sf
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import pgettext
from PIL import Image

from cameos.models import Cameo
from cameos.selectors import cameos_of_job, prompt_with_preferences
from cameos.services import usage as cameo_usage
from generation import failures
from generation.backends import get_backend
from generation.backends.base import (
    Backend,
    CameoReference,
    FrameLabels,
    GenerationCancelled,
    GenerationRequest,
    Shot,
    VoiceProfile,
    VoiceSample,
)
from generation.events import job_push
from generation.fingerprint_index import fingerprints_save
from generation.finishing import clip_finish, phase
from generation.models import GenerationJob
from generation.queue import GPU_GENERATE, job_enqueue
from generation.selectors import phase_shares, remix_check
from generation.stitching import stitch_backend
from generation.storage import media_delete
from generation.transitions import job_end
from sora_site import japanese
from sora_site.broker import task_args_held
from sora_site.errors import DomainError
from sora_site.storage import local_path
from sora_site.texts import Sentence

log = logging.getLogger(__name__)
State = GenerationJob.State

PROGRESS_INTERVAL_S = 1.0  # throttle for the generate phase's progress writes and pushes
# Before any job on a backend has finished (no shares to go by): the generate phase's share of the job,
# and each finishing step's.
GENERATE_SHARE_FIRST = 0.3
STEP_SHARE_FIRST = 0.07
CANCEL_POLL_INTERVAL_S = 0.5


def job_claim(job_id: int) -> str | None:
    """Atomically move a queued job to in_progress. Returns the new token, or None if not queued."""
    token = secrets.token_hex(16)
    now = timezone.now()
    claimed = GenerationJob.objects.filter(pk=job_id, state=State.QUEUED, cancel_requested=False).update(
        state=State.IN_PROGRESS, job_token=token, started_at=now, heartbeat_at=now, progress=0
    )
    return token if claimed == 1 else None


def _claimed(job_id: int, token: str) -> QuerySet[GenerationJob]:
    return GenerationJob.objects.filter(pk=job_id, job_token=token)


def job_execute(job_id: int) -> None:
    """The worker's body: claim, generate, finish, store. Safe to call twice for one job."""
    token = job_claim(job_id)
    if token is None:
        log.info("job %s not claimable (duplicate delivery or not queued); skipping", job_id)
        return
    job = GenerationJob.objects.select_related("owner", "remix_of").get(pk=job_id)
    job_push(job)
    timings: dict[str, float] = {}
    started = time.monotonic()
    files = contextlib.ExitStack()  # local copies of stored inputs, removed when the job ends
    try:
        cameo_usage.cameos_recheck(job_id=job.pk, maker=job.owner)  # access may have been withdrawn
        if job.remix_of is not None:  # the source may have gone private, blocked its maker or been taken down
            remix_check(job.remix_of, job.owner)
        request = job_request_build(job, files)
        # A stitch joins its drafts (checked again there) instead of generating: the rest is the same.
        backend: Backend = stitch_backend(job, files) if job.is_stitch else get_backend()
        reporter = ProgressReporter(job, token, phase_shares(backend.name))
        with phase(timings, "generate"):
            result = backend.generate(request, on_progress=reporter.report, should_cancel=reporter.should_cancel)
        reporter.done += reporter.share("generate")
        if (
            not _claimed(job_id, token)
            .filter(state=State.IN_PROGRESS)
            .update(state=State.FINISHING, progress=reporter.points(), heartbeat_at=timezone.now())
        ):
            return  # lost the job meanwhile (cancelled, or presumed dead and requeued)
        reporter.job = GenerationJob.objects.select_related("owner").get(pk=job_id)
        job_push(reporter.job)
        stem = f"drafts/{job.created_at:%Y/%m}/{job.public_id}-{token[:8]}"
        files_out = clip_finish(job, request, result, stem=stem, timings=timings, on_phase_done=reporter.phase_done)
        timings["total"] = round(time.monotonic() - started, 3)
        completed = job_end(
            job_id,
            state=State.COMPLETED,
            token=token,
            where=Q(state=State.FINISHING, cancel_requested=False),
            progress=100,
            video=files_out.video,
            poster=files_out.poster,
            spritesheet=files_out.spritesheet,
            subtitles=files_out.subtitles,
            sprite_layout=files_out.sprite_layout,
            frame_hashes=files_out.frame_hashes,
            backend=backend.name,
            is_preview=backend.is_preview,
            timings=timings,
            gpu_seconds=float(result.metadata.get("gpu_seconds", 0.0)),
        )
        if completed:
            fingerprints_save(job_id=job_id, frames=files_out.fingerprints)
        else:
            media_delete(files_out.video, files_out.poster, files_out.spritesheet, files_out.subtitles)
            if _claimed(job_id, token).filter(state=State.FINISHING).exists():
                raise GenerationCancelled  # cancelled or revoked while finishing
    except GenerationCancelled:
        _end_stopped(job_id, token, timings)
    except DomainError as error:
        job_end(
            job_id,
            state=State.FAILED,
            token=token,
            error=(error.code, error.sentence or error.message),
            timings=timings,
        )
    except Exception:
        log.exception("job %s failed", job_id)
        job_end(
            job_id,
            state=State.FAILED,
            token=token,
            error=("generation_error", failures.GENERIC_FAILURE()),
            timings=timings,
        )
    finally:
        files.close()


def _end_stopped(job_id: int, token: str, timings: dict[str, float]) -> None:
    """A stop asked for by `job_revoke` carries its reason and is a failure; the owner's is a cancel."""
    job = GenerationJob.objects.only("error_code", "error_message", "error_sentence").get(pk=job_id)
    if job.error_code:
        reason = Sentence.stored(job.error_sentence) if job.error_sentence else job.error_message
        job_end(job_id, state=State.FAILED, token=token, error=(job.error_code, reason), timings=timings)
    else:
        job_end(job_id, state=State.CANCELLED, token=token, error=("cancelled", failures.CANCELLED()), timings=timings)


def job_request_build(job: GenerationJob, files: contextlib.ExitStack) -> GenerationRequest:
    input_image = None
    if job.input_image:
        with job.input_image.open("rb") as handle, Image.open(handle) as image:
            input_image = image.convert("RGB")
    parent = job.remix_of.video if job.remix_of else None
    parent_path = files.enter_context(local_path(parent.name, parent.storage)) if parent and parent.name else None
    cameos = cameos_of_job(job.pk)
    return GenerationRequest(
        prompt=prompt_with_preferences(job.prompt, cameos),
        model=job.model,
        width=job.width,
        height=job.height,
        seed=job.seed,
        shots=tuple(Shot(prompt=shot["prompt"], seconds=float(shot["seconds"])) for shot in job.shots),
        input_image=input_image,
        parent_video=parent_path,
        cameos=cameo_references(cameos),
        labels=frame_labels(job),
    )


def frame_labels(job: GenerationJob) -> FrameLabels:
    """The words drawn into a preview's frames, in the creator's language: the one they chose, else
    Japanese for a Japanese prompt, else the site's. Drawn once, for every viewer."""
    language = job.owner.language or ("ja" if japanese.has_japanese(job.prompt) else settings.LANGUAGE_CODE)
    with translation.override(language):
        return FrameLabels(
            preview=pgettext("drawn in a video", "PREVIEW"),
            remix=pgettext("drawn in a video", "↻ REMIX"),
            shot=pgettext("drawn in a video", "shot {index}/{count}"),
        )


def cameo_references(cameos: list[Cameo]) -> tuple[CameoReference, ...]:
    """What a backend receives for each cameo of a job: portraits, voice profile, preferences."""
    references = []
    for cameo in cameos:
        portraits = []
        for portrait in cameo.portraits.all():
            with portrait.image.open("rb") as handle, Image.open(handle) as image:
                portraits.append(image.convert("RGB"))
        voice, sample = None, None
        if cameo.is_human and cameo.voice_pitch_hz:
            voice = VoiceProfile(pitch_hz=cameo.voice_pitch_hz, espeak_voice=cameo.espeak_voice or "en-us")
        if cameo.is_human and cameo.keep_voice_sample and cameo.voice_sample.name:
            sample = _voice_sample_read(cameo)
        references.append(
            CameoReference(
                handle=cameo.handle,
                is_human=cameo.is_human,
                portraits=tuple(portraits),
                voice=voice,
                preferences=cameo.preferences,
                voice_sample=sample,
            )
        )
    return tuple(references)


def _voice_sample_read(cameo: Cameo) -> VoiceSample | None:
    """The kept speech (read only here, after `cameos_recheck`); None if its file went meanwhile."""
    try:
        with cameo.voice_sample.open("rb") as handle:
            audio, rate = sf.read(handle, dtype="float32", always_2d=True)
    except FileNotFoundError:  # the owner stopped it between the query and the read
        return None
    return VoiceSample(audio=audio[:, 0], sample_rate=int(rate), text=cameo.voice_sample_text)


class ProgressReporter:
    """Progress writes (which double as the heartbeat) and a throttled cancel check.

    Progress is the share of the job's time behind it, by `shares` (`phase_shares`: how long each phase
    of the last job on this backend took): the generate phase as the backend reports it (throttled),
    then a step at the end of each finishing phase (encode, watermarks, signing, store...)."""

    def __init__(self, job: GenerationJob, token: str, shares: dict[str, float]) -> None:
        self.job, self.token, self.shares = job, token, shares
        self.done = 0.0  # the finished phases' share
        self.last_write = 0.0
        self.last_cancel_poll = 0.0
        self.cancelled = False

    def share(self, name: str) -> float:
        if not self.shares:
            return GENERATE_SHARE_FIRST if name == "generate" else STEP_SHARE_FIRST
        return self.shares.get(name, 0.0)

    def points(self, fraction_of_phase: float = 0.0, phase_share: float = 0.0) -> int:
        """The job's progress in percent: 100 only once it is stored and completed."""
        return max(1, min(99, int(1 + 98 * (self.done + phase_share * fraction_of_phase))))

    def report(self, fraction: float) -> None:
        """The generate phase's progress (0-1), from the backend."""
        now = time.monotonic()
        if now - self.last_write < PROGRESS_INTERVAL_S and fraction < 1.0:
            return
        self.last_write = now
        if not self._write(self.points(fraction, self.share("generate")), State.IN_PROGRESS):
            self.cancelled = True  # the row moved on without us: stop working on it

    def phase_done(self, name: str) -> None:
        """A finishing phase has ended (clip_finish)."""
        self.done += self.share(name)
        self._write(self.points(), State.FINISHING)

    def _write(self, progress: int, state: str) -> bool:
        beat = timezone.now()
        updated = _claimed(self.job.pk, self.token).filter(state=state).update(progress=progress, heartbeat_at=beat)
        if updated:
            self.job.progress, self.job.heartbeat_at = progress, beat  # the pushed estimate reads both
            job_push(self.job)
        return bool(updated)

    def should_cancel(self) -> bool:
        now = time.monotonic()
        if not self.cancelled and now - self.last_cancel_poll >= CANCEL_POLL_INTERVAL_S:
            self.last_cancel_poll = now
            self.cancelled = (
                not _claimed(self.job.pk, self.token).filter(state=State.IN_PROGRESS, cancel_requested=False).exists()
            )
        return self.cancelled


def jobs_requeue_stalled(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Jobs whose worker stopped heart-beating go back to the queue, or fail after too many tries."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.GENERATION_STALL_SECONDS)
    stalled = GenerationJob.objects.filter(state__in=(State.IN_PROGRESS, State.FINISHING), heartbeat_at__lt=cutoff)
    counts = {"requeued": 0, "failed": 0}
    for job in stalled:
        if job.failures + 1 >= settings.GENERATION_MAX_ATTEMPTS:
            counts["failed"] += job_end(
                job.pk,
                state=State.FAILED,
                token=job.job_token,
                where=Q(heartbeat_at__lt=cutoff),
                error=("worker_lost", failures.WORKER_LOST()),
                failures=F("failures") + 1,
                job_token="",
            )
            continue
        with transaction.atomic():
            requeued = GenerationJob.objects.filter(pk=job.pk, job_token=job.job_token, heartbeat_at__lt=cutoff).update(
                state=State.QUEUED, failures=F("failures") + 1, job_token="", progress=0, heartbeat_at=None
            )
            if requeued:
                transaction.on_commit(partial(job_enqueue, job.pk))
                job.refresh_from_db()
                job_push(job)
        counts["requeued"] += requeued
    return counts


def jobs_resend_lost(*, now: dt.datetime | None = None) -> int:
    """Queued jobs whose message the broker no longer holds are sent again: a Redis restart loses every
    waiting message, and a job created while Redis was down was never sent. Jobs younger than
    GENERATION_RESEND_SECONDS are left alone (their message may be on its way). A job sent twice runs
    once: only one delivery can claim it. Returns how many were sent."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=settings.GENERATION_RESEND_SECONDS)
    queued = list(
        GenerationJob.objects.filter(state=State.QUEUED, cancel_requested=False, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    if not queued:
        return 0
    held = task_args_held(GPU_GENERATE)
    if held is None:
        return 0  # the broker is unreadable: try again at the next pass
    lost = [job_id for job_id in queued if (job_id,) not in held]
    for job_id in lost:
        log.warning("job %s is queued but the broker holds no message for it: sending it again", job_id)
        job_enqueue(job_id)
    return len(lost)
