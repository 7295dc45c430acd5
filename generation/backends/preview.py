"""The CPU preview renderer: a deterministic animatic that stands in for a video model.

It exists so the whole product (drafts, feed, cameos, moderation of faces in output) runs and is
testable on a laptop without a GPU. Every frame says PREVIEW, in the creator's language
(request.labels). Per shot it draws a seeded background in a palette picked from the prompt's words
(or animates the input image, or a stylised version of the remix parent), moves a camera over it,
floats the cameo portraits with "@handle" tags on top and captions the shot's prompt. Shots follow
each other with hard cuts.

Cost: static layers (background world, caption, badges, cameo discs) are drawn once per shot;
per frame it is one cv2.warpAffine plus a few small alpha blends, at 12 fps, on RENDER_THREADS threads.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

import cv2
import numpy as np
from PIL import Image

from generation.backends.base import (
    DRAWN,
    CancelCheck,
    GenerationCancelled,
    GenerationRequest,
    GenerationResult,
    ProgressCallback,
)
from generation.backends.preview_layers import CameoLayer, Overlay, badge, caption_box, ink, seeded_rng
from generation.backends.preview_styles import MOTIONS, STYLES, Palette, pick_style
from sora_site import japanese
from sora_site.images import cover_crop
from sora_site.media import decode_video

RENDER_THREADS = 2  # frames drawn at once (a 2-core machine: the job's thread mostly waits on them)
_WORLD_SCALE = 1.3  # the background world is this much larger than the frame (room to pan)
_WORLD_RES = 0.5  # and drawn at half resolution: it is all soft gradients and blurred shapes
_CAPTION_TOP = 0.12  # portrait: fraction of the height where the caption box starts
_TEXT_BANDS = (0.3, 0.25)  # remix: the parent's top and bottom bands (its burned-in text), blurred away


@dataclass
class _ShotPlan:
    index: int
    start: int  # first frame
    count: int  # frames in the shot
    style: str
    palette: Palette
    motion: str
    background: str  # "world" | "image" | "remix"
    world: np.ndarray | None
    particles: np.ndarray  # k x 5: x, y, vx, vy, radius (output pixels, per second)
    particle_kind: str
    overlays: list[tuple[Overlay, int, int]]  # static: caption, badges
    remix_lut: np.ndarray | None


class PreviewBackend:
    name = "preview"
    is_preview = True

    def __init__(self, fps: int = 12) -> None:
        self.fps = fps

    def generate(
        self,
        request: GenerationRequest,
        *,
        on_progress: ProgressCallback,
        should_cancel: CancelCheck,
    ) -> GenerationResult:
        if should_cancel():
            raise GenerationCancelled()
        fps = max(1, min(self.fps, request.fps))
        W, H = request.width, request.height
        parent = _load_parent(request.parent_video, fps) if request.parent_video is not None else None
        plans = _plan_shots(request, fps, parent is not None)
        cameos = CameoLayer(request, fps)
        total = sum(plan.count for plan in plans)

        def render(shot_frame: tuple[_ShotPlan, int]) -> np.ndarray:
            plan, local = shot_frame
            frame = _background(plan, local, fps, W, H, request, parent)
            if plan.background != "image" or plan.particle_kind in ("rain", "snow"):
                _draw_particles(frame, plan, local / fps)
            cameos.draw(frame, plan.start + local)
            for overlay, x, y in plan.overlays:
                overlay.blend(frame, x, y)
            return frame

        frames: list[np.ndarray] = []
        step = max(1, total // 20)
        on_progress(0.0)
        # Each frame is drawn on its own from the shot's static layers: RENDER_THREADS draw them (OpenCV
        # and numpy let go of the GIL), while this thread takes them in order, reports progress and
        # checks for a cancel (both touch the database, which stays on the job's thread).
        pool = ThreadPoolExecutor(RENDER_THREADS, thread_name_prefix="preview")
        try:
            for k, frame in enumerate(
                pool.map(render, [(plan, local) for plan in plans for local in range(plan.count)])
            ):
                if k % step == 0 and k:
                    if should_cancel():
                        raise GenerationCancelled()
                    on_progress(0.9 * k / total)
                frames.append(frame)
        finally:
            pool.shutdown(cancel_futures=True)
        if should_cancel():
            raise GenerationCancelled()
        on_progress(0.9)
        on_progress(1.0)
        # Silent: the soundtrack (speech for quoted dialogue, an ambient bed) is finishing's to add.
        return GenerationResult(
            frames=frames,
            fps=fps,
            audio=None,
            sample_rate=0,
            metadata={
                "backend": self.name,
                DRAWN: True,
                "frames": total,
                "fps": fps,
                "seconds": request.seconds,
                "remix": parent is not None,
                "cameos": [cameo.handle for cameo in request.cameos],
                "shots": [
                    {"frames": p.count, "style": p.style, "motion": p.motion, "background": p.background} for p in plans
                ],
            },
        )


# --- Planning ------------------------------------------------------------------------------------


def _seeded_palettes(seed: int) -> tuple[Palette, ...]:
    """Three palettes around a seeded hue, for prompts with no style word."""
    hue = float(seeded_rng(seed, 7).uniform(0, 180))
    out: list[Palette] = []
    for i in range(3):
        h = (hue + 60 * i) % 180
        colours = [(h, 120, 90), ((h + 15) % 180, 90, 230), ((h + 90) % 180, 140, 70), ((h + 45) % 180, 200, 250)]
        hsv = np.array([colours], dtype=np.uint8)
        rgb = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0]
        top, bottom, ground, accent = ((int(c[0]), int(c[1]), int(c[2])) for c in rgb)
        out.append((top, bottom, ground, accent))
    return tuple(out)


def _plan_shots(request: GenerationRequest, fps: int, remix: bool) -> list[_ShotPlan]:
    W, H = request.width, request.height
    shared_style = pick_style(request.prompt)
    plans = []
    elapsed = 0.0
    start = 0
    for index, shot in enumerate(request.shots):
        elapsed += shot.seconds
        end = int(round(elapsed * fps))
        style = pick_style(shot.prompt) or shared_style or "seeded"
        palettes = STYLES[style][1] if style in STYLES else _seeded_palettes(request.seed)
        palette = palettes[index % len(palettes)]
        rng = seeded_rng(request.seed, index, 1)
        motion = str(rng.choice(MOTIONS))
        if index == 0 and request.input_image is not None:
            background, world, motion = "image", _image_world(request.input_image, W, H), "ken_burns"
        elif remix:
            background, world = "remix", None
        else:
            background, world = "world", _draw_world(palette, W, H, rng, flip=index % 2 == 1)
        kind = _particle_kind(shot.prompt + " " + request.prompt, style)
        plans.append(
            _ShotPlan(
                index=index,
                start=start,
                count=end - start,
                style=style,
                palette=palette,
                motion=motion,
                background=background,
                world=world,
                particles=_particles(rng, W, H, kind),
                particle_kind=kind,
                overlays=_static_overlays(request, shot.prompt, index, palette, remix),
                remix_lut=_duotone_lut(palette) if background == "remix" else None,
            )
        )
        start = end
    return plans


# --- Backgrounds ---------------------------------------------------------------------------------


def _draw_world(palette: Palette, W: int, H: int, rng: np.random.Generator, *, flip: bool) -> np.ndarray:
    """A soft seeded scene (gradient sky, blurred orbs, a hill line), half resolution."""
    w = int(math.ceil(W * _WORLD_SCALE * _WORLD_RES))
    h = int(math.ceil(H * _WORLD_SCALE * _WORLD_RES))
    top, bottom, ground, accent = (np.array(c, dtype=np.float32) for c in palette)
    angle = rng.uniform(-0.6, 0.6) + (math.pi if flip else 0.0)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    proj = (ys / h - 0.5) * math.cos(angle) + (xs / w - 0.5) * math.sin(angle)
    t = np.clip(proj + 0.5, 0, 1)[..., None]
    world = top * (1 - t) + bottom * t
    orbs: np.ndarray = np.zeros((h, w, 3), np.float32)
    unit = min(w, h)
    for _ in range(int(rng.integers(5, 10))):
        colour = accent if rng.random() < 0.5 else ground
        centre = (int(rng.uniform(0, w)), int(rng.uniform(0, h * 0.7)))
        cv2.circle(orbs, centre, int(unit * rng.uniform(0.05, 0.2)), tuple(float(c) for c in colour), -1)
    mask = (orbs.max(axis=2, keepdims=True) > 0).astype(np.float32)
    orbs = cv2.GaussianBlur(orbs, (0, 0), unit * 0.03)
    mask = cv2.GaussianBlur(mask, (0, 0), unit * 0.03)[..., None] * 0.55
    world = world * (1 - mask) + orbs * 0.55
    horizon = h * rng.uniform(0.6, 0.8)
    x = np.arange(w, dtype=np.float32) / w
    # sum() starts from 0, so typeshed says "array or int"; with three arrays it is an array.
    line = horizon + h * cast(
        np.ndarray, sum(rng.uniform(0.01, 0.04) * np.sin(2 * np.pi * (f * x + rng.random())) for f in (1, 2.3, 5.1))
    )
    below = (ys > line[None, :]).astype(np.float32)
    below = cv2.GaussianBlur(below, (0, 0), 1.5)[..., None]
    world = world * (1 - below) + (ground * 0.8) * below
    clipped: np.ndarray = np.clip(world, 0, 255)
    return clipped.astype(np.uint8)


def _image_world(image: Image.Image, W: int, H: int) -> np.ndarray:
    image = cover_crop(image.convert("RGB"), W, H)
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8))


def _camera(plan: _ShotPlan, p: float, W: int, H: int) -> tuple[float, float, float]:
    """zoom, centre x, centre y (in world pixels at full resolution) at shot progress p."""
    ww, wh = W * _WORLD_SCALE, H * _WORLD_SCALE
    cx, cy = ww / 2, wh / 2
    zoom, pan = 1.06, 0.10 * p - 0.05
    if plan.motion == "zoom_in":
        zoom = 1.0 + 0.18 * p
    elif plan.motion == "zoom_out":
        zoom = 1.18 - 0.18 * p
    elif plan.motion == "pan_left":
        cx -= pan * W
    elif plan.motion == "pan_right":
        cx += pan * W
    elif plan.motion == "pan_up":
        cy -= pan * H
    elif plan.motion == "pan_down":
        cy += pan * H
    return zoom, cx, cy


def _warp(src: np.ndarray, scale: float, x0: float, y0: float, W: int, H: int) -> np.ndarray:
    """Output pixel (x, y) samples src at (x0 + x * scale, y0 + y * scale)."""
    m = np.array([[scale, 0.0, x0], [0.0, scale, y0]], dtype=np.float64)
    return cv2.warpAffine(src, m, (W, H), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REFLECT)


def _background(
    plan: _ShotPlan, local: int, fps: int, W: int, H: int, request: GenerationRequest, parent: list[np.ndarray] | None
) -> np.ndarray:
    p = local / max(1, plan.count - 1)
    if plan.background == "image":
        assert plan.world is not None
        zoom = 1.0 + 0.15 * p
        drift = seeded_rng(request.seed, plan.index, 2).uniform(-1, 1, size=2)
        cx = W / 2 + drift[0] * (W / 2 - W / (2 * zoom))
        cy = H / 2 + drift[1] * (H / 2 - H / (2 * zoom))
        return _warp(plan.world, 1 / zoom, cx - W / (2 * zoom), cy - H / (2 * zoom), W, H)
    if plan.background == "remix":
        assert parent is not None and plan.remix_lut is not None
        src = parent[(plan.start + local) % len(parent)]
        ph, pw = src.shape[:2]
        zoom = 1.0 + 0.08 * p
        scale = min(pw / W, ph / H) / zoom  # cover the frame, then zoom in slowly
        # Restyle at half resolution and scale back up: a duotone in the new palette over a soft
        # copy of the parent, so it visibly derives from the parent without copying it.
        w2, h2 = W // 2, H // 2
        small = _warp(src, scale * 2, (pw - W * scale) / 2, (ph - H * scale) / 2, w2, h2)
        # The parent's own caption and badges must not show through under the remix's own.
        mask = _text_band_mask(h2)
        small = (small * (1 - mask) + cv2.GaussianBlur(small, (0, 0), 12) * mask).astype(np.uint8)
        gray = cv2.cvtColor(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
        toned = cv2.addWeighted(cv2.LUT(gray, plan.remix_lut), 0.75, small, 0.25, 0)
        return cv2.resize(toned, (W, H), interpolation=cv2.INTER_LINEAR)
    assert plan.world is not None
    zoom, cx, cy = _camera(plan, p, W, H)
    scale = _WORLD_RES / zoom
    x0, y0 = (cx - W / (2 * zoom)) * _WORLD_RES, (cy - H / (2 * zoom)) * _WORLD_RES
    return _warp(plan.world, scale, x0, y0, W, H)


@lru_cache(maxsize=8)
def _text_band_mask(height: int) -> np.ndarray:
    """(height, 1, 1) weights: 1 over the top and bottom text bands, 0 between, feathered edges."""
    rows = np.arange(height) / height
    ramp = 0.05
    top = np.clip((_TEXT_BANDS[0] - rows) / ramp + 0.5, 0, 1)
    bottom = np.clip((rows - (1 - _TEXT_BANDS[1])) / ramp + 0.5, 0, 1)
    return np.maximum(top, bottom).astype(np.float32)[:, None, None]


def _duotone_lut(palette: Palette) -> np.ndarray:
    """256 x 1 x 3: shadows in the ground colour, mids in the accent, highlights in the sky."""
    ground, accent, sky = (np.array(c, np.float32) for c in (palette[2], palette[3], palette[1]))
    shadow = ground * 0.35
    x = np.linspace(0, 1, 256, dtype=np.float32)[:, None]
    low = shadow + (accent - shadow) * np.clip(x * 2, 0, 1)
    high = accent + (sky * 0.5 + 127 - accent) * np.clip(x * 2 - 1, 0, 1)
    lut = np.where(x < 0.5, low, high)
    return np.clip(lut, 0, 255).astype(np.uint8).reshape(256, 1, 3)


def _load_parent(path: Path, fps: int) -> list[np.ndarray]:
    """The remix parent's frames at about `fps` (at most 30 s of them)."""
    return decode_video(path, sample_fps=fps, max_frames=30 * fps, with_audio=False).frames


