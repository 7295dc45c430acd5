"""The finishing pipeline: steps run in the configured order, are timed, and can refuse a job."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from feed.models import User
from generation import services, worker
from generation.finishing import Clip, clip_check
from generation.models import GenerationJob
from generation.quotas import quota_used_today
from sora_site import media
from sora_site.errors import DomainError

pytestmark = pytest.mark.slow
SOUNDTRACK = "generation.finishing.soundtrack_fill"


def refuse_every_clip(clip: Clip) -> None:
    raise DomainError("frames_refused", "A finishing step refused this video.")


def check_the_encoded_file(clip: Clip, path: Path) -> None:
    """A file step sees the encoded MP4 with the soundtrack a frame step added before it."""
    assert clip.audio is not None
    assert path.read_bytes()[4:8] == b"ftyp"


SEEN: list[tuple[float, bool]] = []  # what `record_what_it_sees` saw: mean brightness, sound or not


@clip_check
def record_what_it_sees(clip: Clip) -> None:
    SEEN.append((float(np.mean([frame.mean() for frame in clip.frames])), clip.audio is not None))


@clip_check
def refuse_as_a_check(clip: Clip) -> None:
    raise DomainError("frames_refused", "A check refused this video.")


def black_frames(clip: Clip) -> None:
    clip.frames = [np.zeros_like(frame) for frame in clip.frames]


def stored_files(job: GenerationJob) -> list[str]:
    drafts = Path(GenerationJob._meta.get_field("video").storage.path(f"drafts/{job.created_at:%Y/%m}"))
    return [name.name for name in drafts.iterdir() if job.public_id in name.name] if drafts.exists() else []


def run(owner: User) -> GenerationJob:
    job, _ = services.job_create(owner=owner, prompt='a lighthouse keeper says "all clear"')
    worker.job_execute(job.pk)
    job.refresh_from_db()
    return job


def test_steps_run_in_order_and_each_is_timed(alice: User, settings) -> None:
    settings.GENERATION_FILE_STEPS = ["tests.generation.test_finishing.check_the_encoded_file"]
    job = run(alice)
    assert job.state == "completed", job.error_message
    frame_steps = {path.rsplit(".", 1)[1] for path in settings.GENERATION_FRAME_STEPS}
    assert {"soundtrack_fill", "frames_check"} <= frame_steps
    assert set(job.timings) == {
        "generate",
        *frame_steps,
        "encode",
        "check_the_encoded_file",
        "poster",
        "spritesheet",
        "frame_hashes",
        "store",
        "total",
    }


def test_a_step_that_refuses_fails_the_job_stores_nothing_and_refunds(alice: User, settings) -> None:
    settings.GENERATION_FRAME_STEPS = [SOUNDTRACK, "tests.generation.test_finishing.refuse_every_clip"]
    job = run(alice)
    assert (job.state, job.error_code) == ("failed", "frames_refused")
    assert job.error_message == "A finishing step refused this video."
    assert not job.video and not job.poster
    assert not stored_files(job)
    assert quota_used_today(alice) == 0


def test_a_check_sees_the_clip_as_the_steps_before_it_left_it_while_later_steps_make_the_file(
    alice: User, settings
) -> None:
    settings.GENERATION_FRAME_STEPS = [
        SOUNDTRACK,
        "tests.generation.test_finishing.record_what_it_sees",
        "tests.generation.test_finishing.black_frames",
    ]
    SEEN.clear()
    job = run(alice)
    assert job.state == "completed", job.error_message
    [(brightness, heard)] = SEEN
    assert brightness > 10 and heard  # the render with its soundtrack, not the black frames made beside it
    frames = media.decode_video(job.video.path, sample_fps=2, with_audio=False).frames
    assert max(float(frame.mean()) for frame in frames) < 2  # the step after the check made the file
    assert {"record_what_it_sees", "black_frames", "encode", "store"} <= set(job.timings)


def test_a_check_that_refuses_stores_nothing_though_the_file_was_made_beside_it(alice: User, settings) -> None:
    settings.GENERATION_FRAME_STEPS = [SOUNDTRACK, "tests.generation.test_finishing.refuse_as_a_check"]
    job = run(alice)
    assert (job.state, job.error_code) == ("failed", "frames_refused")
    assert not job.video and not job.poster
    assert not stored_files(job)
