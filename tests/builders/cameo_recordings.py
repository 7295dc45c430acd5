"""Cameo recordings made at test time (WebM VP9 + Opus, like the browser's MediaRecorder).

The generators live in tests/builders/synthetic_face.py (the benchmark uses them too); these wrappers
pick the scene for each test case and write into a directory the test owns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cameos.models import Cameo
from cameos.services import recording
from feed.accounts.models import User
from tests.builders import synthetic_face as synthetic

FACES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "faces"
GROUP_PHOTO = FACES_DIR / "group_six_faces.jpg"  # six different people
SINGLE_FACE = FACES_DIR / "single_face_112.png"  # one more person, a 112 px aligned crop

WIDTH, HEIGHT, FPS, DURATION = 480, 360, 15, 10.0
DIGITS = "4719"


def live(directory: Path, name: str = "live.webm", **kw: Any) -> Path:
    """The astronaut turns her head to her left, then to her right, and reads the digits."""
    return synthetic.live_clip(
        directory / name,
        keyframes=synthetic.LEFT_THEN_RIGHT,
        digits=DIGITS,
        duration_s=DURATION,
        fps=FPS,
        width=WIDTH,
        height=HEIGHT,
        **kw,
    )


def reversed_order(directory: Path) -> Path:
    """Right first, then left."""
    return synthetic.live_clip(
        directory / "reversed.webm",
        keyframes=synthetic.RIGHT_THEN_LEFT,
        digits=DIGITS,
        duration_s=DURATION,
        fps=FPS,
        width=WIDTH,
        height=HEIGHT,
    )


def silent(directory: Path) -> Path:
    """Head moves as asked, but nothing is said (room noise only)."""
    return synthetic.live_clip(
        directory / "silent.webm", digits=None, duration_s=DURATION, fps=FPS, width=WIDTH, height=HEIGHT
    )


def still_photo(directory: Path) -> Path:
    """One photo of the astronaut for the whole clip, with someone reading the digits."""
    return synthetic.still_clip(
        directory / "still.webm", synthetic.astronaut_frame(WIDTH, HEIGHT), digits=DIGITS, duration_s=DURATION, fps=FPS
    )


def two_faces(directory: Path) -> Path:
    """Two people from the group photo, with speech."""
    picture = synthetic.group_frame(WIDTH, HEIGHT, GROUP_PHOTO)
    return synthetic.still_clip(directory / "two_faces.webm", picture, digits=DIGITS, duration_s=DURATION, fps=FPS)


def no_face(directory: Path) -> Path:
    """A cup of coffee, with speech."""
    return synthetic.still_clip(
        directory / "no_face.webm",
        synthetic.landscape_frame(WIDTH, HEIGHT),
        digits=DIGITS,
        duration_s=DURATION,
        fps=FPS,
    )


def face_swap(directory: Path) -> Path:
    """The astronaut turns left and right, then another person takes over for the second half."""
    turner = synthetic.head_turner(WIDTH, HEIGHT)
    other = other_person_frame(WIDTH, HEIGHT)
    keyframes = (
        (0.0, 0.0),
        (0.8, 0.0),
        (1.6, 25.0),
        (2.2, 25.0),
        (3.0, 0.0),
        (3.4, 0.0),
        (4.2, -25.0),
        (4.8, -25.0),
        (5.6, 0.0),
        (99.0, 0.0),
    )

    def frame_at(t: float) -> np.ndarray:
        return turner.frame(synthetic.yaw_at(keyframes, t)) if t < 6.0 else other

    return synthetic.write_webm(
        directory / "swap.webm",
        frame_at,
        duration_s=DURATION,
        fps=FPS,
        width=WIDTH,
        height=HEIGHT,
        audio=synthetic.soundtrack(DURATION, digits=DIGITS),
    )


def other_person_frame(width: int, height: int) -> np.ndarray:
    """The man second from the left in the group photo, framed like the astronaut (face ~30% wide)."""
    img = np.asarray(Image.open(GROUP_PHOTO).convert("RGB"))
    face_l, face_t, face_r, face_b = 452, 300, 577, 424
    cw = round((face_r - face_l) / 0.3)
    ch = round(cw * height / width)
    cx, cy = (face_l + face_r) // 2, (face_t + face_b) // 2
    x0 = int(np.clip(cx - cw // 2, 0, img.shape[1] - cw))
    y0 = int(np.clip(cy - round(ch * 0.45), 0, img.shape[0] - ch))
    crop = img[y0 : y0 + ch, x0 : x0 + cw]
    return np.asarray(Image.fromarray(crop).resize((width, height), Image.BICUBIC))


def webm(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile("cameo.webm", path.read_bytes(), content_type="video/webm;codecs=vp9,opus")


def submit(owner: User, clip: Path, **kw: Any) -> Cameo:
    """Upload and verify through the real task; the uploaded file's name is kept on `cameo.uploaded_as`."""
    challenge = recording.challenge_issue(owner=owner)
    cameo = recording.recording_upload(owner=owner, nonce=challenge.nonce, upload=webm(clip), **kw)
    uploaded_as = cameo.recording.name
    recording.cameo_verify(cameo_id=cameo.pk)
    cameo.refresh_from_db()
    cameo.uploaded_as = uploaded_as
    return cameo
