"""Face detection (dlib HOG with a score threshold), 68 landmarks, 128-d encodings, portrait crops.

Coordinates are (left, top, right, bottom) in pixels of the image that was passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from . import loaders

# HOG fires on some non-faces (a mission patch, a poster corner) with low scores; real faces in
# reasonable light score > 0.5 (FINDINGS.md).
DEFAULT_MIN_SCORE = 0.5


@dataclass
class FaceDetection:
    box: tuple[int, int, int, int]  # left, top, right, bottom
    score: float
    landmarks: np.ndarray  # (68, 2) float32, x/y in the same image

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]


def analysis_image(frame: np.ndarray, target_height: int = 480) -> tuple[np.ndarray, float]:
    """`frame` resized so it is `target_height` tall (HOG with upsample=0 then finds faces >= ~80 px,
    a face that fills a fifth of the picture). Returns (image, scale) with scale = new / old."""
    h, w = frame.shape[:2]
    if h == target_height:
        return frame, 1.0
    scale = target_height / h
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(frame, (max(1, round(w * scale)), target_height), interpolation=interp)
    return resized, scale


def detect_faces(image: np.ndarray, *, min_score: float = DEFAULT_MIN_SCORE, upsample: int = 0) -> list[FaceDetection]:
    """Faces scoring above `min_score`, best first, each with its 68 landmarks."""
    import dlib

    # adjust_threshold: the detector returns only detections scoring above it.
    rects, scores, _ = loaders.face_detector().run(image, upsample, min(0.0, min_score))
    predictor = loaders.landmark_predictor()
    found = []
    for rect, score in zip(rects, scores, strict=True):
        if score <= min_score:
            continue
        shape = predictor(image, dlib.rectangle(rect.left(), rect.top(), rect.right(), rect.bottom()))
        pts = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
        found.append(FaceDetection((rect.left(), rect.top(), rect.right(), rect.bottom()), float(score), pts))
    found.sort(key=lambda d: d.score, reverse=True)
    return found


def face_encoding(image: np.ndarray, face: FaceDetection, *, num_jitters: int = 1) -> np.ndarray:
    """The 128-d dlib ResNet descriptor (same as face_recognition.face_encodings)."""
    import dlib

    left, top, right, bottom = face.box
    shape = loaders.landmark_predictor()(image, dlib.rectangle(left, top, right, bottom))
    desc = loaders.face_encoder().compute_face_descriptor(image, shape, num_jitters)
    return np.asarray(desc, dtype=np.float32)


def encode_image_faces(
    image: np.ndarray, *, min_score: float = DEFAULT_MIN_SCORE, upsample: int = 1
) -> list[np.ndarray]:
    """Encodings of every face in a still image, best detection first (for registries and tests)."""
    image = np.ascontiguousarray(image[..., :3])
    return [face_encoding(image, f) for f in detect_faces(image, min_score=min_score, upsample=upsample)]


def identity_spread(encodings: Sequence[np.ndarray]) -> float:
    """The largest distance from any encoding to the medoid (the encoding closest to all others).

    One person filmed over a few seconds stays well under 0.6; a swap to someone else goes over it.
    """
    if len(encodings) < 2:
        return 0.0
    e = np.stack(encodings)
    d = np.linalg.norm(e[:, None, :] - e[None, :, :], axis=-1)
    medoid = int(np.argmin(d.sum(axis=1)))
    return float(d[medoid].max())


def portrait_crop(
    frame: np.ndarray, box: tuple[float, float, float, float], *, size: int = 256, margin: float = 2.0
) -> Image.Image:
    """A square RGB crop around a face box (scaled by `margin`, a little headroom), resized to `size`.

    Parts of the square that fall outside the frame are filled by replicating the border.
    """
    left, top, right, bottom = box
    cx, cy = (left + right) / 2, (top + bottom) / 2 - 0.12 * (bottom - top)
    half = max(right - left, bottom - top) * margin / 2
    x0, y0, x1, y1 = (round(v) for v in (cx - half, cy - half, cx + half, cy + half))
    h, w = frame.shape[:2]
    pad = max(0, -x0, -y0, x1 - w, y1 - h)
    src = frame
    if pad:
        src = cv2.copyMakeBorder(frame, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    crop = src[y0 + pad : y1 + pad, x0 + pad : x1 + pad]
    interp = cv2.INTER_AREA if crop.shape[0] > size else cv2.INTER_CUBIC
    return Image.fromarray(cv2.resize(np.ascontiguousarray(crop), (size, size), interpolation=interp))
