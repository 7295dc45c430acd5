"""The finishing pipeline: steps run in the configured order, are timed, and can refuse a job."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from feed.models import User
from generation import services, worker
from generation.backends import get_backend
from generation.finishing import Clip, clip_check, clip_finish
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


THUMBNAILS_MADE = threading.Event()  # set by the test's on_phase_done when the verify index is made
SIGNED_AFTER_THUMBNAILS: list[bool] = []


def wait_for_the_thumbnails(clip: Clip, path: Path) -> None:
    """A file step (it runs after the encode) that waits, at most 10 s, for the thumbnails to be made."""
    SIGNED_AFTER_THUMBNAILS.append(THUMBNAILS_MADE.wait(timeout=10))


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


def test_the_thumbnails_are_made_from_the_final_frames_while_the_file_is_encoded_and_signed(
    alice: User, settings
) -> None:
    """The poster, scrub strip and verify index need the marked frames, not the file: they are made on
    the job's thread once the checks are done, while the other thread still encodes and signs (on an
    idle 2-core machine the encode is the longer half: docs/BENCHMARKS.md, "First minute")."""
    settings.GENERATION_FILE_STEPS = ["tests.generation.test_finishing.wait_for_the_thumbnails"]
    THUMBNAILS_MADE.clear()
    SIGNED_AFTER_THUMBNAILS.clear()
    job, _ = services.job_create(owner=alice, prompt="a red kite over the sea at dawn")
    with contextlib.ExitStack() as files:
        request = worker.job_request_build(job, files)
        result = get_backend().generate(request, on_progress=lambda _fraction: None, should_cancel=lambda: False)

        def phase_done(name: str) -> None:
            if name == "frame_hashes":
                THUMBNAILS_MADE.set()

        timings: dict[str, float] = {}
        finished = clip_finish(
            job, request, result, stem=f"drafts/test/{job.public_id}", timings=timings, on_phase_done=phase_done
        )
    assert SIGNED_AFTER_THUMBNAILS == [True]  # the file step found them made: it did not wait its 10 s
    assert finished.poster and finished.spritesheet and finished.frame_hashes and finished.fingerprints
    assert timings["wait_for_the_thumbnails"] < 5


# A fresh process (this one has imported everything already): the worker's finishing warm-up, then what
# a job's finishing runs on a 4 s clip; prints the modules that only the job imported.
FIRST_JOB = """
import sys, tempfile
from pathlib import Path
import django
django.setup()
import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string
from generation import worker
from generation.audio import render_soundtrack
from generation.backends.base import Shot
from generation.provenance.fingerprints import video_fingerprints
from generation.provenance.reading import frame_hashes
from sora_site import media
import_string(settings.WORKER_MODELS["finishing"])()
before = set(sys.modules)
sound = render_soundtrack(prompt_shots=(Shot("waves on a beach at dusk", 4.0),), seed=1, voices=())
frames = [np.full((1280, 720, 3), 90, np.uint8)] * 48
with tempfile.TemporaryDirectory() as workdir:
    media.encode_mp4(frames, 12, sound.audio, media.AUDIO_RATE, Path(workdir) / "clip.mp4")
media.poster_webp(frames[16]), media.spritesheet_jpeg(frames, 12)
frame_hashes(frames, 12), video_fingerprints(frames, 12)
print(sorted(set(sys.modules) - before))
"""


def test_a_workers_first_job_imports_nothing_its_finishing_warm_up_left_out() -> None:
    """SciPy's filters (the soundtrack) and Pillow's writers were loaded by the first job after a
    worker's start: ~0.1 CPU-s on its critical path, now paid at start (settings.WORKER_MODELS)."""
    ran = subprocess.run(
        [sys.executable, "-c", FIRST_JOB],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().splitlines()[-1] == "[]"
