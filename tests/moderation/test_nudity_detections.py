"""NudeNet's detections as `moderation.nudity` runs them: its post-processing, found only on the
candidate boxes it keeps, gives what NudeNet's own `detect` gives, on pictures with and without finds."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from moderation import nudity
from tests.builders.explicit_drawing import torso_drawing


def _pictures() -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    return [
        torso_drawing(),
        data.astronaut(),
        data.chelsea(),
        rng.integers(0, 256, (320, 200, 3), dtype=np.uint8),
        np.zeros((240, 320, 3), np.uint8),
    ]


@pytest.mark.parametrize("index", range(5))
def test_the_detections_are_nudenets_own(index: int) -> None:
    picture = _pictures()[index]
    rgba = np.dstack([picture, np.full(picture.shape[:2], 255, np.uint8)])
    nudity.detector_load()
    ours = nudity._detect(rgba)
    assert ours == nudity._detector().detect(rgba)
    if index < 2:  # the drawing's exposed parts, the astronaut's face
        assert ours
