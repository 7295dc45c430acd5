"""Nudity in pictures: NudeNet's 320n detector (ONNX, shipped in the `nudenet` wheel, ~25 ms of one core a picture).

Used on reference images at the prompt stage, on sampled frames at the frames stage and on the stored
video at the publish stage. Which body parts count as explicit and from what score is policy
(`[nudity]` in policy.toml; the publish stage's stricter bars are in `[publish]`).
"""

from __future__ import annotations

import threading
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from moderation.policy_file import POLICY_PATH
from sora_site.loading import model_loader

if TYPE_CHECKING:
    from nudenet import NudeDetector

_lock = threading.Lock()


@dataclass(frozen=True)
class NudityFinding:
    label: str  # NudeNet's class, e.g. "FEMALE_BREAST_EXPOSED"
    score: float
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # left, top, right, bottom, picture pixels


@cache
def _rules() -> tuple[frozenset[str], dict[str, float]]:
    raw = tomllib.loads(POLICY_PATH.read_text())["nudity"]
    return frozenset(raw["explicit"]), {stage: float(score) for stage, score in raw["min_score"].items()}


FACE_MIN_SCORE = 0.3  # NudeNet's face classes; the likeness check then encodes and compares what it finds
INPUT_SIDE = 320  # the 320n model's input: NudeNet pads a picture to a square and scales it to this


@model_loader("NudeNet")
def _detector() -> NudeDetector:
    import nudenet
    import onnxruntime

    detector = nudenet.NudeDetector()
    # One intra-op thread: onnxruntime's default (a thread per core, spinning while it waits) spent twice
    # the CPU for the same picture here (37 ms against 18.5 ms on 2 cores) and was no faster in wall time
    # when the other core is busy, which on a worker it always is. NudeNet takes no session options.
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    model = str(Path(nudenet.__file__).with_name("320n.onnx"))  # the model NudeDetector() loads
    detector.onnx_session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    return detector


def detector_load() -> None:
    """Load NudeNet now (a worker does at start: sora_site.celery), not on the first frame."""
    with _lock:
        _detector()


def frames_needed() -> int:
    """How many sampled frames must show explicit nudity for the frames stage to refuse a video."""
    return int(tomllib.loads(POLICY_PATH.read_text())["nudity"]["frames_min"])


def explicit_labels() -> frozenset[str]:
    return _rules()[0]


def detections(image: np.ndarray) -> list[NudityFinding]:
    """Every NudeNet detection in an H x W x 3 RGB uint8 picture, best first."""
    rgb = np.ascontiguousarray(image[..., :3])
    # Scaled first to what the model sees (long side 320, bilinear like NudeNet's own resize of the
    # padded square, so the same pixels reach the model): NudeNet would otherwise convert, pad and
    # resize the whole 720x1280 frame. Boxes are mapped back to the picture's pixels.
    scale = min(1.0, INPUT_SIDE / max(rgb.shape[:2]))
    if scale < 1:
        size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_LINEAR)
    # NudeNet converts its input from RGBA to BGR and back to RGB itself: hand it RGBA.
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    found = _detect(rgba)
    out = []
    for d in found:
        x, y, w, h = (float(v) / scale for v in d["box"])
        out.append(NudityFinding(d["class"], round(float(d["score"]), 3), (x, y, x + w, y + h)))
    return sorted(out, key=lambda f: -f.score)


def _detect(rgba: np.ndarray) -> list[dict[str, Any]]:
    """`NudeDetector.detect`, with its post-processing's loop over the model's 2,100 candidate boxes
    (a Python loop calling numpy per box: ~25 ms a picture, more than the model) run only on the boxes
    that score high enough to be kept, found at once (`_postprocess`)."""
    from nudenet import nudenet

    with _lock:  # one ONNX session per process
        detector = _detector()
        blob, _, _, x_pad, y_pad, width, height = nudenet._read_image(rgba, detector.input_width)
        outputs = detector.onnx_session.run(None, {detector.input_name: blob})
    return _postprocess(outputs, x_pad, y_pad, width, height, detector.input_width, detector.input_height)


def _postprocess(
    output: list[np.ndarray],
    x_pad: int,
    y_pad: int,
    image_original_width: int,
    image_original_height: int,
    model_width: int,
    model_height: int,
) -> list[dict[str, Any]]:
    """nudenet.nudenet._postprocess (3.4.2), the same arithmetic on the same float32 values in the same
    order, on the rows whose best class scores >= 0.2 (the only ones it keeps); equal to it on every
    picture (tests/moderation/test_frames_stage.py)."""
    from nudenet import nudenet

    labels: list[str] = getattr(nudenet, "__labels")  # a module-private name
    outputs = np.transpose(np.squeeze(output[0]))
    boxes = []
    scores = []
    class_ids = []
    for i in np.flatnonzero(outputs[:, 4:].max(axis=1) >= 0.2).tolist():
        classes_scores = outputs[i][4:]
        max_score = np.amax(classes_scores)
        class_id = np.argmax(classes_scores)
        x, y, w, h = outputs[i][0:4]
        x = x - w / 2
        y = y - h / 2
        x = x * (image_original_width + x_pad) / model_width
        y = y * (image_original_height + y_pad) / model_height
        w = w * (image_original_width + x_pad) / model_width
        h = h * (image_original_height + y_pad) / model_height
        x = max(0, min(x, image_original_width))
        y = max(0, min(y, image_original_height))
        w = min(w, image_original_width - x)
        h = min(h, image_original_height - y)
        class_ids.append(class_id)
        scores.append(max_score)
        boxes.append([x, y, w, h])
    indices = cv2.dnn.NMSBoxes(boxes, scores, 0.25, 0.45)
    detections = []
    for kept in indices:
        left, top, width, height = boxes[kept]
        detections.append(
            {
                "class": labels[class_ids[kept]],
                "score": float(scores[kept]),
                "box": [int(left), int(top), int(width), int(height)],
            }
        )
    return detections


def explicit_findings(
    image: np.ndarray, *, stage: str, found: list[NudityFinding] | None = None
) -> list[NudityFinding]:
    """The explicit detections in a picture, best first (empty: nothing explicit).
    `stage` is "reference" (an uploaded image) or "frames" (generated frames); `found`: the picture's
    `detections`, when the caller already has them."""
    labels, min_scores = _rules()
    return [
        f for f in (detections(image) if found is None else found) if f.label in labels and f.score >= min_scores[stage]
    ]


def face_boxes(found: list[NudityFinding]) -> list[tuple[float, float, float, float]]:
    """The faces NudeNet saw (its FACE_FEMALE / FACE_MALE classes): the likeness check looks at these
    too, as it finds faces that the HOG face detector misses when the eyes are covered."""
    return [f.box for f in found if f.label.startswith("FACE_") and f.score >= FACE_MIN_SCORE]
