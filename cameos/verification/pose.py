"""Head pose from 68 landmarks (cv2.solvePnP, SQPNP) and the liveness check on the yaw trajectory.

Sign convention: yaw > 0 when the person turns to THEIR OWN LEFT (in an unmirrored recording, as
MediaRecorder writes it, the nose then moves towards the right edge of the picture). Absolute angles
carry a bias from the generic 3D model, so everything is judged relative to the frontal baseline
(the median yaw over the clip: the person faces the camera most of the time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

MOVES = ("left", "right")

# A generic head (millimetre-ish units, x to the person's left as seen by the camera = image right,
# y up, z towards the camera), for landmarks: nose tip, chin, outer eye corners, mouth corners,
# nose bridge top, nostrils' base.
_LANDMARK_IDS = [30, 8, 36, 45, 48, 54, 27, 33]
_MODEL_POINTS = np.array(
    [
        (0.0, 0.0, 0.0),  # 30 nose tip
        (0.0, -330.0, -65.0),  # 8 chin
        (-225.0, 170.0, -135.0),  # 36 outer corner of the eye on the image left
        (225.0, 170.0, -135.0),  # 45 outer corner of the eye on the image right
        (-150.0, -150.0, -125.0),  # 48 mouth corner, image left
        (150.0, -150.0, -125.0),  # 54 mouth corner, image right
        (0.0, 170.0, -110.0),  # 27 top of the nose bridge
        (0.0, -75.0, -60.0),  # 33 base of the nose
    ],
    dtype=np.float64,
)


def head_pose(landmarks: np.ndarray, image_size: tuple[int, int]) -> tuple[float, float, float] | None:
    """(yaw, pitch, roll) in degrees for one face, or None when PnP fails.

    `image_size` is (width, height) of the image the landmarks were found in.
    """
    w, h = image_size
    focal = float(max(w, h))
    camera = np.array([[focal, 0, w / 2], [0, focal, h / 2], [0, 0, 1]], dtype=np.float64)
    # Image y grows downwards; flip the model's y so the axes agree (x right, y down, z away).
    model = _MODEL_POINTS * np.array([1.0, -1.0, -1.0])
    pts = landmarks[_LANDMARK_IDS].astype(np.float64)
    ok, rvec, _ = cv2.solvePnP(model, pts, camera, None, flags=cv2.SOLVEPNP_SQPNP)
    if not ok:
        return None
    rot, _ = cv2.Rodrigues(rvec)
    # Euler angles for R = Ry(yaw) @ Rx(pitch) @ Rz(roll) style decomposition.
    yaw = np.degrees(np.arcsin(np.clip(-rot[2, 0], -1.0, 1.0)))
    pitch = np.degrees(np.arctan2(rot[2, 1], rot[2, 2]))
    roll = np.degrees(np.arctan2(rot[1, 0], rot[0, 0]))
    # rot[2,0] < 0 when the face's x axis points away from the camera on the image right, i.e.
    # when the nose swings to the image right: the person turned to their own left.
    return float(-yaw), float(pitch), float(roll)


@dataclass
class LivenessResult:
    baseline_yaw: float
    yaw_min: float  # relative to the baseline
    yaw_max: float
    yaw_range: float  # robust (5th-95th percentile) spread of the relative yaw
    still: bool  # no real head motion: a photo or a frozen picture
    reached: dict[str, float | None] = field(default_factory=dict)  # move -> first time reached (s)
    peaks: dict[str, float] = field(default_factory=dict)  # move -> furthest swing in that direction
    missing: list[str] = field(default_factory=list)  # moves never made far enough
    order_ok: bool = True
    relative_yaw: list[float] = field(default_factory=list)


def _smooth(values: np.ndarray) -> np.ndarray:
    """Median of 3 neighbours: removes single-frame landmark glitches without blunting a real turn."""
    if len(values) < 3:
        return values
    padded = np.concatenate([values[:1], values, values[-1:]])
    smoothed: np.ndarray = np.median(np.stack([padded[:-2], padded[1:-1], padded[2:]]), axis=0)
    return smoothed


def analyse_yaw(
    times: Sequence[float],
    yaws: Sequence[float],
    moves: Sequence[str],
    *,
    min_swing_deg: float = 15.0,
    still_range_deg: float = 6.0,
) -> LivenessResult:
    """Judge a yaw trajectory against the challenge's moves.

    A move counts when the relative yaw first goes `min_swing_deg` past the baseline in its direction;
    the moves must be reached in the challenge's order (each after the previous one was reached).
    """
    t = np.asarray(times, dtype=np.float64)
    y = _smooth(np.asarray(yaws, dtype=np.float64))
    if len(y) == 0:
        return LivenessResult(0.0, 0.0, 0.0, 0.0, True, {m: None for m in moves}, {}, list(moves), True, [])
    baseline = float(np.median(y))
    rel = y - baseline
    lo, hi = np.percentile(rel, [5, 95]) if len(rel) >= 5 else (rel.min(), rel.max())
    spread = float(hi - lo)
    result = LivenessResult(
        baseline_yaw=baseline,
        yaw_min=float(rel.min()),
        yaw_max=float(rel.max()),
        yaw_range=spread,
        still=spread < still_range_deg and float(rel.max() - rel.min()) < min_swing_deg,
        relative_yaw=[float(v) for v in rel],
    )
    sign = {"left": 1.0, "right": -1.0}
    result.peaks = {m: float(max(0.0, (sign[m] * rel).max())) for m in moves}
    first = {}
    for m in moves:
        hits = np.nonzero(sign[m] * rel >= min_swing_deg)[0]
        first[m] = float(t[hits[0]]) if len(hits) else None
    result.reached = first
    result.missing = [m for m in moves if first[m] is None]
    # Order: walk the moves, each must be reached after the previous move's first reach.
    after = -np.inf
    for m in moves:
        hits = np.nonzero((sign[m] * rel >= min_swing_deg) & (t > after))[0]
        if len(hits) == 0:
            if first[m] is not None:
                result.order_ok = False
            break
        after = float(t[hits[0]])
    return result
