"""Finishing: what happens to a generated clip between the model and storage, as an ordered pipeline.

Configured like MIDDLEWARE, by dotted paths in settings:
- `GENERATION_FRAME_STEPS` run on the frames and audio before encoding (the soundtrack fill, the
  frames stage of moderation, watermarks). Each takes the `Clip` and may replace its frames or audio
  (never writing into the arrays it was given). A check (`clip_check`: moderation's) only reads the
  clip, and runs beside the steps after it and the encoding.
- `GENERATION_FILE_STEPS` run on the encoded MP4 (signing). Each takes the `Clip` and the file's path
  and may rewrite the file in place.
Any step may refuse the job by raising `DomainError`; then nothing is stored and the job fails with
that code. Every step is timed under its own name in the job's per-phase timings.
"""

from __future__ import annotations

import queue
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.module_loading import import_string

from generation.audio import Soundtrack, cameo_voices, render_soundtrack, webvtt
from generation.backends.base import Cue, GenerationRequest, GenerationResult, Ingredient, Shot
from generation.models import GenerationJob
from generation.provenance.fingerprints import IndexedFrame, video_fingerprints
from generation.provenance.reading import frame_hashes
from sora_site import media


@dataclass
class Clip:
    """A generated clip on its way to storage."""

    job: GenerationJob
    request: GenerationRequest
    frames: Sequence[np.ndarray]  # each H x W x 3, uint8, RGB
    fps: int
    audio: np.ndarray | None  # samples x channels, float32 in [-1, 1]; None until the soundtrack step
    sample_rate: int
    metadata: dict[str, Any] = field(default_factory=dict)
    cues: list[Cue] = field(default_factory=list)  # its dialogue as subtitles
    ingredients: tuple[Ingredient, ...] = ()  # the videos it was joined from (a stitch)


# The players' language codes (ISO 639-1) as an MP4 text track names them (ISO 639-2).
MP4_LANGUAGES = {"en": "eng", "ja": "jpn"}

FrameStep = Callable[[Clip], None]
FileStep = Callable[[Clip, Path], None]


_CHECKS: set[FrameStep] = set()


def clip_check(step: FrameStep) -> FrameStep:
    """Mark a frame step as a check: it reads the clip and may refuse it (DomainError), and changes
    nothing. Checks run beside the steps after them, the encoding and the thumbnails (`clip_finish`)."""
    _CHECKS.add(step)
    return step


def frame_steps() -> list[FrameStep]:
    # Read per job (import_string is a dict lookup once imported), so settings overrides apply.
    return [import_string(path) for path in settings.GENERATION_FRAME_STEPS]


def file_steps() -> list[FileStep]:
    return [import_string(path) for path in settings.GENERATION_FILE_STEPS]


