"""The small interface every generation backend implements.

A backend turns a GenerationRequest into frames + audio + metadata. It reports progress through a
callback and polls a cancel check between steps; it never touches the database or storage (the
worker does that), so the same backend runs in tests, on a laptop and on a GPU worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image

# Re-exported: backends describe a cameo's voice with the cameos' own type.
from cameos.verification.voice import VoiceProfile as VoiceProfile

ProgressCallback = Callable[[float], None]  # fraction done, 0.0 .. 1.0
CancelCheck = Callable[[], bool]  # True when the job should stop


class GenerationCancelled(Exception):
    """Raised by a backend when its cancel check returned True."""


@dataclass(frozen=True)
class Shot:
    prompt: str
    seconds: float


@dataclass(frozen=True, eq=False)
class VoiceSample:
    """A few seconds of the owner's own speech, kept with their consent: the voice-cloning TTS's prompt."""

    audio: np.ndarray  # mono float32 in [-1, 1]
    sample_rate: int
    text: str  # what it says ("four seven one nine"), or "" when not known


@dataclass(frozen=True)
class CameoReference:
    handle: str
    is_human: bool
    portraits: tuple[Image.Image, ...]  # verified portrait crops, RGB
    voice: VoiceProfile | None
    preferences: str = ""
    voice_sample: VoiceSample | None = None  # only when the owner keeps one


@dataclass(frozen=True)
class FrameLabels:
    """The words a preview draws into its frames, already in the creator's language (the worker
    translates them; backends run without Django). `shot` has {index} and {count}."""

    preview: str = "PREVIEW"
    remix: str = "↻ REMIX"
    shot: str = "shot {index}/{count}"


@dataclass(frozen=True)
class GenerationRequest:
    prompt: str  # the full instruction, owner preferences already appended
    model: str  # "sora-2" | "sora-2-pro"
    width: int
    height: int
    seed: int
    shots: tuple[Shot, ...]  # one shot when there is no storyboard; hard cuts between shots
    fps: int = 24
    input_image: Image.Image | None = None  # already fitted to width x height
    parent_video: Path | None = None  # remix: the parent's MP4
    cameos: tuple[CameoReference, ...] = ()
    labels: FrameLabels = FrameLabels()

    @property
    def seconds(self) -> float:
        return sum(shot.seconds for shot in self.shots)


@dataclass(frozen=True)
class Cue:
    """One spoken line and when it is heard, in seconds from the start of the clip (a subtitle)."""

    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class Ingredient:
    """An existing video that a new one is made of (a stitch's drafts): named in its C2PA manifest."""

    path: Path  # its MP4, signed itself
    job: str  # its public id


# `GenerationResult.metadata[DRAWN]`: every frame is the CPU preview renderer's drawing (over the real
# pictures it was given), not a picture of the world; the frames stage judges such a clip by those pictures.
DRAWN = "drawn"


@dataclass
class GenerationResult:
    frames: Sequence[np.ndarray]  # each H x W x 3, uint8, RGB
    fps: int
    audio: np.ndarray | None  # samples x channels, float32 in [-1, 1]
    sample_rate: int
    metadata: dict[str, Any] = field(default_factory=dict)
    cues: list[Cue] = field(default_factory=list)  # the lines its own audio speaks (none without audio)
    ingredients: tuple[Ingredient, ...] = ()  # the videos it was joined from, in order


class Backend(Protocol):
    name: str
    is_preview: bool  # True for stand-ins that are not a real video model (labelled in the UI)

    def generate(
        self,
        request: GenerationRequest,
        *,
        on_progress: ProgressCallback,
        should_cancel: CancelCheck,
    ) -> GenerationResult: ...