# --- Particles -----------------------------------------------------------------------------------


def _particle_kind(text: str, style: str) -> str:
    words = japanese.words(text)
    if words & {"rain", "raining", "storm", "drizzle", "rainy", "雨", "嵐", "霧雨", "梅雨", "夕立"}:
        return "rain"
    if style == "snow":
        return "snow"
    if style == "space":
        return "stars"
    return "bokeh"


def _particles(rng: np.random.Generator, W: int, H: int, kind: str) -> np.ndarray:
    count = {"rain": 70, "snow": 60, "stars": 80, "bokeh": 18}[kind]
    unit = min(W, H) / 720
    speed = {
        "rain": (H * 0.9, H * 1.3),
        "snow": (H * 0.05, H * 0.12),
        "stars": (0, 0),
        "bokeh": (-H * 0.04, -H * 0.01),
    }[kind]
    size = {"rain": (1, 2), "snow": (2, 5), "stars": (1, 3), "bokeh": (4, 12)}[kind]
    out = np.empty((count, 5), np.float32)
    out[:, 0] = rng.uniform(0, W, count)
    out[:, 1] = rng.uniform(0, H, count)
    out[:, 2] = rng.uniform(-0.02, 0.02, count) * W + (0.1 * H if kind == "rain" else 0)
    out[:, 3] = rng.uniform(*speed, count)
    out[:, 4] = rng.uniform(*size, count) * unit
    return out


