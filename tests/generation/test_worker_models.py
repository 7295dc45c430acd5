"""A worker's models: loaded once per process from its start, beside its tasks (settings.WORKER_MODELS),
with a line saying so, and nothing loaded that a job does not need (the voice models, while no voice it could match is
registered). Real worker processes on the test database; what they print is what an operator sees."""

from __future__ import annotations

import pytest
from django.conf import settings

from feed.models import User
from generation import services
from generation.models import GenerationJob
from tests.conftest import wait_for
from tests.moderation.test_voice_stage import DIALOGUE, HIGH_VOICE, voiced_cameo

pytestmark = pytest.mark.slow


def rendered(owner: User, prompt: str) -> GenerationJob:
    job, _ = services.job_create(owner=owner, prompt=prompt, seconds=4)
    job = wait_for(job, lambda j: j.state in ("completed", "failed"), timeout=180)
    assert job.state == "completed", job.error_message
    return job


def test_a_worker_loads_its_models_at_start_once_and_says_how_long_each_took(alice: User, start_worker) -> None:
    worker = start_worker(WORKER_MODELS_WARM="1", TEXT_EMBEDDINGS_WARM="1")
    # The models load on a thread beside the tasks: the job may run before the last of them is loaded.
    rendered(alice, "a paper boat on a pond")
    line = worker.wait_for_line("models loaded in", timeout=300)
    output = worker.stop()
    assert all(f"{label} " in line for label in settings.WORKER_MODELS), line
    # Each loaded once: the job waited for the frames stage's load under way instead of loading it again.
    assert output.count("loaded NudeNet in") == 1 and output.count("loaded dlib in") == 1, output


def test_dialogue_is_not_listened_to_while_no_voice_it_could_match_is_registered(
    alice: User, charlie: User, start_worker
) -> None:
    worker = start_worker()  # WORKER_MODELS_WARM=0 (tests/settings.py): each model loads when first used
    rendered(charlie, DIALOGUE)  # spoken by espeak-ng; nobody has registered a voice
    voiced_cameo(charlie, HIGH_VOICE)  # charlie's own voice: his jobs may use it
    rendered(charlie, DIALOGUE)
    first = worker.stop()
    assert "loaded NudeNet" in first  # the frames stage ran
    assert "loaded silero VAD" not in first and "loaded resemblyzer" not in first

    voiced_cameo(alice, HIGH_VOICE)  # a voice charlie's jobs may not use: now his speech is compared
    worker = start_worker()
    rendered(charlie, DIALOGUE)
    assert "loaded silero VAD" in worker.stop()
