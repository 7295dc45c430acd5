"""Joining drafts into one video: the "backend" of a stitched job. Its frames and sound are its drafts'
own, trimmed and in order; nothing is generated. The worker runs it where it runs a model
(`worker.job_execute`), so the claim, progress, cancel, the finishing pipeline (run once, on the whole)
and `job_end` are those of every job.

Each draft was finished on its own: its frames carry its visible label (this creator's, as the drafts
are theirs) and its own invisible mark. The label stays (`steps.LABELLED`: drawing it again would show
two); the mark is taken out (the same pattern subtracted, before any resize) so that the stitch's own
mark, added by finishing, is the one a reader finds.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from generation.audio import webvtt_read
from generation.backends.base import (
    DRAWN,
    CancelCheck,
    Cue,
    GenerationCancelled,
    GenerationRequest,
    GenerationResult,
    Ingredient,
    ProgressCallback,
)
from generation.models import GenerationJob
from generation.provenance.invisible import pattern
from generation.provenance.steps import LABELLED
from generation.selectors import stitch_parts_of
from sora_site import media
from sora_site.storage import local_path

MAX_FPS = 30
FADE_S = 0.01  # at each cut, so joined sound does not click


@dataclass(frozen=True)
class StitchInput:
    """One draft as the stitch reads it: its MP4 (a local copy), trim and subtitles."""

    path: Path
    job_id: int  # the number its invisible mark carries
    public_id: str
    start_s: float
    end_s: float
    cues: tuple[Cue, ...]


class StitchBackend:
    """Joins `inputs` at the request's size and the fastest draft's frame rate (up to 30 fps): a draft of
    another size is scaled to fit and letterboxed, a slower one's frames are shown for longer."""

    name = "stitch"

    def __init__(self, inputs: Sequence[StitchInput], *, is_preview: bool, drawn: bool) -> None:
        """`is_preview`: a draft is the preview renderer's (the label); `drawn`: every draft is (`DRAWN`)."""
        self.inputs, self.is_preview, self.drawn = list(inputs), is_preview, drawn

    def generate(
        self, request: GenerationRequest, *, on_progress: ProgressCallback, should_cancel: CancelCheck
    ) -> GenerationResult:
        fps = min(MAX_FPS, max(round(media.probe(part.path).fps) for part in self.inputs))
        frames: list[np.ndarray] = []
        sounds: list[np.ndarray] = []
        cues: list[Cue] = []
        for index, part in enumerate(self.inputs):
            if should_cancel():
                raise GenerationCancelled
            offset = len(frames) / fps
            count = max(1, round((part.end_s - part.start_s) * fps))
            decoded = media.decode_video(
                part.path, window=(part.start_s, part.end_s), audio_rate=media.AUDIO_RATE, audio_channels=2
            )
            frames += _frames_at(decoded, part, count, fps, (request.width, request.height))
            sounds.append(_sound_of(decoded.audio, part.start_s, count * media.AUDIO_RATE // fps))
            for cue in part.cues:
                start, end = max(cue.start_s, part.start_s), min(cue.end_s, part.end_s)
                if end > start:
                    cues.append(Cue(offset + start - part.start_s, offset + end - part.start_s, cue.text))
            on_progress((index + 1) / len(self.inputs))
        return GenerationResult(
            frames=frames,
            fps=fps,
            audio=np.concatenate(sounds),
            sample_rate=media.AUDIO_RATE,
            # Drawn drafts only: each was judged by the pictures it showed when it was made, and a stitch
            # shows nothing else (`DRAWN`), so the preview's rare misread orb cannot fail the stitch.
            metadata={LABELLED: True, DRAWN: self.drawn},
            cues=cues,
            ingredients=tuple(Ingredient(part.path, part.public_id) for part in self.inputs),
        )


def _frames_at(
    decoded: media.DecodedVideo, part: StitchInput, count: int, fps: int, size: tuple[int, int]
) -> list[np.ndarray]:
    """`count` frames at `fps` from the trim's start: each the draft's frame shown at that moment, its mark
    taken out and fitted to `size` (once per decoded frame)."""
    unmark = np.repeat(pattern(part.job_id, decoded.width, decoded.height)[..., None], 3, axis=2)
    wanted = part.start_s + np.arange(count) / fps + 1e-6
    picks = np.clip(np.searchsorted(np.asarray(decoded.frame_times), wanted, side="right") - 1, 0, None)
    prepared: dict[int, np.ndarray] = {}
    out = []
    for pick in picks.tolist():
        if pick not in prepared:
            clean = cv2.subtract(decoded.frames[pick], unmark, dtype=cv2.CV_8U)  # saturating, rounded
            prepared[pick] = _fit(clean, size)
        out.append(prepared[pick])
    return out


def _fit(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scaled to fit inside `size` (width, height), centred on black."""
    width, height = size
    h, w = frame.shape[:2]
    if (w, h) == (width, height):
        return frame
    scale = min(width / w, height / h)
    fitted = cv2.resize(frame, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((height, width, 3), np.uint8)
    top, left = (height - fitted.shape[0]) // 2, (width - fitted.shape[1]) // 2
    canvas[top : top + fitted.shape[0], left : left + fitted.shape[1]] = fitted
    return canvas


def _sound_of(audio: np.ndarray | None, start_s: float, samples: int) -> np.ndarray:
    """`samples` of stereo sound from `start_s` (silence where the draft has none), faded in and out."""
    sound = np.zeros((samples, 2), np.float32)
    if audio is not None:
        start = round(start_s * media.AUDIO_RATE)
        piece = audio[start : start + samples]
        sound[: len(piece)] = piece
    fade = min(samples // 2, round(FADE_S * media.AUDIO_RATE))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)[:, None]
        sound[:fade] *= ramp
        sound[-fade:] *= ramp[::-1]
    return sound


def stitch_backend(job: GenerationJob, files: contextlib.ExitStack) -> StitchBackend:
    """The backend of a stitched job: its drafts checked again (`stitch_parts_of`), with local copies of
    their MP4s kept open in `files` until the job ends (finishing signs them in as ingredients)."""
    inputs = []
    previews = []
    for part in stitch_parts_of(job):
        source = part.source
        assert source is not None and source.video.name  # stitch_parts_of refuses a deleted or removed draft
        cues: tuple[Cue, ...] = ()
        if source.subtitles:
            with source.subtitles.open("rb") as handle:
                cues = tuple(webvtt_read(handle.read().decode()))
        path = files.enter_context(local_path(source.video.name, source.video.storage))
        inputs.append(StitchInput(path, source.pk, source.public_id, part.start_s, part.end_s, cues))
        previews.append(source.is_preview)
    return StitchBackend(inputs, is_preview=any(previews), drawn=all(previews))
