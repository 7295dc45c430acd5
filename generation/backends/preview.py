"""The CPU preview renderer: a deterministic animatic that stands in for a video model.

It exists so the whole product (drafts, feed, cameos, moderation of faces in output) runs and is
testable on a laptop without a GPU. Every frame says PREVIEW. Per shot it draws a seeded
background in a palette picked from the prompt's words (or animates the input image, or a
stylised version of the remix parent), moves a camera over it, floats the cameo portraits with
"@handle" tags on top and captions the shot's prompt. Shots follow each other with hard cuts.

Cost: static layers (background world, caption, badges, cameo discs) are drawn once per shot;
per frame it is one cv2.warpAffine plus a few small alpha blends, at 12 fps.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from generation.backends.base import (
    CancelCheck,
    GenerationCancelled,
    GenerationRequest,
    GenerationResult,
    ProgressCallback,
)
from sora_site import japanese
from sora_site.images import cover_crop
from sora_site.media import decode_video

logger = logging.getLogger(__name__)
RGB = tuple[int, int, int]
Palette = tuple[RGB, RGB, RGB, RGB]  # sky top, sky bottom, ground / shapes, accent

# Each style has a few palettes; storyboard shot i takes palette i, so cuts are visible while the
# look stays in one family. Keys: English words, then Japanese base forms (sora_site.japanese).
STYLES: dict[str, tuple[tuple[str, ...], tuple[Palette, ...]]] = {
    "noir": (
        ("noir", "monochrome", "detective", "grayscale", "greyscale", "ノワール", "モノクロ", "白黒", "探偵"),
        (
            ((20, 20, 22), (95, 95, 100), (8, 8, 10), (235, 235, 235)),
            ((150, 150, 155), (45, 45, 50), (15, 15, 18), (255, 255, 255)),
            ((5, 5, 5), (60, 60, 65), (130, 130, 135), (200, 200, 200)),
        ),
    ),
    "anime": (
        ("anime", "manga", "ghibli", "cartoon", "kawaii", "chibi")
        + ("アニメ", "漫画", "マンガ", "ジブリ", "カートゥーン", "かわいい", "可愛い", "カワイイ", "ちび"),
        (
            ((120, 190, 255), (255, 214, 236), (92, 170, 120), (255, 120, 160)),
            ((255, 200, 150), (255, 240, 200), (110, 140, 220), (255, 90, 90)),
            ((160, 130, 255), (255, 190, 230), (70, 90, 160), (255, 230, 120)),
        ),
    ),
    "neon": (
        ("neon", "cyberpunk", "synthwave", "arcade", "rave", "vaporwave", "club")
        + ("ネオン", "サイバーパンク", "シンセウェイブ", "ゲームセンター", "ゲーセン", "レイブ", "クラブ"),
        (
            ((20, 0, 40), (90, 0, 120), (0, 255, 220), (255, 0, 170)),
            ((5, 10, 40), (40, 0, 90), (255, 60, 200), (0, 220, 255)),
            ((30, 0, 30), (0, 40, 90), (255, 230, 0), (0, 255, 140)),
        ),
    ),
    "sunset": (
        ("sunset", "sunrise", "dusk", "dawn", "golden", "twilight")
        + ("夕焼け", "夕暮れ", "夕日", "夕方", "日没", "朝焼け", "日の出", "黄昏", "たそがれ", "夜明け", "黄金"),
        (
            ((255, 120, 60), (255, 210, 120), (90, 40, 80), (255, 240, 180)),
            ((180, 60, 120), (255, 150, 80), (40, 20, 60), (255, 220, 140)),
            ((255, 170, 90), (120, 80, 160), (60, 30, 50), (255, 255, 200)),
        ),
    ),
    "space": (
        ("space", "galaxy", "stars", "star", "planet", "nebula", "astronaut", "cosmic", "orbit", "moon")
        + ("宇宙", "銀河", "星", "星空", "惑星", "星雲", "軌道", "月"),
        (
            ((5, 5, 20), (40, 20, 80), (120, 60, 200), (255, 255, 255)),
            ((0, 0, 10), (10, 40, 80), (200, 80, 160), (180, 220, 255)),
            ((10, 0, 20), (60, 10, 60), (40, 120, 220), (255, 220, 160)),
        ),
    ),
    "ocean": (
        ("ocean", "sea", "beach", "underwater", "wave", "waves", "surf", "coral", "island")
        + ("海", "海辺", "浜辺", "海岸", "ビーチ", "水中", "波", "サーフィン", "珊瑚", "サンゴ", "島"),
        (
            ((0, 90, 160), (120, 220, 230), (0, 50, 90), (255, 240, 200)),
            ((0, 40, 90), (0, 150, 170), (240, 210, 150), (255, 255, 255)),
            ((60, 170, 220), (200, 240, 250), (20, 90, 120), (255, 200, 120)),
        ),
    ),
    "forest": (
        ("forest", "woods", "jungle", "garden", "meadow", "tree", "trees", "moss", "park")
        + ("森", "林", "ジャングル", "庭", "庭園", "草原", "木", "木々", "苔", "公園"),
        (
            ((70, 130, 80), (190, 220, 150), (30, 60, 35), (250, 230, 140)),
            ((20, 60, 40), (100, 160, 90), (60, 40, 20), (220, 255, 180)),
            ((120, 170, 90), (230, 240, 190), (50, 90, 50), (255, 180, 90)),
        ),
    ),
    "snow": (
        ("snow", "winter", "ice", "frozen", "arctic", "christmas", "ski")
        + ("雪", "冬", "氷", "凍る", "北極", "クリスマス", "スキー"),
        (
            ((170, 200, 230), (245, 250, 255), (120, 140, 170), (230, 60, 60)),
            ((60, 80, 130), (200, 215, 240), (235, 240, 250), (255, 210, 120)),
            ((220, 230, 245), (150, 175, 210), (80, 95, 130), (120, 200, 255)),
        ),
    ),
    "desert": (
        ("desert", "sand", "dune", "dunes", "canyon", "sahara", "western")
        + ("砂漠", "砂", "砂丘", "峡谷", "サハラ", "西部劇"),
        (
            ((250, 190, 110), (255, 235, 180), (190, 110, 60), (120, 60, 40)),
            ((120, 170, 230), (250, 220, 170), (210, 140, 80), (255, 255, 230)),
            ((200, 90, 60), (250, 180, 110), (110, 50, 40), (255, 230, 160)),
        ),
    ),
}
MOTIONS = ("zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up", "pan_down")
_FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)
# Captions with kana or kanji: DejaVu has none of those glyphs (they come out as empty boxes).
# fonts-noto-cjk is in the Makefile's RUN_PACKAGES; face 0 of the collection is the Japanese one.
CJK_FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)
_WORLD_SCALE = 1.3  # the background world is this much larger than the frame (room to pan)
_WORLD_RES = 0.5  # and drawn at half resolution: it is all soft gradients and blurred shapes
_CAPTION_TOP = 0.12  # portrait: fraction of the height where the caption box starts
_TEXT_BANDS = (0.3, 0.25)  # remix: the parent's top and bottom bands (its burned-in text), blurred away


@dataclass
class _Overlay:
    """A premultiplied RGBA patch, blended with integer math."""

    fg: np.ndarray  # h x w x 3 uint16, colour * alpha
    inv: np.ndarray  # h x w x 1 uint16, 255 - alpha

    @classmethod
    def from_image(cls, image: Image.Image) -> _Overlay:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.uint16)
        alpha = rgba[..., 3:4]
        return cls(fg=rgba[..., :3] * alpha, inv=255 - alpha)

    @property
    def size(self) -> tuple[int, int]:
        return self.fg.shape[1], self.fg.shape[0]

    def blend(self, frame: np.ndarray, x: int, y: int) -> None:
        h, w = self.fg.shape[:2]
        H, W = frame.shape[:2]
        x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
        if x0 >= x1 or y0 >= y1:
            return
        region = frame[y0:y1, x0:x1]
        fg = self.fg[y0 - y : y1 - y, x0 - x : x1 - x]
        inv = self.inv[y0 - y : y1 - y, x0 - x : x1 - x]
        region[:] = ((region * inv + fg) // 255).astype(np.uint8)


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
    overlays: list[tuple[_Overlay, int, int]]  # static: caption, badges
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
        cameos = _CameoLayer(request, fps)
        total = sum(plan.count for plan in plans)
        frames: list[np.ndarray] = []
        step = max(1, total // 20)
        on_progress(0.0)
        for plan in plans:
            for local in range(plan.count):
                k = plan.start + local
                if k % step == 0 and k:
                    if should_cancel():
                        raise GenerationCancelled()
                    on_progress(0.9 * k / total)
                frame = _background(plan, local, fps, W, H, request, parent)
                if plan.background != "image" or plan.particle_kind in ("rain", "snow"):
                    _draw_particles(frame, plan, local / fps)
                cameos.draw(frame, k)
                for overlay, x, y in plan.overlays:
                    overlay.blend(frame, x, y)
                frames.append(frame)
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


def _rng(seed: int, *salt: int) -> np.random.Generator:
    return np.random.default_rng([seed & 0xFFFFFFFFFFFFFFFF, *salt])


def pick_style(text: str) -> str | None:
    words = japanese.words(text)
    for name, (keys, _) in STYLES.items():
        if words.intersection(keys):
            return name
    return None


def _seeded_palettes(seed: int) -> tuple[Palette, ...]:
    """Three palettes around a seeded hue, for prompts with no style word."""
    hue = float(_rng(seed, 7).uniform(0, 180))
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
        rng = _rng(request.seed, index, 1)
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
        drift = _rng(request.seed, plan.index, 2).uniform(-1, 1, size=2)
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


# --- Text and badges -----------------------------------------------------------------------------


def caption_font_path(text: str) -> str | None:
    """The font file the renderer draws `text` with: a CJK font when it holds kana or kanji (when
    none is installed, the Latin font, logged once: the caption then shows empty boxes)."""
    paths = CJK_FONT_PATHS if japanese.has_japanese(text) else _FONT_PATHS
    found = next((path for path in paths if Path(path).exists()), None)
    if found is None and paths is CJK_FONT_PATHS:
        _warn_no_cjk_font()
        return caption_font_path("")
    return found


@lru_cache(maxsize=1)
def _warn_no_cjk_font() -> None:
    logger.warning("no CJK font found (%s): install fonts-noto-cjk (make system-packages)", ", ".join(CJK_FONT_PATHS))


@lru_cache(maxsize=32)
def _font_file(path: str | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)


def caption_font(text: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return _font_file(caption_font_path(text), size)


# Kinsoku: no line starts with closing punctuation, none ends with an opening bracket.
_NO_LINE_START = set("、。，．・：；？！ー」』）〕］｝〉》ゝゞ々ぁぃぅぇぉっゃゅょァィゥェォッャュョ…,.!?)]}")
_NO_LINE_END = set("「『（〔［｛〈《([{")


def _units(text: str) -> list[str]:
    """Breakable pieces: Latin words (a space before each but the first) and single CJK characters,
    with kinsoku punctuation glued to its neighbour."""
    units: list[str] = []
    glue_next = False
    space = False
    for word in re.findall(r"\s+|[^\s]+", text):
        if word.isspace():
            space = True
            continue
        pieces = list(word) if japanese.has_japanese(word) else [word]
        for i, piece in enumerate(pieces):
            joined = space and i == 0
            if units and (glue_next or (piece[0] in _NO_LINE_START and not joined)):
                units[-1] += (" " if joined else "") + piece
            else:
                units.append((" " if joined and units else "") + piece)
            glue_next = piece[-1] in _NO_LINE_END
        space = False
    return units


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int, max_lines: int) -> list[str]:
    """Greedy line breaking at spaces (English) and between characters (Japanese), at most
    max_lines, the last one ending in … when text is left over."""
    lines: list[list[str]] = []
    current: list[str] = []
    units = _units(text)
    for unit in units:
        if not current or font.getlength("".join([*current, unit])) <= width:
            current.append(unit)
            continue
        lines.append(current)
        if len(lines) == max_lines:
            last = lines[-1]
            while len(last) > 1 and font.getlength("".join(last) + " …") > width:
                last.pop()
            return [*("".join(line).strip() for line in lines[:-1]), "".join(last).strip() + " …"]
        current = [unit.lstrip()]
    if current:
        lines.append(current)
    return ["".join(line).strip() for line in lines]


def _badge(text: str, size: int, fill: tuple[int, int, int, int], colour: RGB = (255, 255, 255)) -> Image.Image:
    font = caption_font(text, size)
    left, top, right, bottom = font.getbbox(text)
    pad = size // 2
    # getbbox is typed float (for fractional strokes); with no stroke it returns whole pixels.
    image = Image.new("RGBA", (int(right - left + 2 * pad), int(bottom - top + pad + pad // 2)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, image.width - 1, image.height - 1), radius=pad, fill=fill)
    draw.text((pad - left, pad * 3 // 4 - top), text, font=font, fill=colour)
    return image


def _static_overlays(
    request: GenerationRequest, caption: str, index: int, palette: Palette, remix: bool
) -> list[tuple[_Overlay, int, int]]:
    W, H = request.width, request.height
    unit = min(W, H) / 720
    margin = int(24 * unit)
    out: list[tuple[_Overlay, int, int]] = []
    preview = _badge("PREVIEW", int(30 * unit), (215, 30, 45, 230))
    out.append((_Overlay.from_image(preview), margin, margin))
    y = margin + preview.height + int(10 * unit)
    if remix:
        badge = _badge("↻ REMIX", int(24 * unit), (*palette[3], 220), _ink(palette[3]))
        out.append((_Overlay.from_image(badge), margin, y))
    if len(request.shots) > 1:
        badge = _badge(f"shot {index + 1}/{len(request.shots)}", int(24 * unit), (0, 0, 0, 150))
        out.append((_Overlay.from_image(badge), W - margin - badge.width, margin))
    box = _caption(caption, W - 2 * margin, int(34 * unit), max_lines=4 if H > W else 3)
    if box is not None:
        if H > W:
            # Portrait players put the author, caption and action rail over the bottom third and the
            # tabs over the very top: the burned-in caption goes in the clear band below the badges.
            top = max(y + int(48 * unit), int(H * _CAPTION_TOP))
            out.append((_Overlay.from_image(box), margin, top))
        else:
            out.append((_Overlay.from_image(box), margin, H - box.height - int(48 * unit)))
    return out


def _caption(text: str, width: int, size: int, *, max_lines: int) -> Image.Image | None:
    font = caption_font(text, size)
    pad = size // 2
    lines = _wrap(text, font, width - 2 * pad, max_lines)
    if not lines:
        return None
    line_h = int(size * 1.3)
    image = Image.new("RGBA", (width, line_h * len(lines) + 2 * pad), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, image.height - 1), radius=pad, fill=(0, 0, 0, 155))
    for i, line in enumerate(lines):
        draw.text((pad + 2, pad + i * line_h + 2), line, font=font, fill=(0, 0, 0, 200))
        draw.text((pad, pad + i * line_h), line, font=font, fill=(255, 255, 255, 255))
    return image


def _ink(colour: RGB) -> RGB:
    """Black or white, whichever reads on `colour`."""
    luma = 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]
    return (20, 20, 20) if luma > 150 else (255, 255, 255)


# --- Cameos --------------------------------------------------------------------------------------


class _CameoLayer:
    """Each cameo as a round portrait (rounded square for non-human cameos) with an @handle tag,
    bobbing gently; portraits cycle every ~0.75 s when there are several."""

    def __init__(self, request: GenerationRequest, fps: int) -> None:
        W, H = request.width, request.height
        self.fps = fps
        self.items: list[tuple[list[_Overlay], int, int, float]] = []
        cameos = [c for c in request.cameos if c.portraits][:4]
        if not cameos:
            return
        unit = min(W, H) / 720
        n = len(cameos)
        diameter = int(min(min(W, H) * 0.36, (W - 48 * unit) / n * 0.85))
        diameter -= diameter % 2
        tag_size = max(12, int(24 * unit))
        for i, cameo in enumerate(cameos):
            patches = [
                _Overlay.from_image(_cameo_patch(p, cameo.handle, cameo.is_human, diameter, tag_size, unit))
                for p in cameo.portraits[:6]
            ]
            pw, ph = patches[0].size
            cx = W * (i + 0.5) / n
            cy = H * (0.5 if H > W else 0.42)
            phase = float(_rng(request.seed, 100 + i).uniform(0, 2 * math.pi))
            self.items.append((patches, int(cx - pw / 2), int(cy - ph / 2), phase))
        self.bob = 8 * unit

    def draw(self, frame: np.ndarray, k: int) -> None:
        t = k / self.fps
        for patches, x, y, phase in self.items:
            patch = patches[int(t / 0.75) % len(patches)]
            dy = int(round(self.bob * math.sin(2 * math.pi * 0.5 * t + phase)))
            dx = int(round(self.bob * 0.5 * math.sin(2 * math.pi * 0.23 * t + phase)))
            patch.blend(frame, x + dx, y + dy)


def _cameo_patch(
    portrait: Image.Image, handle: str, is_human: bool, diameter: int, tag_size: int, unit: float
) -> Image.Image:
    ring = max(2, int(5 * unit))
    face = cover_crop(portrait.convert("RGB"), diameter, diameter)
    mask = Image.new("L", (diameter, diameter), 0)
    shape = ImageDraw.Draw(mask)
    if is_human:
        shape.ellipse((0, 0, diameter - 1, diameter - 1), fill=255)
    else:
        shape.rounded_rectangle((0, 0, diameter - 1, diameter - 1), radius=diameter // 5, fill=255)
    tag = _badge(f"@{handle}", tag_size, (0, 0, 0, 175))
    width = max(diameter + 2 * ring, tag.width)
    image = Image.new("RGBA", (width, diameter + 2 * ring + tag.height + int(8 * unit)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    left = (width - diameter) // 2
    box = (left - ring, 0, left + diameter + ring - 1, diameter + 2 * ring - 1)
    if is_human:
        draw.ellipse(box, fill=(255, 255, 255, 235))
    else:
        draw.rounded_rectangle(box, radius=diameter // 5 + ring, fill=(255, 255, 255, 235))
    image.paste(face, (left, ring), mask)
    image.alpha_composite(tag, ((width - tag.width) // 2, diameter + 2 * ring + int(8 * unit)))
    return image
