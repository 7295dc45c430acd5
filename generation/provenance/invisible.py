"""The invisible watermark: a job id in a faint tiled pattern in the luma, read back after crops,
reframing, scaling, rotation, mirroring, re-encoding and screen capture.

Embedding: a 32 x 32 tile of +-1 chips is repeated over the frame, each chip `min(w, h) / 128` pixels
wide and smoothly interpolated, and added to every frame at a few grey levels (the same pattern in every
frame, so it does not flicker and a reader can average frames). A quarter of the chips are a fixed
synchronisation pattern; the rest carry the payload (the 32-bit job id and a CRC-16 seeded with the
layout's magic byte), convolutionally coded at rate 1/3, each coded bit spread over four or five chips
with pseudo-random signs.

Reading survives geometry because the tiling is periodic: the frames' high-pass residual is averaged
(the pattern adds up, moving content does not) and whitened (divided by its local spread, so busy
texture, which a low-bitrate encoder quantises the mark out of anyway, weighs little against flat
areas, where the encoder keeps it), and its autocorrelation has peaks on the tile lattice,
wherever the copy was cropped and whatever its scale, rotation or mirroring. The two shortest lattice
vectors give the geometry; the residual is resampled onto the tile grid and folded into one tile; the
tile's offset and orientation (the lattice's eight symmetries) are found by correlating with the
synchronisation chips over every circular shift; the payload chips are then read as soft values and
decoded (Viterbi). When no single grid reads (a screen filmed at an angle bends the lattice), the grid
is found block by block and a homography fitted to the blocks folds the frame instead. A video
without our pattern has no synchronisation peak and no payload whose check holds, and reads as nothing.
"""

from __future__ import annotations

import binascii
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np
import scipy.fft

MAGIC = 0xB3  # this layout (tiled, version 3): it seeds the check, so it costs no chips
CHECK_BITS = 16  # a CRC-16 of (MAGIC, job id): a wrong or foreign payload passes 1 time in 65,536
ID_BITS = 32
CONSTRAINT = 7  # the convolutional code: constraint length 7, rate 1/3 (the 3GPP generators)
GENERATORS = (0o133, 0o171, 0o165)
MESSAGE_BITS = ID_BITS + CHECK_BITS
PAYLOAD_BITS = (MESSAGE_BITS + CONSTRAINT - 1) * len(GENERATORS)  # coded bits, tail included
TILE = 32  # chips per side of the repeated tile
CHIPS_PER_SHORT_SIDE = 128  # chip size: the frame's short side over this
STRENGTH = 3.2  # grey levels of luma per chip at its centre (PSNR about 42 dB)
RESIDUAL_SIGMA = 3.0  # analysis pixels: the reader's high-pass, for chips about 4.5 analysis pixels wide
WHITEN_SIGMA = 5.0  # analysis pixels: the neighbourhood whose residual spread whitens a pixel
WHITEN_FLOOR = 0.3  # grey levels: the least spread divided by, so flat areas do not blow up
SAMPLES = 4  # the reader resamples each chip at SAMPLES x SAMPLES points
ANALYSIS_PIXELS = 600_000  # a read frame is scaled down to about this many pixels
AXIS_NOTCH = 3
LATTICE_TRIES = 4  # tile geometries folded and tried for synchronisation
MIN_PERIOD = 32  # analysis pixels: the shortest tile period looked for
SYNC_MIN_Z = 6.0  # the synchronisation peak's height in standard deviations of all other shifts
PERSPECTIVE_SEEDS = 3  # the best tile grids a perspective fit starts from, when none reads as it is
PERSPECTIVE_MIN_PERIOD = 64  # analysis pixels: finer tiles (chips under 2 pixels) are not worth a perspective fit
PERSPECTIVE_SMEAR = 2.0  # analysis pixels: the blur of the autocorrelation those grids are fitted to
PERSPECTIVE_ROUNDS = 4  # fits of the homography, each from the grid the last one gave
PERSPECTIVE_MAX_SAMPLES = 16  # grid samples per analysis pixel: a fitted grid past this is degenerate
REGION_TILES = 2  # blocks of this many tiles a side find the grid's local shift
# A block's synchronisation peak counts from here (noise peaks about 4 over 16,384 shifts; RANSAC
# drops the noise blocks let in, and 4.0 rather than 4.5 lets in enough true ones on a screen capture
# of a photo: 24 of 30 strong captures traced, not 23).
REGION_MIN_Z = 4.0
COVER_STEP = 8  # grid samples between the points where a block's coverage of the frame is measured
REGION_TOLERANCE = 3.0  # analysis pixels: RANSAC's tolerance for a block's point
_SEED = 0x50A2
# The name of this algorithm in C2PA soft-binding assertions: reverse-DNS plus version, the form the C2PA
# soft-binding algorithm list uses (this one is not on that list, which is for registered algorithms).
SOFT_BINDING_ALG = "org.openreel.watermark.tiled-luma.3"


