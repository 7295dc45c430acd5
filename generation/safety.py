"""Moderation's frames stage, as a finishing frame step (settings.GENERATION_FRAME_STEPS).

Before anything is encoded or stored, frames sampled across the clip (MODERATION_FRAMES_PER_SECOND)
go through NudeNet and the likeness check: every face is matched against all active cameos and the
public-figure registry. A face of a public figure, or of a cameo the job was not allowed to show
(not one of its checked cameos and not the requester's own), fails the job with `likeness_blocked`;
explicit nudity fails it with `nudity_blocked`. Either way nothing is stored for the user and a
moderation case is opened with the frames that showed it, kept privately for moderators.
"""

from __future__ import annotations

import io

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image

from cameos.likeness import blocked_message, face_registry, faces_encode, likeness_blocking, likeness_matches
from cameos.selectors import cameos_of_job
from generation.finishing import Clip
from generation.models import GenerationJob
from moderation.models import CaseFrame, ModerationCase
from moderation.nudity import explicit_findings, frames_needed
from moderation.services import case_open
from sora_site.errors import DomainError

EVIDENCE_FRAMES_MAX = 6


def sample_indices(frame_count: int, fps: int, per_second: int) -> list[int]:
    """Evenly spread frame indices: `per_second` for each generated second, at least one, both ends in."""
    wanted = max(1, round(frame_count / max(fps, 1) * per_second))
    return sorted({int(i) for i in np.linspace(0, frame_count - 1, num=min(wanted, frame_count))})


def frames_check(clip: Clip) -> None:
    """Refuse the clip if a sampled frame shows nudity or a face the job may not show."""
    job = clip.job
    registry = face_registry()
    allowed = {cameo.pk for cameo in cameos_of_job(job.pk)}
    findings: list[tuple[int, str]] = []  # (frame index, what was found)
    nudity_frames: list[tuple[int, str, float]] = []
    code, message, detail = "", "", {}
    indices = sample_indices(len(clip.frames), clip.fps, settings.MODERATION_FRAMES_PER_SECOND)
    for index in indices:
        frame = np.asarray(clip.frames[index])
        nudity = explicit_findings(frame, stage="frames")
        if nudity:
            nudity_frames.append((index, nudity[0].label, nudity[0].score))
        blocking = likeness_blocking(
            registry, likeness_matches(registry, faces_encode(frame)), user=job.owner, allowed=allowed
        )
        if blocking is not None:
            findings.append((index, f"face: {blocking.kind} {blocking.name}"))
            if not code:
                code, message = "likeness_blocked", f"{blocked_message(blocking)} The video was not kept."
                detail = {"kind": blocking.kind, "key": blocking.key, "distance": blocking.distance}
    # One frame alone is not enough for nudity: abstract scenes fool the detector now and then.
    if nudity_frames and len(nudity_frames) >= min(frames_needed(), len(indices)):
        findings = [(index, label) for index, label, _ in nudity_frames] + findings
        if not code:
            code, message = "nudity_blocked", "This video showed nudity, so it was not kept."
            detail = {"finding": nudity_frames[0][1], "score": nudity_frames[0][2], "frames": len(nudity_frames)}
    if not code:
        return
    case = case_open(
        subject_type="job",
        subject_id=str(job.pk),
        category=ModerationCase.Category.LIKENESS_BLOCKED
        if code == "likeness_blocked"
        else ModerationCase.Category.NUDITY,
        summary=f"Frames stage blocked job {job.public_id} by @{job.owner.username}: {findings[0][1]}",
        action="blocked",
        detail={"stage": "frames", "code": code, "prompt": job.prompt[:1000], "sampled": len(indices), **detail},
    )
    for index, finding in findings[:EVIDENCE_FRAMES_MAX]:
        out = io.BytesIO()
        Image.fromarray(np.asarray(clip.frames[index])).save(out, "JPEG", quality=85)
        CaseFrame.objects.create(
            case=case, image=ContentFile(out.getvalue(), "frame.jpg"), seconds=index / clip.fps, finding=finding[:100]
        )
    if code == "likeness_blocked" and job.input_image.name:
        # The image to animate showed that face: keep no copy of it outside the moderators' evidence.
        if not GenerationJob.objects.filter(input_image=job.input_image.name).exclude(pk=job.pk).exists():
            job.input_image.storage.delete(job.input_image.name)
        GenerationJob.objects.filter(pk=job.pk).update(input_image="")
    raise DomainError(code, message)