def _draw_particles(frame: np.ndarray, plan: _ShotPlan, t: float) -> None:
    H, W = frame.shape[:2]
    colour = tuple(int(c) for c in plan.palette[3])
    pts = plan.particles
    xs = np.mod(pts[:, 0] + pts[:, 2] * t, W).astype(np.int32)
    ys = np.mod(pts[:, 1] + pts[:, 3] * t, H).astype(np.int32)
    rs = np.maximum(1, pts[:, 4]).astype(np.int32)
    for i in range(len(pts)):
        x, y, r = int(xs[i]), int(ys[i]), int(rs[i])
        if plan.particle_kind == "rain":
            cv2.line(frame, (x, y), (x + r * 3, y + r * 14), (200, 210, 230), r, cv2.LINE_AA)
        elif plan.particle_kind == "stars":
            on = (i * 7 + int(t * 4)) % 5 != 0  # a slow twinkle
            cv2.circle(frame, (x, y), r if on else max(1, r - 1), (255, 255, 255), -1, cv2.LINE_AA)
        else:
            cv2.circle(frame, (x, y), r, colour if plan.particle_kind == "bokeh" else (255, 255, 255), -1, cv2.LINE_AA)


def _static_overlays(
    request: GenerationRequest, caption: str, index: int, palette: Palette, remix: bool
) -> list[tuple[Overlay, int, int]]:
    W, H = request.width, request.height
    unit = min(W, H) / 720
    margin = int(24 * unit)
    out: list[tuple[Overlay, int, int]] = []
    labels = request.labels
    preview = badge(labels.preview, int(30 * unit), (215, 30, 45, 230))
    out.append((Overlay.from_image(preview), margin, margin))
    y = margin + preview.height + int(10 * unit)
    if remix:
        remix_tag = badge(labels.remix, int(24 * unit), (*palette[3], 220), ink(palette[3]))
        out.append((Overlay.from_image(remix_tag), margin, y))
    if len(request.shots) > 1:
        shot = labels.shot.format(index=index + 1, count=len(request.shots))
        shot_tag = badge(shot, int(24 * unit), (0, 0, 0, 150))
        out.append((Overlay.from_image(shot_tag), W - margin - shot_tag.width, margin))
    box = caption_box(caption, W - 2 * margin, int(34 * unit), max_lines=4 if H > W else 3)
    if box is not None:
        if H > W:
            # Portrait players put the author, caption and action rail over the bottom third and the
            # tabs over the very top: the burned-in caption goes in the clear band below the badges.
            top = max(y + int(48 * unit), int(H * _CAPTION_TOP))
            out.append((Overlay.from_image(box), margin, top))
        else:
            out.append((Overlay.from_image(box), margin, H - box.height - int(48 * unit)))
    return out