@dataclass(frozen=True)
class _Layout:
    sync: np.ndarray  # TILE x TILE bool: the synchronisation chips
    sync_signs: np.ndarray  # TILE x TILE +-1
    chip_bit: np.ndarray  # TILE x TILE int: the payload bit a data chip carries (-1 for sync chips)
    chip_signs: np.ndarray  # TILE x TILE +-1: the spreading signs of data chips


@cache
def _layout() -> _Layout:
    rng = np.random.default_rng(_SEED)
    order = rng.permutation(TILE * TILE)
    sync = np.zeros(TILE * TILE, bool)
    sync[order[: TILE * TILE // 4]] = True
    chip_bit = np.full(TILE * TILE, -1)
    data = order[TILE * TILE // 4 :]
    chip_bit[data] = np.arange(len(data)) % PAYLOAD_BITS
    signs = rng.choice([-1.0, 1.0], size=(2, TILE, TILE))
    return _Layout(sync.reshape(TILE, TILE), signs[0], chip_bit.reshape(TILE, TILE), signs[1])


def _message(job_id: int) -> np.ndarray:
    """The job id's 32 bits and its check, as 0/1."""
    body = int(job_id).to_bytes(4, "big")
    check = binascii.crc_hqx(bytes([MAGIC]) + body, 0xFFFF).to_bytes(2, "big")
    return np.unpackbits(np.frombuffer(body + check, dtype=np.uint8))


@cache
def _code_outputs() -> np.ndarray:
    """For each encoder register (the new bit on top of the CONSTRAINT - 1 before it): its coded bits."""
    outputs = [[(register & taps).bit_count() % 2 for taps in GENERATORS] for register in range(1 << CONSTRAINT)]
    return np.array(outputs, dtype=np.float64)


def payload_bits(job_id: int) -> np.ndarray:
    """The coded bits for a job id (0 <= job_id < 2**32): its message, convolutionally coded, the
    encoder flushed back to the zero state."""
    outputs = _code_outputs()
    state, coded = 0, []
    for bit in [*_message(job_id), *[0] * (CONSTRAINT - 1)]:
        register = (int(bit) << (CONSTRAINT - 1)) | state
        coded.append(outputs[register])
        state = register >> 1
    return np.concatenate(coded).astype(np.uint8)


def payload_decode(soft_bits: np.ndarray) -> int | None:
    """The job id from soft bit scores (positive = 1), or None when they are not one of our payloads:
    soft-decision Viterbi decoding, then the check."""
    states = 1 << (CONSTRAINT - 1)
    signs = _code_outputs() * 2 - 1  # register x output
    branch = soft_bits.reshape(-1, len(GENERATORS)) @ signs.T  # step x register
    metric = np.full(states, -np.inf)
    metric[0] = 0.0
    nexts = np.arange(states)
    from_low, from_high = 2 * nexts, 2 * nexts + 1  # the two registers that lead to each next state
    choices = []
    for step in branch:
        low = metric[from_low % states] + step[from_low]
        high = metric[from_high % states] + step[from_high]
        choices.append(high > low)
        metric = np.maximum(low, high)
    state, bits = 0, []
    for chose_high in reversed(choices):
        bits.append(state >> (CONSTRAINT - 2))
        register = 2 * state + int(chose_high[state])
        state = register % states
    message = np.array(bits[::-1][:MESSAGE_BITS], dtype=np.uint8)
    job_id = int.from_bytes(np.packbits(message[:ID_BITS]).tobytes(), "big")
    return job_id if np.array_equal(_message(job_id), message) else None


def soft_binding_value(job_id: int) -> str:
    """What the mark carries, as the hex a C2PA soft-binding assertion records (magic byte + job id)."""
    return (bytes([MAGIC]) + int(job_id).to_bytes(4, "big")).hex()


def tile_chips(job_id: int) -> np.ndarray:
    """The TILE x TILE chip values (+-1) carrying `job_id`."""
    layout = _layout()
    bits = payload_bits(job_id).astype(np.float64) * 2 - 1
    data = layout.chip_signs * bits[np.maximum(layout.chip_bit, 0)]
    chips: np.ndarray = np.where(layout.sync, layout.sync_signs, data)
    return chips


def pattern(job_id: int, width: int, height: int) -> np.ndarray:
    """The chips for a width x height frame, +-1 at their centres (float32)."""
    chip = min(width, height) / CHIPS_PER_SHORT_SIDE
    cols, rows = int(np.ceil(width / chip)) + 1, int(np.ceil(height / chip)) + 1
    grid = np.tile(tile_chips(job_id), (rows // TILE + 1, cols // TILE + 1))[:rows, :cols].astype(np.float32)
    # Chip (i, j) is centred at pixel ((j + 0.5) * chip, (i + 0.5) * chip); linear in between.
    xs = (np.arange(width, dtype=np.float32) + 0.5) / chip - 0.5
    ys = (np.arange(height, dtype=np.float32) + 0.5) / chip - 0.5
    map_x, map_y = np.meshgrid(xs, ys)
    change: np.ndarray = cv2.remap(grid, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT) * STRENGTH
    return change


def frames_mark(frames: Sequence[np.ndarray], job_id: int) -> list[np.ndarray]:
    """Copies of `frames` (H x W x 3 uint8 RGB) carrying `job_id`: the same luma pattern in each."""
    if not frames:
        return []
    height, width = frames[0].shape[:2]
    change = np.repeat(pattern(job_id, width, height)[..., None], 3, axis=2)
    return [cv2.add(frame, change, dtype=cv2.CV_8U) for frame in frames]  # saturating, rounded


def _residual(luma: np.ndarray) -> np.ndarray:
    """High-pass luma with edges clipped, so texture and edges weigh little against the pattern."""
    luma = luma.astype(np.float32)
    detail = luma - cv2.GaussianBlur(luma, (0, 0), RESIDUAL_SIGMA)
    clipped: np.ndarray = np.clip(detail, -6.0, 6.0)
    return clipped


@dataclass(frozen=True)
class MarkReading:
    job_id: int | None
    soft_bits: np.ndarray | None  # per coded bit, > 0 reads as 1; None where no geometry was found
    sync_z: float  # the synchronisation peak, in standard deviations


class MarkReader:
    """Reads the job id from luma frames fed one at a time: only the running sums of their residuals and
    of their squares are kept, at a fixed analysis size chosen from the first frame."""

    def __init__(self) -> None:
        self.total: np.ndarray | None = None
        self.power = np.zeros(0, np.float32)  # the sum of squared residuals, for whitening
        self.count = 0
        self.size: tuple[int, int] = (0, 0)

    def add(self, luma: np.ndarray) -> None:
        """One frame's luma (H x W uint8)."""
        if self.total is None:
            height, width = luma.shape
            factor = min(1.0, float(np.sqrt(ANALYSIS_PIXELS / (width * height))))
            self.size = (max(16, round(width * factor)), max(16, round(height * factor)))
            self.total = np.zeros((self.size[1], self.size[0]), np.float32)
            self.power = np.zeros((self.size[1], self.size[0]), np.float32)
        small = cv2.resize(luma, self.size, interpolation=cv2.INTER_AREA) if luma.shape[::-1] != self.size else luma
        residual = _residual(small)
        self.total += residual
        cv2.accumulateSquare(residual, self.power)
        self.count += 1

    def reading(self) -> MarkReading:
        if self.total is None:
            return MarkReading(None, None, 0.0)
        residual = self.total / self.count
        spread = np.sqrt(cv2.GaussianBlur(self.power / self.count, (0, 0), WHITEN_SIGMA) + WHITEN_FLOOR**2)
        residual = residual / spread
        auto = _autocorrelation(residual)
        best = MarkReading(None, None, 0.0)
        for basis in _lattice_candidates(auto):
            found = _read_with_basis(residual, basis)
            if found.sync_z > best.sync_z:
                best = found
        if best.job_id is None:
            # No tile grid of one scale and angle holds over the whole frame: perhaps a perspective
            # (a screen filmed at an angle), under which the tile's period changes across the frame and
            # its autocorrelation peaks spread out. Grids that fit the spread-out peaks (a blurred
            # autocorrelation) seed a homography fitted region by region.
            smeared = cv2.GaussianBlur(auto, (0, 0), PERSPECTIVE_SMEAR)
            seeds = _lattice_candidates(smeared, with_finer=False, min_period=PERSPECTIVE_MIN_PERIOD, step=1.0)
            for basis in seeds[:PERSPECTIVE_SEEDS]:
                through = _read_with_perspective(residual, basis)
                if through is not None:
                    return through
        return best

    def job_id(self) -> int | None:
        return self.reading().job_id


def frames_decode(frames: Iterable[np.ndarray]) -> int | None:
    """The job id carried by a run of RGB frames, or None."""
    reader = MarkReader()
    for frame in frames:
        reader.add(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY))
    return reader.job_id()


def _autocorrelation(residual: np.ndarray) -> np.ndarray:
    """The residual's autocorrelation (from the magnitude spectrum, which favours the pattern's sharp
    spectral lines over content), per overlapping pixel, with its slow trend removed; centred."""
    height, width = residual.shape
    shape = (2 * height, 2 * width)
    spectrum = scipy.fft.rfft2(residual - residual.mean(), s=shape)  # single precision from float32
    magnitude = np.abs(spectrum)
    # Structure constant along a row or column (bands, bars, gradients) makes ridges along the axes of
    # the autocorrelation; it lives next to the axes of the spectrum.
    magnitude[:AXIS_NOTCH] = magnitude[-AXIS_NOTCH:] = 0
    magnitude[:, :AXIS_NOTCH] = 0
    auto = np.fft.fftshift(scipy.fft.irfft2(magnitude, s=shape)).astype(np.float32)
    overlap_rows = height - np.abs(np.arange(-height, height, dtype=np.float32))
    overlap_cols = width - np.abs(np.arange(-width, width, dtype=np.float32))
    auto /= np.maximum(np.outer(overlap_rows, overlap_cols), 1)
    auto -= cv2.GaussianBlur(auto, (0, 0), 4.0)
    smoothed: np.ndarray = cv2.GaussianBlur(auto, (0, 0), 1.0)
    return smoothed


# Lattice points (k1, k2) scored for a candidate tile geometry: every one within reach of the lags.
_LATTICE_POINTS = np.array([(1, 0), (0, 1), (1, 1), (1, -1), (2, 0), (0, 2), (2, 1), (1, 2), (2, -1), (1, -2)])


def _lattice_scores(auto: np.ndarray, periods: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """Mean autocorrelation at the lattice points of a square tile grid of each period and angle."""
    height, width = auto.shape[0] // 2, auto.shape[1] // 2
    limit = 0.6 * min(height, width)
    p, a = np.meshgrid(periods, angles, indexing="ij")
    k1, k2 = _LATTICE_POINTS[:, 0], _LATTICE_POINTS[:, 1]
    cos, sin = (np.cos(a) * p)[..., None], (np.sin(a) * p)[..., None]
    dx, dy = k1 * cos - k2 * sin, k1 * sin + k2 * cos
    valid = (np.hypot(dx, dy) <= limit).astype(np.float32)
    values = _bilinear(auto, dx + width, dy + height)
    scores: np.ndarray = (values * valid).sum(axis=-1) / np.maximum(valid.sum(axis=-1), 1)
    return np.where(valid.sum(axis=-1) >= 4, scores, -np.inf)


def _bilinear(image: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """`image` at fractional points (any shape), by cv2.remap laid out in rows it accepts."""
    count, row = x.size, 4096
    padded = -(-count // row) * row
    map_x = np.zeros(padded, np.float32)
    map_y = np.zeros(padded, np.float32)
    map_x[:count], map_y[:count] = x.ravel(), y.ravel()
    values = cv2.remap(image, map_x.reshape(-1, row), map_y.reshape(-1, row), cv2.INTER_LINEAR)
    result: np.ndarray = values.ravel()[:count].reshape(x.shape)
    return result


def _lattice_candidates(
    auto: np.ndarray, with_finer: bool = True, min_period: float = MIN_PERIOD, step: float = 0.5
) -> list[np.ndarray]:
    """Bases (2 x 2, columns are tile vectors in analysis pixels) of the square tile grids the
    residual's autocorrelation fits best, best first: a coarse search over period and angle (a
    square grid looks the same every 90 degrees), then a fine one around each of the best. Every
    other point of the tile grid, or its diagonals, make grids that score about as well as the tile's
    own (their points are all on it), so the finer grids inside each candidate are tried too; the
    synchronisation peak decides."""
    limit = 0.6 * min(auto.shape) / 2
    periods = np.arange(min_period, limit / np.sqrt(2), step)
    angles = np.deg2rad(np.arange(-45, 45, step))
    if len(periods) == 0:
        return []
    coarse = _lattice_scores(auto, periods, angles)
    bases: list[tuple[float, float]] = []  # (period, angle)
    for flat in np.argsort(coarse, axis=None)[::-1]:
        i, j = np.unravel_index(int(flat), coarse.shape)
        if not any(_same_grid((periods[i], angles[j]), known) for known in bases):
            bases.append(_refined(auto, periods[i], angles[j]))
        if len(bases) == LATTICE_TRIES:
            break
    for period, angle in list(bases) if with_finer else []:
        for finer in ((period / np.sqrt(2), angle + np.pi / 4), (period / 2, angle)):
            if finer[0] >= MIN_PERIOD and not any(_same_grid(finer, known) for known in bases):
                bases.append(_refined(auto, *finer))
    return [p * np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) for p, a in bases]


def _same_grid(one: tuple[float, float], other: tuple[float, float]) -> bool:
    """Whether two (period, angle) square grids are within 2 pixels and 2 degrees (modulo 90 degrees)."""
    turn = (one[1] - other[1] + np.pi / 4) % (np.pi / 2) - np.pi / 4
    return abs(one[0] - other[0]) < 2 and abs(turn) < np.deg2rad(2)


def _refined(auto: np.ndarray, period: float, angle: float) -> tuple[float, float]:
    """The best-scoring grid within half a pixel and half a degree of (period, angle)."""
    angle = (angle + np.pi / 4) % (np.pi / 2) - np.pi / 4
    fine_periods = period + np.arange(-0.5, 0.51, 0.05)
    fine_angles = angle + np.deg2rad(np.arange(-0.5, 0.51, 0.05))
    fine = _lattice_scores(auto, fine_periods, fine_angles)
    fi, fj = np.unravel_index(int(np.argmax(fine)), fine.shape)
    return float(fine_periods[fi]), float(fine_angles[fj])


@cache
def _sync_template() -> np.ndarray:
    """The synchronisation chips as the reader sees them at SAMPLES per chip, zero on data chips."""
    layout = _layout()
    chips = np.where(layout.sync, layout.sync_signs, 0.0).astype(np.float32)
    template: np.ndarray = np.kron(chips, np.ones((SAMPLES, SAMPLES), np.float32))
    return template


def _fold(residual: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """The residual resampled onto the tile grid (SAMPLES per chip) and summed into one tile (up to a
    circular shift, which the synchronisation search finds anyway). Sums, not means: a cell the
    copy's edges cut holds fewer samples and weighs less, as it should."""
    height, width = residual.shape
    period = TILE * SAMPLES
    to_pixels = basis / period  # grid step -> analysis pixels
    corners = np.linalg.inv(to_pixels) @ np.array([[0, width, 0, width], [0, 0, height, height]], dtype=np.float64)
    low = np.floor(corners.min(axis=1))
    tiles = np.ceil((corners.max(axis=1) - low + 1) / period).astype(int)
    # Grid point (column i, row j) samples the residual at to_pixels @ (low + (i, j)); zero outside it.
    grid_to_pixels = np.hstack([to_pixels, (to_pixels @ low)[:, None]])
    size = (int(tiles[0] * period), int(tiles[1] * period))
    sampled = cv2.warpAffine(residual, grid_to_pixels, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    folded: np.ndarray = sampled.reshape(tiles[1], period, tiles[0], period).sum(axis=(0, 2))
    return folded


def _orientations(tile: np.ndarray) -> list[np.ndarray]:
    """The tile under the lattice's eight symmetries (rotations by 90 degrees, with and without a flip)."""
    turns = [np.rot90(tile, k) for k in range(4)]
    return turns + [t.T for t in turns]


def _read_with_basis(residual: np.ndarray, basis: np.ndarray) -> MarkReading:
    return _read_folded(_fold(residual, basis))


def _read_folded(folded: np.ndarray) -> MarkReading:
    oriented = np.stack(_orientations(folded - folded.mean()))
    template = scipy.fft.rfft2(_sync_template())
    stack = scipy.fft.irfft2(scipy.fft.rfft2(oriented) * np.conj(template), s=folded.shape)
    best = np.unravel_index(int(np.argmax(stack)), stack.shape)
    z = float((stack[best] - stack.mean()) / (stack.std() + 1e-12))
    which, dy, dx = (int(v) for v in best)
    aligned = np.roll(oriented[which], (-dy, -dx), axis=(0, 1))
    # Each chip: the mean of its SAMPLES x SAMPLES samples.
    chips = aligned.reshape(TILE, SAMPLES, TILE, SAMPLES).mean(axis=(1, 3))
    layout = _layout()
    data = layout.chip_bit >= 0
    soft = np.bincount(layout.chip_bit[data], weights=(chips * layout.chip_signs)[data], minlength=PAYLOAD_BITS).astype(
        np.float64
    )
    job_id = payload_decode(soft) if z >= SYNC_MIN_Z else None
    return MarkReading(job_id, soft, z)


def _orientation_matrices() -> list[np.ndarray]:
    """For each of `_orientations`, the 2 x 2 map from the oriented tile's (x, y) to the folded one's,
    up to a shift: a basis times it folds the tile already in that orientation."""
    turn, flip = np.array([[0.0, -1.0], [1.0, 0.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    turns = [np.linalg.matrix_power(turn, k) for k in range(4)]
    return turns + [t @ flip for t in turns]


def _grid_map(to_pixels: np.ndarray, width: int, height: int) -> tuple[np.ndarray, tuple[int, int]]:
    """For a 3 x 3 map from tile-grid samples to analysis pixels: the same map with the grid's origin
    moved to a whole tile below every frame corner, and the (width, height) in samples, whole tiles,
    that covers the frame."""
    period = TILE * SAMPLES
    corners = cv2.perspectiveTransform(
        np.array([[[0, 0], [width, 0], [0, height], [width, height]]], np.float64), np.linalg.inv(to_pixels)
    )[0]
    low = np.floor(corners.min(axis=0) / period) * period
    tiles = np.ceil((corners.max(axis=0) - low + 1) / period).astype(int)
    shifted = to_pixels @ np.array([[1, 0, low[0]], [0, 1, low[1]], [0, 0, 1]])
    return shifted, (int(tiles[0] * period), int(tiles[1] * period))


def _read_with_perspective(residual: np.ndarray, basis: np.ndarray) -> MarkReading | None:
    """Read through a homography: the residual is sampled on the current grid, the synchronisation
    chips are found in blocks of REGION_TILES x REGION_TILES tiles, each block's shift says where the
    tile grid really is around it, and a homography is fitted (RANSAC) to those points. Blocks far
    from where the grid fits are smeared at first; each round's fit brings more of them in. The
    reading once a fold through the fitted grid decodes; None if none does."""
    height, width = residual.shape
    period = TILE * SAMPLES
    folded = _fold(residual, basis)
    oriented = np.stack(_orientations(folded - folded.mean()))
    template = scipy.fft.rfft2(_sync_template())
    stack = scipy.fft.irfft2(scipy.fft.rfft2(oriented) * np.conj(template), s=folded.shape)
    which = int(np.unravel_index(int(np.argmax(stack)), stack.shape)[0])
    linear = basis @ _orientation_matrices()[which] / period
    to_pixels = np.array([[*linear[0], 0.0], [*linear[1], 0.0], [0.0, 0.0, 1.0]])
    ones = np.ones_like(residual)
    for _ in range(PERSPECTIVE_ROUNDS):
        grid, size = _grid_map(to_pixels, width, height)
        if size[0] * size[1] > PERSPECTIVE_MAX_SAMPLES * width * height:
            # A fit to blocks nearly in a line: its grid would take gigabytes, and it reads nothing.
            break
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        sampled = cv2.warpPerspective(residual, grid, size, flags=flags)
        # Coverage is smooth: sampled every COVER_STEP grid samples, at their centres.
        coarse = np.array([[COVER_STEP, 0, (COVER_STEP - 1) / 2], [0, COVER_STEP, (COVER_STEP - 1) / 2], [0, 0, 1]])
        cover = cv2.warpPerspective(ones, grid @ coarse, (size[0] // COVER_STEP, size[1] // COVER_STEP), flags=flags)
        rows, cols = size[1] // period, size[0] // period
        tiles = sampled.reshape(rows, period, cols, period).transpose(0, 2, 1, 3)
        whole = tiles.sum(axis=(0, 1))
        found = _read_folded(whole)
        if found.job_id is not None:
            return found
        # The grid's shift over the whole frame: blocks' shifts are unwrapped around it.
        spectrum = scipy.fft.rfft2(whole - whole.mean()) * np.conj(template)
        overall = np.unravel_index(int(np.argmax(scipy.fft.irfft2(spectrum, s=whole.shape))), whole.shape)
        # Per tile: its coverage of the frame and that coverage's first moments, to place each block.
        step = period // COVER_STEP
        cover_tiles = cover.reshape(rows, step, cols, step)
        mass = cover_tiles.sum(axis=(1, 3))
        along = np.arange(step, dtype=np.float32) * COVER_STEP + (COVER_STEP - 1) / 2
        moment_x = (cover_tiles.sum(axis=1) @ along).reshape(rows, cols)
        moment_y = (cover_tiles.sum(axis=3).transpose(0, 2, 1) @ along).reshape(rows, cols)
        tile_rows, tile_cols = np.mgrid[0:rows, 0:cols]
        moment_x += mass * tile_cols * period
        moment_y += mass * tile_rows * period
        span = (rows - REGION_TILES + 1, cols - REGION_TILES + 1)
        if min(span) < 1:  # a fit that shrank the frame to under a block
            break
        summed = np.zeros((*span, period, period), np.float32)
        block_mass, block_x, block_y = np.zeros(span), np.zeros(span), np.zeros(span)
        for dy in range(REGION_TILES):
            for dx in range(REGION_TILES):
                part = (slice(dy, dy + span[0]), slice(dx, dx + span[1]))
                summed += tiles[part]
                block_mass += mass[part]
                block_x += moment_x[part]
                block_y += moment_y[part]
        blocks = summed.reshape(-1, period, period)
        mass, centre_x, centre_y = (v.ravel() for v in (block_mass + 1e-9, block_x, block_y))
        centre_x, centre_y = centre_x / mass, centre_y / mass
        correlation = scipy.fft.irfft2(
            scipy.fft.rfft2(blocks - blocks.mean(axis=(1, 2), keepdims=True)) * np.conj(template), s=(period, period)
        )
        flat = correlation.reshape(len(blocks), -1)
        peaks = flat.argmax(axis=1)
        z = (flat.max(axis=1) - flat.mean(axis=1)) / (flat.std(axis=1) + 1e-12)
        shift = np.stack([peaks % period, peaks // period], axis=1).astype(np.float64)  # (x, y) samples
        wrapped = (shift - [overall[1], overall[0]] + period / 2) % period - period / 2
        keep = (z >= REGION_MIN_Z) & (mass >= 0.5 * (REGION_TILES * step) ** 2)
        if keep.sum() < 4:
            break
        centres = np.stack([centre_x, centre_y], axis=1)[keep]
        truth = centres - [overall[1], overall[0]] - wrapped[keep]
        pixels = cv2.perspectiveTransform(centres[None].astype(np.float64), grid)[0]
        fitted, _ = cv2.findHomography(truth, pixels, cv2.RANSAC, REGION_TOLERANCE)
        if fitted is None:
            break
        to_pixels = fitted
    return None
