"""Shot planning and joining for the diffusion backends: what each shot asks of the model (prompt,
frames, the pipeline kind that serves it) and how its frames come back to the requested size.

Pure functions and one dataclass: unit-testable without a model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from generation.backends.base import GenerationRequest
from sora_site.errors import DomainError


@dataclass(frozen=True)
class ShotPlan:
    """What one shot of a request asks of the model, from the request alone (each backend adds the
    pipeline kind and its conditioning)."""

    index: int
    prompt: str
    n_out: int  # frames in the result
    n_gen: int  # frames the model generates (the VAE's temporal k+1)
    start_s: float  # where the shot starts in the whole clip
    seconds: float
    image: Image.Image | None  # the request's input image, on the first shot only


def shots_plan(request: GenerationRequest, fps: int, max_frames: int, temporal: int) -> list[ShotPlan]:
    """Each shot's prompt, frame counts and start. A single shot takes the request's whole prompt; in
    a storyboard each shot has its own prompt and the cameo owners' preferences travel with every shot."""
    if not request.shots:
        raise DomainError("invalid_request", "A generation needs at least one shot.")
    cameo_prefs = [c.preferences.strip() for c in request.cameos if c.preferences.strip()]
    plans: list[ShotPlan] = []
    start = 0.0
    for index, shot in enumerate(request.shots):
        if len(request.shots) == 1:
            prompt = request.prompt or shot.prompt
        else:
            prompt = " ".join([shot.prompt.strip(), *cameo_prefs]).strip() or request.prompt
        n_out, n_gen = frame_plan(shot.seconds, fps, max_frames, temporal)
        image = request.input_image if index == 0 else None
        plans.append(ShotPlan(index, prompt, n_out, n_gen, start, shot.seconds, image))
        start += shot.seconds
    return plans


def pipeline_kind(model: str, available: Mapping[str, Path], *, conditioned: bool, image: bool, general: str) -> str:
    """The pipeline kind for a shot: `general` (the model's conditioning pipeline: Wan's vace,
    LTX-2's condition) when the shot is conditioned on pictures, else i2v for an input image and t2v
    for text, each falling back to `general` when the model path has no such folder."""
    if conditioned:
        if general not in available:
            raise capability_missing(model, available, "use cameos or remix a video", general)
        return general
    wanted, what = ("i2v", "start from an image") if image else ("t2v", "generate from text")
    kind = next((k for k in (wanted, general) if k in available), None)
    if kind is None:
        raise capability_missing(model, available, what, f"{wanted} or {general}")
    return kind


def capability_missing(model: str, available: Mapping[str, Path], what: str, kinds: str) -> DomainError:
    have = ", ".join(sorted(available)) or "nothing"
    return DomainError(
        "model_capability_missing",
        f"The model {model!r} on this server cannot {what}: it needs a {kinds} pipeline and only has {have}.",
        status=503,
    )


def generation_size(width: int, height: int, max_area: int, multiple: int = 16) -> tuple[int, int]:
    """(width, height) to generate at: same orientation and aspect, multiples of `multiple`,
    at most `max_area` pixels and never larger than requested (diffusers' Wan max_area rule). The
    default multiple is Wan's (VAE spatial factor 8 x transformer patch 2)."""
    area = min(max_area, width * height)
    aspect = height / width
    gen_h = max(multiple, int(round(math.sqrt(area * aspect))) // multiple * multiple)
    gen_w = max(multiple, int(round(math.sqrt(area / aspect))) // multiple * multiple)
    return gen_w, gen_h


def frame_plan(seconds: float, fps: int, max_frames: int, temporal: int = 4) -> tuple[int, int]:
    """(frames to output, frames to generate): output round(seconds*fps) >= 1, generate the next
    `temporal`k+1 at or above it (the VAE's temporal factor: 4 for Wan, 8 for LTX-2), capped at the
    largest such count <= max_frames."""
    n_out = max(1, int(round(seconds * fps)))
    cap = max(1, (max_frames - 1) // temporal * temporal + 1)
    n_gen = (n_out - 1 + temporal - 1) // temporal * temporal + 1
    return n_out, min(n_gen, cap)


def shot_frames(video: np.ndarray, width: int, height: int, n_out: int) -> list[np.ndarray]:
    """A shot's generated frames (F x H x W x 3 uint8 at generation size) at the requested size and
    length: resized (INTER_AREA down, INTER_CUBIC up), then cut, or stretched in time (nearest
    frame) when the model made fewer than `n_out`."""
    frames = resize_frames(video, width, height)
    if n_out <= len(frames):
        return frames[:n_out]
    src = len(frames)
    return [frames[min(src - 1, i * src // n_out)] for i in range(n_out)]


def resize_frames(frames: np.ndarray, width: int, height: int) -> list[np.ndarray]:
    out = []
    for frame in frames:
        if frame.shape[1] == width and frame.shape[0] == height:
            out.append(np.ascontiguousarray(frame))
            continue
        down = width * height < frame.shape[0] * frame.shape[1]
        interp = cv2.INTER_AREA if down else cv2.INTER_CUBIC
        out.append(cv2.resize(frame, (width, height), interpolation=interp))
    return out