@contextmanager
def phase(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        timings[name] = round(time.monotonic() - started, 3)


@dataclass(frozen=True)
class FinishedFiles:
    """What finishing stored for a job (names in the job's storage) and its index entries."""

    video: str
    poster: str  # WebP
    spritesheet: str  # JPEG grid, `sprite_layout` says how to read it
    sprite_layout: dict[str, float]
    frame_hashes: list[str]  # perceptual hashes, for the verify page's scan where pgvector is missing
    fingerprints: list[IndexedFrame]  # frame fingerprints, for the verify page's index (fingerprint_index)
    subtitles: str  # WebVTT of the dialogue; "" when nobody speaks


@dataclass
class _Made:
    """The thumbnails and verify index of the final frames (the signed MP4 is on disk beside them)."""

    poster: bytes
    sheet: media.Spritesheet
    hashes: list[str]
    fingerprints: list[IndexedFrame]


def clip_finish(
    job: GenerationJob,
    request: GenerationRequest,
    result: GenerationResult,
    *,
    stem: str,
    timings: dict[str, float],
    on_phase_done: Callable[[str], None] = lambda _name: None,
) -> FinishedFiles:
    """Run the frame steps, encode, run the file steps, then store the video, poster, spritesheet and
    subtitles. Each phase is timed under its name in `timings`, and `on_phase_done(name)` is called as it ends.

    The checks (`clip_check`: moderation's frames and voice) each see the clip as the steps before them
    left it; they run on this thread while a second one runs the steps after the last check, then
    encodes and signs. Once the checks are done this thread makes the thumbnails and the verify index
    from the final frames while the other is still encoding (the encode is the longer half; both share
    the machine's cores: most of it is native code that lets go of the GIL). Nothing is stored until
    every check has passed. Progress and the database stay on this thread: the other one only says
    which of its phases ended."""
    clip = Clip(
        job,
        request,
        result.frames,
        result.fps,
        result.audio,
        result.sample_rate,
        dict(result.metadata),
        result.cues,
        result.ingredients,
    )
    steps = frame_steps()
    last_check = max((index for index, step in enumerate(steps) if step in _CHECKS), default=-1)
    checks: list[tuple[FrameStep, Clip]] = []
    for frame_step in steps[: last_check + 1]:
        if frame_step in _CHECKS:  # on the clip as it is now: the steps after it do not change this copy
            checks.append((frame_step, replace(clip, frames=tuple(clip.frames), metadata=dict(clip.metadata))))
            continue
        with phase(timings, frame_step.__name__):
            frame_step(clip)
        on_phase_done(frame_step.__name__)
    storage = GenerationJob._meta.get_field("video").storage
    ended: queue.SimpleQueue[str | None] = queue.SimpleQueue()  # the other thread's phases, None when done
    with tempfile.TemporaryDirectory() as workdir, ThreadPoolExecutor(1, thread_name_prefix="finish") as pool:
        path = Path(workdir) / "video.mp4"
        # One worker, so the encode starts right after the marking, and always runs (it ends `ended`).
        marking = pool.submit(_mark, clip, steps[last_check + 1 :], timings, ended)
        making = pool.submit(_make, clip, marking, path, timings, ended)
        try:
            for check, seen in checks:
                with phase(timings, check.__name__):
                    check(seen)
                on_phase_done(check.__name__)
            made = _thumbnails(marking.result(), timings, on_phase_done)
        finally:
            while (name := ended.get()) is not None:  # also after a refusal: the file is in workdir
                on_phase_done(name)
        making.result()
        with phase(timings, "store"):
            with path.open("rb") as handle:
                video_name = storage.save(f"{stem}.mp4", handle)
            poster_name = storage.save(f"{stem}.webp", ContentFile(made.poster))
            sprite_name = storage.save(f"{stem}-sprites.jpg", ContentFile(made.sheet.data))
            subtitles_name = storage.save(f"{stem}.vtt", ContentFile(webvtt(clip.cues).encode())) if clip.cues else ""
        on_phase_done("store")
    sheet = made.sheet
    layout = {
        "tiles": sheet.tiles,
        "columns": sheet.columns,
        "rows": sheet.rows,
        "tile_width": sheet.tile_width,
        "tile_height": sheet.tile_height,
        "interval_s": sheet.interval_s,
    }
    return FinishedFiles(video_name, poster_name, sprite_name, layout, made.hashes, made.fingerprints, subtitles_name)


def _mark(
    clip: Clip, steps: Sequence[FrameStep], timings: dict[str, float], ended: queue.SimpleQueue[str | None]
) -> Clip:
    """The finishing thread, first: the frame steps after the last check (the watermarks)."""
    for frame_step in steps:
        with phase(timings, frame_step.__name__):
            frame_step(clip)
        ended.put(frame_step.__name__)
    return clip


def _make(
    clip: Clip, marking: Future[Clip], path: Path, timings: dict[str, float], ended: queue.SimpleQueue[str | None]
) -> None:
    """The finishing thread, then: the MP4 of the marked frames and the file steps. Touches no database
    (the job and its owner are already loaded)."""

    @contextmanager
    def step(name: str) -> Iterator[None]:
        with phase(timings, name):
            yield
        ended.put(name)

    try:
        marking.result()  # already done (the same thread ran it): a failed marking stops here
        with step("encode"):
            media.encode_mp4(
                clip.frames,
                clip.fps,
                clip.audio,
                clip.sample_rate,
                path,
                subtitles=[(cue.start_s, cue.end_s, cue.text) for cue in clip.cues],
                subtitles_language=MP4_LANGUAGES.get(clip.job.subtitles_language, "und"),
            )
        for file_step in file_steps():
            with step(file_step.__name__):
                file_step(clip, path)
    finally:
        ended.put(None)


def _thumbnails(clip: Clip, timings: dict[str, float], on_phase_done: Callable[[str], None]) -> _Made:
    """The poster, the scrub strip and what /verify/ finds the video by, from the final frames."""
    with phase(timings, "poster"):
        poster = media.poster_webp(clip.frames[len(clip.frames) // 3])
    on_phase_done("poster")
    with phase(timings, "spritesheet"):
        sheet = media.spritesheet_jpeg(clip.frames, clip.fps)
    on_phase_done("spritesheet")
    with phase(timings, "frame_hashes"):  # and the fingerprints: both are what /verify/ finds the video by
        hashes = frame_hashes(clip.frames, clip.fps)
        prints = video_fingerprints(clip.frames, clip.fps)
    on_phase_done("frame_hashes")
    return _Made(poster, sheet, hashes, prints)


def soundtrack_fill(clip: Clip) -> None:
    """The one place a clip's sound is decided: a backend's own audio stays (with the cues it gave); a
    silent clip gets speech for its quoted dialogue (in the cameo owners' voices) over an ambient bed,
    and that speech's cues as its subtitles."""
    if clip.audio is None:
        soundtrack = soundtrack_for(clip.request)
        clip.audio, clip.sample_rate, clip.cues = soundtrack.audio, media.AUDIO_RATE, soundtrack.cues


def soundtrack_for(request: GenerationRequest) -> Soundtrack:
    """The soundtrack of a silent clip, at `media.AUDIO_RATE`: deterministic for the same request."""
    voices, samples = cameo_voices(request.cameos)
    return render_soundtrack(prompt_shots=request.shots, seed=request.seed, voices=voices, samples=samples)


def finishing_warm() -> None:
    """What a worker's first job would otherwise load on its way, done at start (settings.WORKER_MODELS):
    SciPy's filters for the soundtrack's bed and its FFTs for the frame hashes, Pillow's WebP and JPEG
    writers, the encoders. A tiny clip through the same calls; nothing is kept or stored."""
    soundtrack = render_soundtrack(prompt_shots=(Shot(prompt="", seconds=0.5),), seed=0, voices=())
    frames = [np.zeros((64, 64, 3), np.uint8)] * 2
    with tempfile.TemporaryDirectory() as workdir:
        media.encode_mp4(frames, 4, soundtrack.audio, media.AUDIO_RATE, Path(workdir) / "warm.mp4")
    media.poster_webp(frames[0])
    media.spritesheet_jpeg(frames, 4)
    frame_hashes(frames, 4)
    video_fingerprints(frames, 4)
