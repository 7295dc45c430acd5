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
from dataclasses import dataclass
from typing import NamedTuple

import cv2
import numpy as np

from generation import fingerprint_index
from generation.fingerprint_index import DIM

INDEX_FPS = 1.0  # fingerprints per second of a finished video in the index
INDEX_FRACTION = 0.7  # the indexed square's side, of the frame's short side
CROPS_SEARCHED = (1.0, 0.85, 0.7)  # centred crops (of each side) a query looks for
BAR_LEVEL = 4.0  # a row or column at the frame's edge this dark on average is a black bar
# A frame whose pattern carries less than this (a flat wall, a black frame) has no fingerprint: all
# such frames look alike, so they would match each other.
MIN_PATTERN = 40.0
DETAIL_SIDE = 32  # the finer picture kept per fingerprint (frame_detail)
DETAIL_CROPS = (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7)  # the crops a candidate check tries, finer
# agreement() of real copies (crops to 70%, mirror, letterbox, scale, re-encode, trim) is about 0.9
# and above; of other renders with the same soft layout, under 0.7 (docs/BENCHMARKS.md).
AGREEMENT = 0.8
SEARCHED_FRAMES = 3  # a copy's frames whose fingerprints search the index (all of them are checked)
MIN_EDGES = 20.0  # a detail with less gradient than this is featureless
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


def _small(square: np.ndarray) -> np.ndarray:
    return cv2.resize(square, (DETAIL_SIDE, DETAIL_SIDE), interpolation=cv2.INTER_AREA).astype(np.uint8)


def detail_edges(details: np.ndarray) -> np.ndarray:
    """Unit vectors of the details' gradients (k, DETAIL_SIDE, DETAIL_SIDE) -> (k, n): each picture's
    edges (its x and y gradients, the mean gradient taken out: a sky's smooth ramp is no evidence),
    compared by dot product. A featureless detail gives a zero vector."""
    out = []
    for detail in details.reshape(-1, DETAIL_SIDE, DETAIL_SIDE):
        soft = cv2.GaussianBlur(detail.astype(np.float32), (0, 0), 0.8)
        gx = cv2.Sobel(soft, cv2.CV_32F, 1, 0)[1:-1, 1:-1]
        gy = cv2.Sobel(soft, cv2.CV_32F, 0, 1)[1:-1, 1:-1]
        vector = np.concatenate([(gx - gx.mean()).ravel(), (gy - gy.mean()).ravel()])
        norm = float(np.linalg.norm(vector))
        out.append(vector / norm if norm >= MIN_EDGES else np.zeros_like(vector))
    return np.array(out, dtype=np.float32)


@dataclass
class CopyFrame:
    """What a copy's frame is looked up and checked with."""

    second: float  # its time in the copy
    queries: np.ndarray  # (n, DIM) fingerprints for the index (query_fingerprints)
    edges: np.ndarray  # (2 * len(DETAIL_CROPS), e): detail_edges of each crop searched, plain and mirrored


def copy_frame(frame: np.ndarray, second: float) -> CopyFrame:
    grey = bars_cut(_grey(frame))
    plain = [_descriptor(_square(grey, min(1.0, INDEX_FRACTION / crop))) for crop in CROPS_SEARCHED]
    found = [vector for vector in plain if vector is not None]
    queries = np.array(found + [vector * _ODD_COLUMNS for vector in found], dtype=np.float32).reshape(-1, DIM)
    smalls = [_small(_square(grey, min(1.0, INDEX_FRACTION / crop))) for crop in DETAIL_CROPS]
    return CopyFrame(second, queries, detail_edges(np.array(smalls + [small[:, ::-1] for small in smalls])))


def agreement(copy: Sequence[CopyFrame], seconds: np.ndarray, edges: np.ndarray) -> float:
    """How well a copy's frames agree with a candidate video's details (`seconds`, `edges`: its
    indexed frames' times and detail_edges): for the time offset that fits best, the median over the
    copy's frames of the best edge correlation with an indexed frame within a second of where the
    offset puts it (any crop searched, plain or mirrored). About 0.9 and above for a copy; another
    picture with the same soft layout, well under (docs/BENCHMARKS.md "Fingerprint index")."""
    frames = [frame for frame in copy if frame.edges.any()]
    if not frames or not len(seconds):
        return 0.0
    best = np.array([(frame.edges @ edges.T).max(axis=0) for frame in frames])  # (copy frames, indexed)
    at = np.array([frame.second for frame in frames])
    top = 0.0
    for offset in np.arange(np.floor(seconds.min() - at.max()) - 1, np.ceil(seconds.max() - at.min()) + 2):
        near = np.abs(seconds[None, :] - (at[:, None] + offset)) <= 1.0 + 1e-6
        per_frame = np.where(near, best, -1.0).max(axis=1)
        top = max(top, float(np.median(per_frame)))
    return top


class IndexedFrame(NamedTuple):
    """What the index keeps of a second of a finished video."""

    second: float
    fingerprint: np.ndarray  # (DIM,) unit vector
    detail: np.ndarray  # (DETAIL_SIDE, DETAIL_SIDE) uint8 (frame_detail)


def indexed_frame(frame: np.ndarray, second: float) -> IndexedFrame | None:
    """A frame of a finished video as the index keeps it; None for a featureless frame."""
    square = _square(bars_cut(_grey(frame)), INDEX_FRACTION)
    vector = _descriptor(square)
    return IndexedFrame(second, vector, _small(square)) if vector is not None else None


def video_fingerprints(frames: Sequence[np.ndarray], fps: float) -> list[IndexedFrame]:
    """The index's entries of a finished video: one per 1/INDEX_FPS seconds from its first frame,
    leaving out featureless frames."""
    step = max(1, round(fps / INDEX_FPS))
    made = (indexed_frame(frames[i], i / fps) for i in range(0, len(frames), step))
    return [entry for entry in made if entry is not None]


def job_matching(copy: Sequence[CopyFrame]) -> int | None:
    """The indexed video a copy was made from, or None. The index's fingerprint is coarse (an 8x8
    DCT: two renders with the same soft layout often look alike to it), so its search (the first
    SEARCHED_FRAMES frames: the lookup's time goes with the vectors searched) only proposes
    candidates; all the copy's frames are checked against each one's indexed details, in time
    (agreement), and the best one at AGREEMENT or more is the original."""
    candidates = fingerprint_index.jobs_proposed([frame.queries for frame in copy[:SEARCHED_FRAMES]])
    best: tuple[float, int] | None = None
    for job_id, (seconds, details) in fingerprint_index.details_of(candidates).items():
        score = agreement(copy, seconds, detail_edges(details))
        if score >= AGREEMENT and (best is None or score > best[0]):
            best = (score, job_id)
    return best[1] if best else None
