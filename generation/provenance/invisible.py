"""The invisible watermark: a job id hidden in the chroma of the frames, read back after re-encoding.

The embedding is invisible-watermark's `dwtDctSvd` (each 4x4 block of the Haar LL band of U carries one
bit in the largest singular value of its DCT, quantised with step 36), computed here on whole arrays at
once instead of the library's per-block Python loop (far cheaper, so many frames can carry it),
at a reduced working resolution whose change is scaled back up onto the full frame. The payload is
Reed-Solomon coded: a magic byte and the 32-bit job id plus parity bytes, so a few wrong bytes still
decode and a video without a mark decodes to nothing. A reader combines soft scores over many frames,
which is what makes the mark survive a lower bitrate, trims and downscales.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

import cv2
import numpy as np
from reedsolo import ReedSolomonError, RSCodec

MAGIC = 0xA7  # marks a payload as ours (and this layout as version 1)
PARITY_BYTES = 5  # corrects up to 2 wrong bytes of the 10
PAYLOAD_BITS = (1 + 4 + PARITY_BYTES) * 8
QUANT_STEP = 36.0  # the library's default scale for U
BLOCK = 4
WORK_SHORT_SIDE = 144  # the mark lives at this resolution (720x1280 works at 144x256)
# Chroma change per unit of U, in RGB, for the BT.601 conversion cv2 (and libswscale) use.
_U_TO_RGB = np.array([0.0, -0.395, 2.032], dtype=np.float32)
_codec = RSCodec(PARITY_BYTES)


def payload_bits(job_id: int) -> np.ndarray:
    """The coded bits for a job id (0 <= job_id < 2**32)."""
    coded = _codec.encode(bytes([MAGIC]) + int(job_id).to_bytes(4, "big"))
    return np.unpackbits(np.frombuffer(bytes(coded), dtype=np.uint8))


def payload_decode(soft_bits: np.ndarray) -> int | None:
    """The job id from soft bit scores (positive = 1), or None when they are not one of our payloads."""
    hard = np.packbits((soft_bits > 0).astype(np.uint8)).tobytes()
    try:
        message = bytes(_codec.decode(hard)[0])
    except ReedSolomonError:
        return None
    if message[0] != MAGIC:
        return None
    return int.from_bytes(message[1:5], "big")


def work_size(width: int, height: int) -> tuple[int, int]:
    """(width, height) of the working resolution: a multiple of 8 on each side, same aspect."""
    scale = WORK_SHORT_SIDE / min(width, height)
    return max(8, round(width * scale / 8) * 8), max(8, round(height * scale / 8) * 8)


@cache
def _dct4() -> np.ndarray:
    """The orthonormal DCT-II matrix (what cv2.dct applies to a 4x4 block: C = D B D^T)."""
    k, n = np.meshgrid(np.arange(BLOCK), np.arange(BLOCK), indexing="ij")
    matrix = np.cos(np.pi * (2 * n + 1) * k / (2 * BLOCK)) * np.sqrt(2 / BLOCK)
    matrix[0] /= np.sqrt(2)
    dct: np.ndarray = matrix.astype(np.float64)
    return dct


def _u_plane(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    small = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_RGB2YUV)[..., 1].astype(np.float64)


def _ll_blocks(u: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """The Haar LL band of `u` ((a+b+c+d)/2 per 2x2) cut into 4x4 blocks: (n, 4, 4) and the grid."""
    h, w = u.shape
    ll = u.reshape(h // 2, 2, w // 2, 2).sum(axis=(1, 3)) / 2
    rows, cols = ll.shape[0] // BLOCK, ll.shape[1] // BLOCK
    blocks = ll[: rows * BLOCK, : cols * BLOCK].reshape(rows, BLOCK, cols, BLOCK).swapaxes(1, 2)
    return blocks.reshape(-1, BLOCK, BLOCK), (rows, cols)


def frame_mark(frame: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """A copy of `frame` (H x W x 3 uint8 RGB) carrying `bits`."""
    height, width = frame.shape[:2]
    size = work_size(width, height)
    blocks, (rows, cols) = _ll_blocks(_u_plane(frame, size))
    d = _dct4()
    coefficients = d @ blocks @ d.T
    u, s, vt = np.linalg.svd(coefficients)
    wanted = bits[np.arange(len(blocks)) % len(bits)]
    target = (np.floor(s[:, 0] / QUANT_STEP) + 0.25 + 0.5 * wanted) * QUANT_STEP
    change = (target - s[:, 0])[:, None, None] * (u[:, :, :1] @ vt[:, :1, :])
    ll_change = (d.T @ change @ d).reshape(rows, cols, BLOCK, BLOCK).swapaxes(1, 2).reshape(rows * BLOCK, cols * BLOCK)
    # Inverse Haar of an LL-only change: each coefficient spreads over its 2x2 pixels, halved.
    u_change = np.zeros((size[1], size[0]), dtype=np.float32)
    u_change[: rows * BLOCK * 2, : cols * BLOCK * 2] = np.repeat(np.repeat(ll_change / 2, 2, axis=0), 2, axis=1)
    rgb_change = cv2.resize(u_change[..., None] * _U_TO_RGB, (width, height), interpolation=cv2.INTER_LINEAR)
    marked: np.ndarray = cv2.add(frame, rgb_change, dtype=cv2.CV_8U)  # saturating, rounded
    return marked


def frame_scores(frame: np.ndarray) -> np.ndarray:
    """Soft scores per payload bit for one frame: near +1 / -1 where marked, near 0 where not."""
    height, width = frame.shape[:2]
    blocks, _ = _ll_blocks(_u_plane(frame, work_size(width, height)))
    d = _dct4()
    s0 = np.linalg.svd(d @ blocks @ d.T, compute_uv=False)[:, 0]
    # Bit 0 sits a quarter into the quantisation cell, bit 1 three quarters in.
    soft = -np.sin(2 * np.pi * (s0 / QUANT_STEP))
    sums = np.bincount(np.arange(len(blocks)) % PAYLOAD_BITS, weights=soft, minlength=PAYLOAD_BITS)
    counts = np.bincount(np.arange(len(blocks)) % PAYLOAD_BITS, minlength=PAYLOAD_BITS)
    scores: np.ndarray = sums / np.maximum(counts, 1)
    return scores


def frames_mark(frames: Sequence[np.ndarray], job_id: int, *, every: int = 1) -> list[np.ndarray]:
    bits = payload_bits(job_id)
    return [frame_mark(f, bits) if i % every == 0 else f for i, f in enumerate(frames)]


class MarkReader:
    """Reads the job id from frames fed one at a time (nothing kept but the running scores): soft
    scores add up, weighted by each frame's confidence, so unmarked frames count for little."""

    def __init__(self) -> None:
        self.total = np.zeros(PAYLOAD_BITS)

    def add(self, frame: np.ndarray) -> None:
        scores = frame_scores(frame)
        self.total += scores * np.abs(scores).mean()

    def job_id(self) -> int | None:
        return payload_decode(self.total)


def frames_decode(frames: Iterable[np.ndarray]) -> int | None:
    """The job id carried by a run of frames, or None."""
    reader = MarkReader()
    for frame in frames:
        reader.add(frame)
    return reader.job_id()
