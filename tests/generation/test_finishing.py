"""The finishing pipeline: steps run in the configured order, are timed, and can refuse a job."""

from __future__ import annotations

from pathlib import Path

import pytest

from feed.models import User
from generation import services, worker
from generation.finishing import Clip
from generation.models import GenerationJob
from generation.quotas import quota_used_today
from sora_site.errors import DomainError

pytestmark = pytest.mark.slow
SOUNDTRACK = "generation.finishing.soundtrack_fill"


def refuse_every_clip(clip: Clip) -> None:
    raise DomainError("frames_refused", "A finishing step refused this video.")


def check_the_encoded_file(clip: Clip, path: Path) -> None:
    """A file step sees the encoded MP4 with the soundtrack a frame step added before it."""
    assert clip.audio is not None
    assert path.read_bytes()[4:8] == b"ftyp"


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
    storage = GenerationJob._meta.get_field("video").storage
    job = run(alice)
    assert (job.state, job.error_code) == ("failed", "frames_refused")
    assert job.error_message == "A finishing step refused this video."
    assert not job.video and not job.poster
    drafts = Path(storage.path(f"drafts/{job.created_at:%Y/%m}"))
    assert not drafts.exists() or not any(job.public_id in name.name for name in drafts.iterdir())
    assert quota_used_today(alice) == 0
