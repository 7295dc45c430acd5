"""Moderation's frames stage, as a finishing frame step (settings.GENERATION_FRAME_STEPS).

Before anything is encoded or stored, frames sampled across the clip (MODERATION_FRAMES_PER_SECOND)
go through NudeNet, and every other one (MODERATION_FACE_FRAMES_PER_SECOND) through the likeness
check: every face `cameos.likeness.faces_find` finds (small, tilted, turned, or partly covered: NudeNet's
face boxes join dlib's) is matched against all active cameos and the public-figure registry. The image a
clip animates is checked the same way once more. A face of a public figure, or of a cameo the job was
not allowed to show (not one of its checked cameos and not the requester's own), fails the job with
`likeness_blocked`; explicit nudity fails it with `nudity_blocked`. Either way nothing is stored for
the user and a moderation case is opened with the frames that showed it, kept privately for moderators.

`voice_check` (the next frame step) does the same for the soundtrack (the soundtrack step's speech, or
a backend's own audio such as LTX-2's): silero VAD finds the speech, resemblyzer embeds each segment,
and a segment in the registered voice of a cameo the job may not use fails it with `likeness_blocked`.
"""

from __future__ import annotations

import io
import math

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image

from cameos.likeness import (
    face_registry,
    faces_find,
    likeness_blocking,
    likeness_forbidden_any,
    likeness_matches,
    voice_matches,
    voice_registry,
)
from cameos.selectors import cameos_of_job
from cameos.verification.voice import speech_segments, voice_embedding
from generation import failures
from generation.backends.base import DRAWN
from generation.finishing import Clip, clip_check
from generation.models import GenerationJob
from moderation.cases import case_frame_add, case_open
from moderation.metrics import stage_measured
from moderation.models import ModerationCase
from moderation.nudity import detections, explicit_findings, face_boxes, frames_needed
from sora_site.errors import DomainError
from sora_site.texts import Sentence

EVIDENCE_FRAMES_MAX = 6
INPUT_IMAGE = -1  # the finding's "frame index" when it was the image the clip animates
# A cameo portrait's "frame index": PORTRAITS - k for the k-th portrait of the request's cameos.
PORTRAITS = -2


def _pictures_composited(clip: Clip) -> dict[int, Image.Image]:
    """The real pictures a backend was given to show, RGB, by "frame index": the image to animate
    and the cameos' verified portraits."""
    pictures = {}
    if clip.request.input_image is not None:
        pictures[INPUT_IMAGE] = clip.request.input_image.convert("RGB")
    portraits = [portrait for cameo in clip.request.cameos for portrait in cameo.portraits]
    for k, portrait in enumerate(portraits):
        pictures[PORTRAITS - k] = portrait.convert("RGB")
    return pictures


def sample_indices(frame_count: int, fps: int, per_second: float) -> list[int]:
    """Evenly spread frame indices: `per_second` for each generated second, at least one, both ends in."""
    wanted = max(1, round(frame_count / max(fps, 1) * per_second))
    return sorted({int(i) for i in np.linspace(0, frame_count - 1, num=min(wanted, frame_count))})


def face_sample_indices(indices: list[int], frame_count: int, fps: int) -> set[int]:
    """Of the sampled `indices`, those the likeness check looks for faces in (finding faces costs ~10x
    NudeNet's run): both ends, and no more than 1 / MODERATION_FACE_FRAMES_PER_SECOND seconds apart,
    each moved to the nearest of `indices`."""
    seconds = frame_count / max(fps, 1)
    wanted = math.ceil(seconds * settings.MODERATION_FACE_FRAMES_PER_SECOND) + 1
    spread = np.linspace(0, frame_count - 1, num=min(wanted, frame_count))
    return {min(indices, key=lambda i: abs(i - j)) for j in spread}


