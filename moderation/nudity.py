"""Nudity in pictures: NudeNet's 320n detector (ONNX, shipped in the `nudenet` wheel, ~25 ms a picture).

Used on reference images at the prompt stage, on sampled frames at the frames stage and on the stored
video at the publish stage. Which body parts count as explicit and from what score is policy
(`[nudity]` in policy.toml; the publish stage's stricter bars are in `[publish]`).
"""

from __future__ import annotations

import threading
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from moderation.policy import POLICY_PATH

if TYPE_CHECKING:
    from nudenet import NudeDetector

_lock = threading.Lock()


@dataclass(frozen=True)
class NudityFinding:
    label: str  # NudeNet's class, e.g. "FEMALE_BREAST_EXPOSED"
    score: float


@cache
def _rules() -> tuple[frozenset[str], dict[str, float]]:
    raw = tomllib.loads(POLICY_PATH.read_text())["nudity"]
    return frozenset(raw["explicit"]), {stage: float(score) for stage, score in raw["min_score"].items()}


@cache
def _detector() -> NudeDetector:
    from nudenet import NudeDetector

    return NudeDetector()


def frames_needed() -> int:
    """How many sampled frames must show explicit nudity for the frames stage to refuse a video."""
    return int(tomllib.loads(POLICY_PATH.read_text())["nudity"]["frames_min"])


def explicit_labels() -> frozenset[str]:
    return _rules()[0]


def detections(image: np.ndarray) -> list[NudityFinding]:
    """Every NudeNet detection in an H x W x 3 RGB uint8 picture, best first."""
    # NudeNet converts its input from RGBA to BGR and back to RGB itself: hand it RGBA.
    rgba = np.dstack([np.ascontiguousarray(image[..., :3]), np.full(image.shape[:2], 255, np.uint8)])
    with _lock:  # one ONNX session per process
        found = _detector().detect(rgba)
    return sorted((NudityFinding(d["class"], round(float(d["score"]), 3)) for d in found), key=lambda f: -f.score)


def explicit_findings(image: np.ndarray, *, stage: str) -> list[NudityFinding]:
    """The explicit detections in a picture, best first (empty: nothing explicit).
    `stage` is "reference" (an uploaded image) or "frames" (generated frames)."""
    labels, min_scores = _rules()
    return [f for f in detections(image) if f.label in labels and f.score >= min_scores[stage]]
