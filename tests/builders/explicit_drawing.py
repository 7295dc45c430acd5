"""A crude synthetic drawing that NudeNet's shipped detector reads as exposed breasts (score ~0.8),
and the same drawing covered by a shirt: the positive and negative images of the nudity checks.
Made in code (no photos of anyone); measured with nudenet 3.4's 320n model."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from sora_site.images import cover_crop

SKIN = (205, 160, 130)


def torso_drawing(*, covered: bool = False, size: tuple[int, int] = (512, 512)) -> np.ndarray:
    """H x W x 3 RGB uint8; `size` is (width, height)."""
    canvas = np.zeros((512, 512, 3), np.uint8)
    canvas[:] = (60, 60, 80)
    cv2.ellipse(canvas, (256, 330), (170, 230), 0, 0, 360, SKIN, -1)
    cv2.circle(canvas, (256, 90), 70, SKIN, -1)
    for x in (190, 322):
        cv2.circle(canvas, (x, 300), 55, (215, 170, 140), -1)
        cv2.circle(canvas, (x, 310), 12, (150, 80, 70), -1)
    if covered:
        cv2.rectangle(canvas, (80, 200), (432, 512), (40, 90, 160), -1)
    canvas = cv2.GaussianBlur(canvas, (15, 15), 0)
    if size != (512, 512):  # fills the frame like a model's output would (scaled and cropped, not stretched)
        canvas = np.asarray(cover_crop(Image.fromarray(canvas), *size))
    return canvas


def torso_in_frame(scale: float, size: tuple[int, int] = (720, 1280)) -> np.ndarray:
    """The uncovered drawing shrunk to `scale` of the frame's width, centred on its background: the
    smaller it is, the less sure NudeNet is (measured after H.264 at 720x1280: 0.8 -> 0.70, 0.75 -> 0.62,
    0.65 -> 0.50, 0.55 -> 0.32)."""
    width, height = size
    side = int(width * scale)
    small = cv2.resize(torso_drawing(), (side, side), interpolation=cv2.INTER_AREA)
    canvas = np.full((height, width, 3), (60, 60, 80), np.uint8)
    top, left = (height - side) // 2, (width - side) // 2
    canvas[top : top + side, left : left + side] = small
    return canvas
