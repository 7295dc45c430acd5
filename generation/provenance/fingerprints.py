"""Frame fingerprints that survive crops, reframing, letterboxes, scaling and mirroring, for finding
the published original of a copy that lost its manifest and its invisible mark.

A fingerprint is the low-frequency DCT (8x8, the DC left out) of a centred square of the picture,
grey, area-averaged to 32x32 and normalised to unit length: 64 numbers, compared by Euclidean
distance. Black bars are cut off first (a letterbox or pillarbox). The index holds one fingerprint
per second of a finished video, of the centred square INDEX_FRACTION of its short side; a query
takes the squares that the same picture area would occupy after a centred crop to each of
CROPS_SEARCHED (a crop to 70% makes the indexed square fill the copy's whole short side), and
each also mirrored (a mirrored picture's DCT differs only in the sign of its odd columns).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from generation.fingerprint_index import DIM

INDEX_FPS = 1.0  # fingerprints per second of a finished video in the index
INDEX_FRACTION = 0.7  # the indexed square's side, of the frame's short side
CROPS_SEARCHED = (1.0, 0.85, 0.7)  # centred crops (of each side) a query looks for
BAR_LEVEL = 4.0  # a row or column at the frame's edge this dark on average is a black bar
# A frame whose pattern carries less than this (a flat wall, a black frame) has no fingerprint: all
# such frames look alike, so they would match each other.
MIN_PATTERN = 40.0
_ODD_COLUMNS = np.tile((-1.0) ** np.arange(8), 8).astype(np.float32)


WORK_SIDE = 256  # frames are area-averaged to about this short side first (the fingerprint is 32x32)


def _grey(frame: np.ndarray) -> np.ndarray:
    grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    factor = min(grey.shape) // WORK_SIDE
    if factor < 2:
        return grey
    return cv2.resize(grey, (grey.shape[1] // factor, grey.shape[0] // factor), interpolation=cv2.INTER_AREA)


def bars_cut(grey: np.ndarray) -> np.ndarray:
    """The picture inside black bars along its edges (kept whole when it is dark all over)."""
    rows = np.flatnonzero(grey.mean(axis=1) >= BAR_LEVEL)
    cols = np.flatnonzero(grey.mean(axis=0) >= BAR_LEVEL)
    if len(rows) < grey.shape[0] // 4 or len(cols) < grey.shape[1] // 4:
        return grey
    return grey[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _square(grey: np.ndarray, fraction: float) -> np.ndarray:
    h, w = grey.shape
    side = max(8, int(round(min(h, w) * fraction)))
    y, x = (h - side) // 2, (w - side) // 2
    return grey[y : y + side, x : x + side]


def _descriptor(square: np.ndarray) -> np.ndarray | None:
    small = cv2.resize(square, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    coefficients = cv2.dct(small)[:8, :8].flatten()
    coefficients[0] = 0.0  # the mean brightness: a tone change moves it, the pattern stays
    norm = float(np.linalg.norm(coefficients))
    return coefficients / norm if norm >= MIN_PATTERN else None


def frame_fingerprint(frame: np.ndarray) -> np.ndarray | None:
    """What the index stores for a frame (RGB or grey); None for a featureless frame."""
    return _descriptor(_square(bars_cut(_grey(frame)), INDEX_FRACTION))


def query_fingerprints(frame: np.ndarray) -> np.ndarray:
    """The fingerprints to look up for a frame of a copy: one per crop searched, then each mirrored
    (none for a featureless frame): an array of shape (n, DIM)."""
    grey = bars_cut(_grey(frame))
    plain = [_descriptor(_square(grey, min(1.0, INDEX_FRACTION / crop))) for crop in CROPS_SEARCHED]
    found = [vector for vector in plain if vector is not None]
    return np.array(found + [vector * _ODD_COLUMNS for vector in found], dtype=np.float32).reshape(-1, DIM)


def video_fingerprints(frames: Sequence[np.ndarray], fps: float) -> list[np.ndarray]:
    """The index's fingerprints of a finished video: one per 1/INDEX_FPS seconds from its first frame,
    leaving out featureless frames."""
    step = max(1, round(fps / INDEX_FPS))
    return [vector for vector in map(frame_fingerprint, frames[::step]) if vector is not None]
