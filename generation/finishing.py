"""Finishing: what happens to a generated clip between the model and storage, as an ordered pipeline.

Configured like MIDDLEWARE, by dotted paths in settings:
- `GENERATION_FRAME_STEPS` run on the frames and audio before encoding (the soundtrack fill, the
  frames stage of moderation, watermarks). Each takes the `Clip` and may replace its frames or audio.
- `GENERATION_FILE_STEPS` run on the encoded MP4 (signing). Each takes the `Clip` and the file's path
  and may rewrite the file in place.
Any step may refuse the job by raising `DomainError`; then nothing is stored and the job fails with
that code. Every step is timed under its own name in the job's per-phase timings.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.module_loading import import_string

from generation.audio import Soundtrack, cameo_voices, render_soundtrack, webvtt
from generation.backends.base import Cue, GenerationRequest, GenerationResult, Ingredient
from generation.models import GenerationJob
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
    frame_hashes: list[str]  # perceptual hashes, for the verify page's index of published posts
    subtitles: str  # WebVTT of the dialogue; "" when nobody speaks


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
    subtitles. Each phase is timed under its name in `timings`, and `on_phase_done(name)` is called as it ends."""
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

    @contextmanager
    def step(name: str) -> Iterator[None]:
        with phase(timings, name):
            yield
        on_phase_done(name)

    for frame_step in frame_steps():
        with step(frame_step.__name__):
            frame_step(clip)
    storage = GenerationJob._meta.get_field("video").storage
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "video.mp4"
        with step("encode"):
            media.encode_mp4(
                clip.frames,
                clip.fps,
                clip.audio,
                clip.sample_rate,
                path,
                subtitles=[(cue.start_s, cue.end_s, cue.text) for cue in clip.cues],
                subtitles_language=MP4_LANGUAGES.get(job.subtitles_language, "und"),
            )
        for file_step in file_steps():
            with step(file_step.__name__):
                file_step(clip, path)
        with step("poster"):
            poster = media.poster_webp(clip.frames[len(clip.frames) // 3])
        with step("spritesheet"):
            sheet = media.spritesheet_jpeg(clip.frames, clip.fps)
        with step("frame_hashes"):
            hashes = frame_hashes(clip.frames, clip.fps)
        with step("store"):
            with path.open("rb") as handle:
                video_name = storage.save(f"{stem}.mp4", handle)
            poster_name = storage.save(f"{stem}.webp", ContentFile(poster))
            sprite_name = storage.save(f"{stem}-sprites.jpg", ContentFile(sheet.data))
            subtitles_name = storage.save(f"{stem}.vtt", ContentFile(webvtt(clip.cues).encode())) if clip.cues else ""
    layout = {
        "tiles": sheet.tiles,
        "columns": sheet.columns,
        "rows": sheet.rows,
        "tile_width": sheet.tile_width,
        "tile_height": sheet.tile_height,
        "interval_s": sheet.interval_s,
    }
    return FinishedFiles(video_name, poster_name, sprite_name, layout, hashes, subtitles_name)


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
