"""The astronaut's face (skimage.data.astronaut(), the face `active_cameo(real_face=True)` registers)
placed on a plain gradient frame at a chosen size and in-plane tilt, as a video model might show a
person small in a wide shot or with the head tilted."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from skimage import data

# dlib's face box (brows to chin) in the 512x512 original, and a head-and-shoulders crop around it.
_FACE_TOP, _FACE_BOTTOM = 83, 170
_HEAD = (slice(10, 280), slice(110, 340))
_EYES = 113  # the row of her eyes in the original
_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def astronaut_in_frame(
    face_px: int, *, angle: float = 0.0, size: tuple[int, int] = (720, 1280), caption: str = ""
) -> np.ndarray:
    """H x W x 3 RGB uint8 (`size` is width, height): the face `face_px` tall, turned `angle` degrees
    in the picture's plane, a third of the way down the frame; `caption`: two lines of it in a
    translucent black band across the frame over her eyes (upright faces), like the preview's."""
    width, height = size
    t = np.linspace(0, 1, height)[:, None, None]
    frame = ((1 - t) * np.array([120, 170, 220]) + t * np.array([230, 210, 170])).repeat(width, axis=1)
    frame = frame.astype(np.uint8)
    head = np.ascontiguousarray(data.astronaut()[_HEAD])
    scale = face_px / (_FACE_BOTTOM - _FACE_TOP)
    head = cv2.resize(head, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    h, w = head.shape[:2]
    rgba = np.dstack([head, np.full((h, w), 255, np.uint8)])
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rgba = cv2.warpAffine(rgba, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0, 0))
    x, y = max(0, (width - w) // 2), max(0, height // 3 - h // 2)
    rgba = rgba[: height - y, : width - x]
    h, w = rgba.shape[:2]
    alpha = rgba[..., 3:4].astype(np.uint16)
    region = frame[y : y + h, x : x + w]
    region[:] = ((rgba[..., :3] * alpha + region * (255 - alpha)) // 255).astype(np.uint8)
    if caption:
        _caption_band(frame, eyes=round(y + (_EYES - _HEAD[0].start) * scale), face_px=face_px, text=caption)
    return frame


def _caption_band(frame: np.ndarray, *, eyes: int, face_px: int, text: str) -> None:
    """Two lines of `text`, white with a shadow, on a 61 % black band whose lower edge is just below `eyes`."""
    size = int(np.clip(face_px * 0.22, 9, 34))
    line_h, pad = int(size * 1.3), size // 2
    bottom = eyes + int(0.12 * face_px)
    top = bottom - 2 * line_h - 2 * pad
    overlay = Image.new("RGBA", (frame.shape[1], frame.shape[0]), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rounded_rectangle((0, top, frame.shape[1] - 1, bottom), radius=pad, fill=(0, 0, 0, 155))
    font = ImageFont.truetype(_FONT, size)
    for i in range(2):
        line = text[i * 30 :]
        draw.text((pad + 2, top + pad + i * line_h + 2), line, font=font, fill=(0, 0, 0, 200))
        draw.text((pad, top + pad + i * line_h), line, font=font, fill=(255, 255, 255, 255))
    frame[:] = np.asarray(Image.alpha_composite(Image.fromarray(frame).convert("RGBA"), overlay).convert("RGB"))


def hand_over(picture: np.ndarray, centre: tuple[int, int], width: int) -> np.ndarray:
    """A copy of `picture` with a skin-coloured hand-like blob (a palm and four fingers) at `centre`."""
    out = picture.copy()
    cx, cy = centre
    skin = (205, 150, 120)
    cv2.ellipse(out, (cx, cy + width // 10), (width * 35 // 100, width * 22 // 100), 0, 0, 360, skin, -1)
    for k in range(4):
        fx = cx - width * 45 // 100 + k * width * 28 // 100
        cv2.ellipse(out, (fx, cy - width // 20), (width * 12 // 100, width * 30 // 100), 75, 0, 360, skin, -1)
    return out
