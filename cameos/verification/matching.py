"""Comparing faces (128-d dlib encodings, Euclidean) and voices (256-d resemblyzer, cosine).

Face distances: the same person is typically 0.2-0.45 apart, different people 0.6-0.85; 0.6 is
dlib's and face_recognition's threshold.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

import numpy as np

FACE_MATCH_THRESHOLD = 0.6

K = TypeVar("K", bound=Hashable)


def _as_matrix(encodings: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    m = np.asarray(encodings, dtype=np.float64)
    if m.ndim == 1:
        m = m[None, :]
    return m


def face_distance_min(encodings_a: Sequence[np.ndarray], encodings_b: Sequence[np.ndarray]) -> float:
    """The smallest Euclidean distance between any encoding of A and any of B (inf if either is empty)."""
    a, b = _as_matrix(encodings_a), _as_matrix(encodings_b)
    if a.size == 0 or b.size == 0:
        return float("inf")
    return float(np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)).min())


def best_face_match(
    probe_encodings: Sequence[np.ndarray],
    candidates: Iterable[tuple[K, Sequence[np.ndarray]]],
    threshold: float = FACE_MATCH_THRESHOLD,
) -> tuple[K, float] | None:
    """The candidate whose encodings come closest to the probe's, if closer than `threshold`.

    `candidates` yields (key, encodings), e.g. (cameo id, its reference encodings) or (public figure
    id, their encodings). Returns (key, distance) or None when nobody is under the threshold.
    """
    best: tuple[K, float] | None = None
    for key, encodings in candidates:
        d = face_distance_min(probe_encodings, encodings)
        if d < threshold and (best is None or d < best[1]):
            best = (key, d)
    return best


def voice_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two speaker embeddings (resemblyzer: same voice ~0.85+, others lower)."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        return 0.0
    return float(a @ b / (na * nb))
