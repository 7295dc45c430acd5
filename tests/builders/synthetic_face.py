"""Synthetic cameo recordings for tests and benchmarks (no binaries in the repository).

A "live" clip is the astronaut photo (skimage.data.astronaut(), a real face) whose head is turned
with a landmark-driven piecewise-affine warp: each of the 68 landmarks (plus forehead points) gets a
depth from a generic head shape (a rounded cylinder with the nose sticking out), is rotated about the
vertical axis and re-projected; the image is warped so the landmarks land there. The nose and inner
face move sideways relative to the jaw outline, which is what a head turn looks like to a landmark +
PnP pose estimator. The audio is espeak-ng reading the digits. Clips are written as WebM VP9 + Opus,
like a browser's MediaRecorder.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import cache
from pathlib import Path

import av
import cv2
import numpy as np
from PIL.Image import Image as PILImage
from scipy.spatial import Delaunay

from cameos.verification import faces

AUDIO_RATE = 48_000  # Opus only takes 48 kHz (and a few others)

# Default yaw keyframes (seconds, degrees; + = the person's own left): frontal, left, frontal,
# right, frontal. Turns take ~0.8 s and hold ~0.7 s, like a person following prompts.
LEFT_THEN_RIGHT = (
    (0.0, 0.0),
    (1.5, 0.0),
    (2.3, 25.0),
    (3.0, 25.0),
    (3.8, 0.0),
    (4.6, 0.0),
    (5.4, -25.0),
    (6.1, -25.0),
    (6.9, 0.0),
    (99.0, 0.0),
)
RIGHT_THEN_LEFT = tuple((t, -y) for t, y in LEFT_THEN_RIGHT)
STILL = ((0.0, 0.0), (99.0, 0.0))


# ---------------------------------------------------------------------------------------------
# Pictures
# ---------------------------------------------------------------------------------------------


def astronaut_frame(width: int, height: int) -> np.ndarray:
    """The astronaut's head and shoulders cropped to the frame's aspect, face ~30% of the width."""
    from skimage import data

    img = data.astronaut()
    # Face box in the 512x512 original is about (179, 83)-(266, 170); centre it a bit high.
    cw = 300
    ch = round(cw * height / width)
    cx, cy = 222, 135
    x0 = int(np.clip(cx - cw // 2, 0, 512 - cw))
    y0 = int(np.clip(cy - ch * 0.45, 0, 512 - ch))
    crop = img[y0 : y0 + ch, x0 : x0 + cw]
    return cv2.resize(crop, (width, height), interpolation=cv2.INTER_CUBIC)


def group_frame(width: int, height: int, path: Path | str) -> np.ndarray:
    """Two people (the left woman and the man beside her) from the six-face group photo."""
    img = np.asarray(_open_rgb(path))
    x0, x1, y0 = 20, 640, 180  # in the 1280x886 original: faces at x 65-169 and 452-577
    y1 = y0 + round((x1 - x0) * height / width)
    return cv2.resize(img[y0:y1, x0:x1], (width, height), interpolation=cv2.INTER_AREA)


def landscape_frame(width: int, height: int) -> np.ndarray:
    """A picture with no person in it (a cup of coffee on a table)."""
    from skimage import data

    img = data.coffee()  # 400x600
    h, w = img.shape[:2]
    ch = round(w * height / width)
    y0 = max(0, (h - ch) // 2)
    return cv2.resize(img[y0 : y0 + ch], (width, height), interpolation=cv2.INTER_AREA)


def _open_rgb(path: Path | str) -> PILImage:
    from PIL import Image

    return Image.open(path).convert("RGB")


# ---------------------------------------------------------------------------------------------
# Head turning
# ---------------------------------------------------------------------------------------------


class HeadTurner:
    """Warps one frontal face picture to any yaw (degrees, + = the person's own left)."""

    def __init__(self, image: np.ndarray) -> None:
        self.image = image
        found = faces.detect_faces(image, min_score=0.0, upsample=1)
        if not found:
            raise ValueError("no face in the picture to turn")
        lm = found[0].landmarks.astype(np.float64)
        self.h, self.w = image.shape[:2]
        jaw_l, jaw_r = lm[0], lm[16]
        self.cx = (jaw_l[0] + jaw_r[0]) / 2
        self.radius = (jaw_r[0] - jaw_l[0]) / 2
        brow = lm[17:27]
        up = 0.55 * (lm[8, 1] - lm[27, 1])  # forehead height ~ half the nose-to-chin distance
        forehead = np.column_stack([brow[:, 0], brow[:, 1] - up])
        self.src = np.vstack([lm, forehead])
        self.depth = self._depths(self.src)
        # Fixed points: an ellipse well outside the head, and the picture's border.
        cy = (lm[8, 1] + forehead[:, 1].min()) / 2
        ry = (lm[8, 1] - forehead[:, 1].min()) / 2 * 1.6
        rx = self.radius * 1.9
        ang = np.linspace(0, 2 * np.pi, 24, endpoint=False)
        ring = np.column_stack([self.cx + rx * np.cos(ang), cy + ry * np.sin(ang)])
        bx = np.linspace(0, self.w - 1, 6)
        by = np.linspace(0, self.h - 1, 6)
        border = np.vstack(
            [
                np.column_stack([bx, np.zeros(6)]),
                np.column_stack([bx, np.full(6, self.h - 1)]),
                np.column_stack([np.zeros(6), by]),
                np.column_stack([np.full(6, self.w - 1), by]),
            ]
        )
        self.fixed = np.vstack([ring, border])
        self._cache: dict[float, np.ndarray] = {}

    def _depths(self, pts: np.ndarray) -> np.ndarray:
        """Depth towards the camera, in pixels, for each control point (rounded cylinder + nose)."""
        u = np.clip((pts[:, 0] - self.cx) / self.radius, -1.0, 1.0)
        z = self.radius * np.sqrt(1.0 - u**2) * 0.9
        nose_out = {27: 0.10, 28: 0.17, 29: 0.25, 30: 0.38, 31: 0.18, 32: 0.22, 33: 0.26, 34: 0.22, 35: 0.18}
        for i, k in nose_out.items():
            z[i] += k * self.radius
        for i in range(36, 48):  # eyes sit in their sockets
            z[i] -= 0.06 * self.radius
        return z

    def frame(self, yaw_deg: float) -> np.ndarray:
        key = round(yaw_deg * 2) / 2  # half-degree steps, cached
        if key not in self._cache:
            self._cache[key] = self._warp(key)
        return self._cache[key]

    def _warp(self, yaw_deg: float) -> np.ndarray:
        if abs(yaw_deg) < 1e-6:
            return self.image.copy()
        a = np.radians(yaw_deg)
        # Rotate about a vertical axis behind the face (the neck): + yaw swings the nose to image right.
        pivot = -0.35 * self.radius
        x = self.src[:, 0] - self.cx
        z = self.depth - pivot
        dst = self.src.copy()
        dst[:, 0] = self.cx + x * np.cos(a) + z * np.sin(a)
        # The pivot behind the face also slides the whole head sideways; keep half of that slide.
        dst[:, 0] -= (dst[:17, 0].mean() - self.src[:17, 0].mean()) * 0.5
        src_all = np.vstack([self.src, self.fixed])
        dst_all = np.vstack([dst, self.fixed])
        # Piecewise-affine map from output (turned) coordinates to input coordinates: triangulate the
        # output points, and carry each grid point's barycentric coordinates over to the input points.
        # Evaluated on a coarse grid (the map is piecewise linear, so a bilinear lookup is nearly exact).
        tri = Delaunay(dst_all)
        step = 4
        gx, gy = np.meshgrid(
            np.arange(0, self.w + step, step, dtype=np.float64), np.arange(0, self.h + step, step, dtype=np.float64)
        )
        grid = np.column_stack([gx.ravel(), gy.ravel()])
        simplex = tri.find_simplex(grid)
        inside = simplex >= 0
        mapped = grid.copy()
        t = tri.transform[simplex[inside]]
        bary2 = np.einsum("nij,nj->ni", t[:, :2], grid[inside] - t[:, 2])
        bary = np.column_stack([bary2, 1.0 - bary2.sum(axis=1)])
        corners = src_all[tri.simplices[simplex[inside]]]  # (n, 3, 2)
        mapped[inside] = np.einsum("ni,nij->nj", bary, corners)
        coarse_x = mapped[:, 0].reshape(gx.shape).astype(np.float32)
        coarse_y = mapped[:, 1].reshape(gx.shape).astype(np.float32)
        # Bilinear lookup of the coarse grid at every pixel (node k sits at pixel k * step).
        px, py = np.meshgrid(np.arange(self.w, dtype=np.float32) / step, np.arange(self.h, dtype=np.float32) / step)
        map_x = cv2.remap(coarse_x, px, py, cv2.INTER_LINEAR)
        map_y = cv2.remap(coarse_y, px, py, cv2.INTER_LINEAR)
        return cv2.remap(self.image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def yaw_at(keyframes: Sequence[tuple[float, float]], t: float) -> float:
    """Smooth (cosine-eased) interpolation between keyframes."""
    ts = [k[0] for k in keyframes]
    i = int(np.searchsorted(ts, t, side="right")) - 1
    if i < 0:
        return keyframes[0][1]
    if i >= len(keyframes) - 1:
        return keyframes[-1][1]
    (t0, y0), (t1, y1) = keyframes[i], keyframes[i + 1]
    s = (t - t0) / (t1 - t0)
    s = (1 - np.cos(np.pi * s)) / 2
    return float(y0 + (y1 - y0) * s)


# ---------------------------------------------------------------------------------------------
# Audio
# ---------------------------------------------------------------------------------------------


@cache
def _espeak_wav(text: str, voice: str, speed: int) -> bytes:
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if not exe:
        raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng)")
    return subprocess.run(
        [exe, "-v", voice, "-s", str(speed), "--stdout", text], check=True, capture_output=True, timeout=30
    ).stdout


def speech(text: str, *, voice: str = "en-us", speed: int = 150, rate: int = AUDIO_RATE) -> np.ndarray:
    """espeak-ng reading `text`, mono float32 at `rate` Hz."""
    import io

    import soundfile as sf
    from scipy.signal import resample_poly

    audio, sr = sf.read(io.BytesIO(_espeak_wav(text, voice, speed)), dtype="float32")
    if audio.ndim > 1:
        audio = audio.mean(axis=1)
    g = np.gcd(sr, rate)
    return resample_poly(audio, rate // g, sr // g).astype(np.float32)


def digits_text(digits: str) -> str:
    return "My code is, " + ", ".join(digits)


def soundtrack(
    duration_s: float,
    *,
    digits: str | None = "4719",
    start_s: float = 1.0,
    voice: str = "en-us",
    rate: int = AUDIO_RATE,
) -> np.ndarray:
    """`duration_s` of audio: quiet room noise, with the digits spoken from `start_s` (None: silence)."""
    rng = np.random.default_rng(7)
    track = (rng.standard_normal(round(duration_s * rate)) * 0.001).astype(np.float32)
    if digits:
        # Read the code twice (as the UI asks), so there are several seconds of speech.
        voice_audio = speech(digits_text(digits) + ". " + digits_text(digits), voice=voice, rate=rate)
        i0 = round(start_s * rate)
        n = min(len(voice_audio), len(track) - i0)
        track[i0 : i0 + n] += 0.6 * voice_audio[:n] / max(1e-6, np.abs(voice_audio).max())
    return np.clip(track, -1, 1)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def write_webm(
    path: Path | str,
    frame_at: Callable[[float], np.ndarray],
    *,
    duration_s: float,
    fps: int,
    width: int,
    height: int,
    audio: np.ndarray | None,
) -> Path:
    """Encode VP9 + Opus WebM (what Chrome's MediaRecorder writes). `frame_at(t)` gives RGB frames."""
    path = Path(path)
    with av.open(str(path), "w", format="webm") as out:
        vs = out.add_stream("libvpx-vp9", rate=fps)
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        vs.options = {"deadline": "realtime", "cpu-used": "8", "row-mt": "1", "crf": "36", "b:v": "0"}
        as_ = None
        if audio is not None:
            as_ = out.add_stream("libopus", rate=AUDIO_RATE, layout="mono")
        n = round(duration_s * fps)
        for i in range(n):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame_at(i / fps)), format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for pkt in vs.encode(frame):
                out.mux(pkt)
        for pkt in vs.encode(None):
            out.mux(pkt)
        if as_ is not None:
            chunk = 960  # 20 ms Opus frames
            samples = audio.astype(np.float32)
            pad = (-len(samples)) % chunk
            samples = np.concatenate([samples, np.zeros(pad, np.float32)])
            for k in range(0, len(samples), chunk):
                af = av.AudioFrame.from_ndarray(samples[None, k : k + chunk], format="flt", layout="mono")
                af.sample_rate = AUDIO_RATE
                af.pts = k
                af.time_base = Fraction(1, AUDIO_RATE)
                for pkt in as_.encode(af):
                    out.mux(pkt)
            for pkt in as_.encode(None):
                out.mux(pkt)
    return path


def live_clip(
    path: Path | str,
    *,
    keyframes=LEFT_THEN_RIGHT,
    digits: str | None = "4719",
    duration_s: float = 10.0,
    fps: int = 15,
    width: int = 480,
    height: int = 360,
    voice: str = "en-us",
) -> Path:
    """The astronaut turning her head (keyframes of yaw), reading the digits."""
    turner = head_turner(width, height)
    return write_webm(
        path,
        lambda t: turner.frame(yaw_at(keyframes, t)),
        duration_s=duration_s,
        fps=fps,
        width=width,
        height=height,
        audio=soundtrack(duration_s, digits=digits, voice=voice),
    )


def still_clip(
    path: Path | str,
    picture: np.ndarray,
    *,
    digits: str | None = "4719",
    duration_s: float = 10.0,
    fps: int = 15,
    voice: str = "en-us",
) -> Path:
    """The same picture for the whole clip (a photo held up to the camera), with or without speech."""
    h, w = picture.shape[:2]
    return write_webm(
        path,
        lambda t: picture,
        duration_s=duration_s,
        fps=fps,
        width=w,
        height=h,
        audio=soundtrack(duration_s, digits=digits, voice=voice),
    )


@cache
def head_turner(width: int, height: int) -> HeadTurner:
    """The astronaut framed at this size, ready to turn (cached: building it detects her face)."""
    return HeadTurner(astronaut_frame(width, height))
