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


def test_the_mark_is_invisible_watermarks_dwtdctsvd_read_by_the_library_itself() -> None:
    """Our vectorised embedding is the library's scheme: its own decoder reads the bits back."""
    import cv2
    from imwatermark.dwtDctSvd import EmbedDwtDctSvd

    rng = np.random.default_rng(3)
    frame = cv2.GaussianBlur(rng.integers(0, 255, (1280, 720, 3), dtype=np.uint8), (31, 31), 0)
    bits = invisible.payload_bits(987_654)
    marked = invisible.frame_mark(frame, bits)
    assert cv2.PSNR(frame, marked) > 38  # invisible: a small change
    small = cv2.resize(marked, invisible.work_size(720, 1280), interpolation=cv2.INTER_AREA)
    library = EmbedDwtDctSvd(wmLen=len(bits), scales=[0, invisible.QUANT_STEP, 0], block=invisible.BLOCK)
    decoded = library.decode(cv2.cvtColor(small, cv2.COLOR_RGB2BGR)).astype(np.uint8)
    assert int((decoded != bits).sum()) <= 2
    assert invisible.frames_decode([marked]) == 987_654
