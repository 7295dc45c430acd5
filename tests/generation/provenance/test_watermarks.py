"""The visible label and the invisible job id: on every video, and the id survives a re-upload."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from feed.models import User
from generation.provenance import invisible, visible
from generation.provenance.reading import video_read
from sora_site.media import encode_mp4
from tests.builders.finished_jobs import finished_job, reupload_copy

pytestmark = pytest.mark.slow


def test_the_job_id_survives_a_lower_bitrate_a_2s_trim_and_half_size(alice: User, tmp_path: Path) -> None:
    job = finished_job(alice, "fireflies over a meadow at dusk")
    copy = reupload_copy(Path(job.video.path), tmp_path / "copy.mp4", skip_s=2.0, scale=0.5, bit_rate=300_000)
    reading = video_read(copy)
    assert reading.manifest.state == "none"  # the copy lost its manifest
    assert reading.watermark_job_pk == job.pk


def test_a_textured_clip_keeps_its_id_through_a_400_kbps_reencode_at_full_size(tmp_path: Path) -> None:
    # x264 at 400 kb/s quantises a faint pattern out of busy texture: the reader must lean on what is left.
    marked = invisible.frames_mark(_textured_clip(24), 987_654)
    finished = tmp_path / "finished.mp4"
    encode_mp4(marked, 12, None, 48_000, finished)
    copy = reupload_copy(finished, tmp_path / "copy.mp4", skip_s=0.5, scale=1.0, bit_rate=400_000)
    assert video_read(copy).watermark_job_pk == 987_654


def test_a_video_without_our_mark_decodes_to_nothing(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    frames = [rng.integers(0, 255, (256, 144, 3), dtype=np.uint8) for _ in range(24)]
    path = tmp_path / "other.mp4"
    encode_mp4(frames, 12, None, 48_000, path)
    assert video_read(path).watermark_job_pk is None


def test_the_visible_label_moves_so_no_single_crop_removes_it() -> None:
    frames = [np.full((1280, 720, 3), 90, np.uint8) for _ in range(12 * 7)]  # 7 s at 12 fps
    labelled = visible.frames_label(frames, 12, visible.label_text("OpenReel", "alice"))

    def marked_box(frame: np.ndarray) -> tuple[int, int, int, int]:
        ys, xs = np.nonzero(np.abs(frame.astype(int) - 90).sum(axis=2) > 30)
        return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())

    first, later, last = (marked_box(labelled[i]) for i in (0, 12 * 4, 12 * 6 + 1))
    assert first[0] < 100 and first[1] < 200  # top left
    assert later[2] > 620 and later[3] > 1080  # bottom right, 3 s later
    assert last[2] > 620 and last[1] < 200  # top right
    width = first[2] - first[0]
    assert 720 * 0.2 < width < 720 * 0.6  # scaled to the frame: legible, not a banner


def _textured_clip(count: int = 12) -> list[np.ndarray]:
    """A photo panning slowly (content that moves while the mark stays)."""
    import cv2
    from skimage import data

    photo = cv2.resize(data.astronaut(), (1280, 1280))[:, 280:1000]
    return [cv2.warpAffine(photo, np.float32([[1, 0, 3 * i], [0, 1, 2 * i]]), (720, 1280)) for i in range(count)]


def test_the_mark_is_invisible_and_survives_crops_rotation_mirroring_and_scale() -> None:
    import cv2

    frames = _textured_clip()
    marked = invisible.frames_mark(frames, 987_654)
    assert min(cv2.PSNR(a, b) for a, b in zip(frames, marked, strict=True)) >= 40

    def rotated(frame: np.ndarray, degrees: float) -> np.ndarray:
        matrix = cv2.getRotationMatrix2D((360, 640), degrees, 1.0)
        return cv2.warpAffine(frame, matrix, (720, 1280))

    copies = {
        "crop to 70%": [f[192:1088, 108:612] for f in marked],
        "square": [f[280:1000] for f in marked],
        "rotated 10 degrees": [rotated(f, 10) for f in marked],
        "mirrored": [np.ascontiguousarray(f[:, ::-1]) for f in marked],
        "half size": [cv2.resize(f, (360, 640), interpolation=cv2.INTER_AREA) for f in marked],
    }
    for name, copy in copies.items():
        assert invisible.frames_decode(copy) == 987_654, name
    assert invisible.frames_decode(frames) is None
    assert invisible.frames_decode([f[192:1088, 108:612] for f in frames]) is None


def test_a_screen_filmed_at_an_angle_still_gives_the_id() -> None:
    # A phone filming a screen: a perspective (the tile grid's period and angle change across the
    # frame, so no single grid folds it), a gamma change, blur and sensor noise.
    import cv2

    frames = _textured_clip()
    marked = invisible.frames_mark(frames, 987_654)
    rng = np.random.default_rng(11)
    gamma = np.clip((np.arange(256) / 255.0) ** 1.2 * 255, 0, 255).astype(np.uint8)
    screen = np.float32([[0, 0], [720, 0], [720, 1280], [0, 1280]])

    def filmed(clip: list[np.ndarray], corners: list[list[int]]) -> list[np.ndarray]:
        warp = cv2.getPerspectiveTransform(screen, np.float32(corners))
        copies = []
        for frame in clip:
            seen = cv2.GaussianBlur(cv2.LUT(cv2.warpPerspective(frame, warp, (540, 960)), gamma), (3, 3), 0.8)
            copies.append(np.clip(seen + rng.normal(0, 2.0, seen.shape), 0, 255).astype(np.uint8))
        return copies

    for corners in ([[60, 30], [520, 70], [500, 880], [30, 930]], [[70, 40], [510, 60], [490, 900], [40, 920]]):
        assert invisible.frames_decode(filmed(marked, corners)) == 987_654, corners
        assert invisible.frames_decode(filmed(frames, corners)) is None, corners
