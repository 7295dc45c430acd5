"""What the preview renderer draws over its backgrounds: premultiplied overlays, captions and badges
in a font that has the text's glyphs (a CJK font for kana and kanji, with kinsoku line breaking), and
the cameo portraits with their @handle tags."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from generation.backends.base import GenerationRequest
from generation.backends.preview_styles import RGB
from sora_site import japanese
from sora_site.images import cover_crop

logger = logging.getLogger(__name__)
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


def seeded_rng(seed: int, *salt: int) -> np.random.Generator:
    return np.random.default_rng([seed & 0xFFFFFFFFFFFFFFFF, *salt])


@dataclass
class Overlay:
    """A premultiplied RGBA patch, blended with integer math."""

    fg: np.ndarray  # h x w x 3 uint16, colour * alpha
    inv: np.ndarray  # h x w x 1 uint16, 255 - alpha

    @classmethod
    def from_image(cls, image: Image.Image) -> Overlay:
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


def badge(text: str, size: int, fill: tuple[int, int, int, int], colour: RGB = (255, 255, 255)) -> Image.Image:
    font = caption_font(text, size)
    left, top, right, bottom = font.getbbox(text)
    pad = size // 2
    # getbbox is typed float (for fractional strokes); with no stroke it returns whole pixels.
    image = Image.new("RGBA", (int(right - left + 2 * pad), int(bottom - top + pad + pad // 2)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, image.width - 1, image.height - 1), radius=pad, fill=fill)
    draw.text((pad - left, pad * 3 // 4 - top), text, font=font, fill=colour)
    return image


def caption_box(text: str, width: int, size: int, *, max_lines: int) -> Image.Image | None:
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


def ink(colour: RGB) -> RGB:
    """Black or white, whichever reads on `colour`."""
    luma = 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]
    return (20, 20, 20) if luma > 150 else (255, 255, 255)


# --- Cameos --------------------------------------------------------------------------------------


class CameoLayer:
    """Each cameo as a round portrait (rounded square for non-human cameos) with an @handle tag,
    bobbing gently; portraits cycle every ~0.75 s when there are several."""

    def __init__(self, request: GenerationRequest, fps: int) -> None:
        W, H = request.width, request.height
        self.fps = fps
        self.items: list[tuple[list[Overlay], int, int, float]] = []
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
                Overlay.from_image(_cameo_patch(p, cameo.handle, cameo.is_human, diameter, tag_size, unit))
                for p in cameo.portraits[:6]
            ]
            pw, ph = patches[0].size
            cx = W * (i + 0.5) / n
            cy = H * (0.5 if H > W else 0.42)
            phase = float(seeded_rng(request.seed, 100 + i).uniform(0, 2 * math.pi))
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
    tag = badge(f"@{handle}", tag_size, (0, 0, 0, 175))
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