@clip_check
@stage_measured("frames")
def frames_check(clip: Clip) -> None:
    """Refuse the clip if a sampled frame shows nudity or a face the job may not show, or if the image
    it animates shows such a face (checked again here: the face may have been registered since)."""
    job = clip.job
    registry = face_registry()
    allowed = {cameo.pk for cameo in cameos_of_job(job.pk)}
    findings: list[tuple[int, str]] = []  # (frame index, or INPUT_IMAGE; what was found)
    nudity_frames: list[tuple[int, str, float]] = []
    code, detail = "", {}
    message: Sentence | None = None

    # No face can be refused when every registered face is one the job may show: none is looked for.
    faces_wanted = likeness_forbidden_any(registry, user=job.owner, allowed=allowed)

    def look_for_faces(index: int, picture: np.ndarray, hints: list[tuple[float, float, float, float]]) -> None:
        nonlocal code, message, detail
        faces = faces_find(picture, hints=hints)
        matches = likeness_matches(registry, faces)
        blocking = likeness_blocking(registry, matches, user=job.owner, allowed=allowed)
        if blocking is not None:
            where = " in the input image" if index == INPUT_IMAGE else ""
            findings.append((index, f"face: {blocking.kind} {blocking.name}{where}"))
            if not code:
                code, message = "likeness_blocked", failures.likeness_blocked(blocking)
                detail = {"kind": blocking.kind, "key": blocking.key, "distance": blocking.distance}

    indices = sample_indices(len(clip.frames), clip.fps, settings.MODERATION_FRAMES_PER_SECOND)
    face_indices = face_sample_indices(indices, len(clip.frames), clip.fps)
    pictures = _pictures_composited(clip)
    if INPUT_IMAGE in pictures and faces_wanted:
        picture = np.asarray(pictures[INPUT_IMAGE])
        look_for_faces(INPUT_IMAGE, picture, face_boxes(detections(picture)))
    drawn = bool(clip.metadata.get(DRAWN))
    if drawn:
        # The preview renderer's own drawing (gradients, soft orbs, hills, text) is no picture of
        # anybody, yet NudeNet reads its warm orbs as skin now and then: 1 clip in 500 of "a quiet
        # harbour at dawn" had 4 sampled frames over the 0.8 bar (seeds 0-499). What it shows of the
        # world are the real pictures it composites, so those are what its nudity is looked for in.
        for index, image in pictures.items():
            nudity = explicit_findings(np.asarray(image), stage="reference")
            if nudity:
                nudity_frames.append((index, nudity[0].label, nudity[0].score))
    for index in indices:
        frame = np.asarray(clip.frames[index])
        found = detections(frame)  # one NudeNet run: nudity, and the faces it saw for the likeness check
        nudity = [] if drawn else explicit_findings(frame, stage="frames", found=found)
        if nudity:
            nudity_frames.append((index, nudity[0].label, nudity[0].score))
        if faces_wanted and index in face_indices:
            look_for_faces(index, frame, face_boxes(found))
    # One frame alone is not enough for nudity: abstract scenes fool the detector now and then. One
    # real picture is.
    if nudity_frames and (drawn or len(nudity_frames) >= min(frames_needed(), len(indices))):
        findings = [(index, label) for index, label, _ in nudity_frames] + findings
        if not code:
            code, message = "nudity_blocked", failures.NUDITY_BLOCKED()
            detail = {"finding": nudity_frames[0][1], "score": nudity_frames[0][2], "frames": len(nudity_frames)}
    if not code:
        return
    case = case_open(
        subject_type="job",
        subject_id=str(job.pk),
        category=ModerationCase.Category.LIKENESS_BLOCKED
        if code == "likeness_blocked"
        else ModerationCase.Category.NUDITY,
        summary=failures.FRAMES_BLOCKED(id=job.public_id, handle=job.owner.username, finding=findings[0][1]),
        action="blocked",
        detail={"stage": "frames", "code": code, "prompt": job.prompt[:1000], "sampled": len(indices), **detail},
    )
    for index, finding in findings[:EVIDENCE_FRAMES_MAX]:
        out = io.BytesIO()
        evidence = pictures[index] if index < 0 else Image.fromarray(np.asarray(clip.frames[index]))
        evidence.save(out, "JPEG", quality=85)
        seconds = max(index, 0) / clip.fps
        case_frame_add(case=case, image=ContentFile(out.getvalue(), "frame.jpg"), seconds=seconds, finding=finding)
    if code == "likeness_blocked" and job.input_image.name:
        # The image to animate showed that face: keep no copy of it outside the moderators' evidence.
        if not GenerationJob.objects.filter(input_image=job.input_image.name).exclude(pk=job.pk).exists():
            job.input_image.storage.delete(job.input_image.name)
        GenerationJob.objects.filter(pk=job.pk).update(input_image="")
    raise DomainError(code, message or failures.GENERIC_FAILURE())


@clip_check
@stage_measured("voice")
def voice_check(clip: Clip) -> None:
    """Refuse the clip if its speech is in the registered voice of a cameo the job may not use (the
    job's checked cameos and the requester's own are allowed, as for faces)."""
    job = clip.job
    allowed = {cameo.pk for cameo in cameos_of_job(job.pk)}
    forbidden = [c for c in voice_registry() if c.pk not in allowed and c.owner_id != job.owner_id]
    if clip.audio is None or not forbidden:
        return  # no voice this job may not use is registered: nothing to listen for, no model to load
    mono = np.asarray(clip.audio, dtype=np.float32)
    mono = mono.mean(axis=1) if mono.ndim == 2 else mono
    segments = speech_segments(mono, clip.sample_rate)
    heard = [e for start, end in segments if (e := voice_embedding(mono[start:end], clip.sample_rate)) is not None]
    blocking = next(iter(voice_matches(forbidden, heard)), None)
    if blocking is None:
        return
    case_open(
        subject_type="job",
        subject_id=str(job.pk),
        category=ModerationCase.Category.LIKENESS_BLOCKED,
        summary=failures.VOICE_OF(id=job.public_id, handle=job.owner.username, cameo=blocking.cameo.handle),
        action="blocked",
        detail={
            "stage": "frames",
            "code": "likeness_blocked",
            "what": "voice",
            "kind": "cameo",
            "key": blocking.cameo.pk,
            "similarity": blocking.similarity,
            "segments": len(segments),
            "prompt": job.prompt[:1000],
        },
    )
    raise DomainError("likeness_blocked", failures.VOICE_BLOCKED())
