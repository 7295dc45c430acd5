"""The visible watermark: the site name and the creator's @handle, hopping between corners.

Drawn once per clip as a small RGBA label (bold white text on a translucent dark pill, so it reads on
any background without hiding much), then alpha-blended onto a region of each frame. It moves every
`HOP_SECONDS` around `SPOTS` (near the four corners and the middle of each side, in an order that
crosses the frame), so no single crop removes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from generation.backends.preview_layers import caption_font

HOP_SECONDS = 3.0
OPACITY = 0.85
MARGIN = 0.04  # of the frame's width
TEXT_HEIGHT = 0.034  # font size as a share of the frame's width
# (x, y) as shares of the free space: opposite sides in turn, so consecutive spots are far apart; a
# little in from the top and bottom edges, where players put their controls.
SPOTS = ((0.0, 0.06), (1.0, 0.9), (1.0, 0.06), (0.0, 0.9), (0.0, 0.5), (1.0, 0.5))


@lru_cache(maxsize=8)
def label_image(text: str, font_size: int) -> tuple[np.ndarray, np.ndarray]:
    """(rgb float32 h x w x 3, alpha float32 h x w x 1) of the label. The font is the preview
    renderer's: a CJK one (Noto Sans CJK) when the site name has kana or kanji, else DejaVu Sans."""
    font = caption_font(text, font_size)
    left, top, right, bottom = (int(v) for v in font.getbbox(text))
    pad_x, pad_y = font_size // 2, font_size // 3
    size = (right - left + 2 * pad_x, bottom - top + 2 * pad_y)
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size[0] - 1, size[1] - 1), radius=size[1] // 2, fill=(0, 0, 0, 110))
    draw.text((pad_x - left, pad_y - top), text, font=font, fill=(255, 255, 255, 255))
    pixels = np.asarray(image, dtype=np.float32)
    return pixels[..., :3], pixels[..., 3:] / 255.0 * OPACITY


def label_text(site: str, handle: str) -> str:
    return f"{site} · @{handle}"


def frames_label(frames: Sequence[np.ndarray], fps: float, text: str) -> list[np.ndarray]:
    """Copies of `frames` (H x W x 3 uint8 RGB) with the moving label drawn on."""
    if not frames:
        return []
    height, width = frames[0].shape[:2]
    rgb, alpha = label_image(text, max(10, round(width * TEXT_HEIGHT)))
    label_h, label_w = alpha.shape[:2]
    margin = round(width * MARGIN)
    free_x, free_y = max(0, width - label_w - 2 * margin), max(0, height - label_h - 2 * margin)
    out: list[np.ndarray] = []
    for index, frame in enumerate(frames):
        spot_x, spot_y = SPOTS[int(index / fps / HOP_SECONDS) % len(SPOTS)]
        x, y = margin + round(free_x * spot_x), margin + round(free_y * spot_y)
        marked = frame.copy()
        region = marked[y : y + label_h, x : x + label_w]
        h, w = region.shape[:2]
        a = alpha[:h, :w]
        region[:] = (region * (1 - a) + rgb[:h, :w] * a + 0.5).astype(np.uint8)
        out.append(marked)
    return out
