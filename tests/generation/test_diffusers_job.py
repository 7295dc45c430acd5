"""The production path end to end: settings -> DiffusersBackend -> from_pretrained(path) -> job.

The model is a tiny random-weight Wan built in code and saved with save_pretrained, so this runs
the same loading and generation code as real weights, only smaller.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from feed.models import User
from generation import services, worker
from generation.backends import get_backend
from generation.backends.base import GenerationRequest, Shot
from generation.backends.diffusers_backend import DiffusersBackend
from generation.backends.loading import clear_pipeline_cache
from generation.models import GenerationJob
from sora_site import media
from sora_site.errors import DomainError
from tests.builders.tiny_wan import build_tiny_wan

pytestmark = pytest.mark.slow


@pytest.fixture
def diffusers_settings(settings, tmp_path: Path) -> Iterator[Any]:
    model = build_tiny_wan(tmp_path / "tiny-wan", kinds=("t2v",))
    settings.GENERATION_BACKEND = "diffusers"
    settings.MODEL_PATHS = {"sora-2": model, "sora-2-pro": None}
    settings.DIFFUSERS_STEPS = 2
    settings.DIFFUSERS_MAX_AREA = 64 * 112
    settings.DIFFUSERS_MAX_FRAMES = 9
    get_backend.cache_clear()
    yield settings
    get_backend.cache_clear()
    clear_pipeline_cache()


def test_a_job_runs_through_the_diffusers_backend(alice: User, diffusers_settings) -> None:
    job, _ = services.job_create(owner=alice, prompt='a fox says "hello"', size="720x1280", seconds=4)
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert job.state == "completed", job.error_message
    assert (job.backend, job.is_preview) == ("diffusers", False)
    info = media.probe(job.video.path)
    assert (info.width, info.height, info.audio_codec) == (720, 1280, "aac")  # resized up, soundtrack added
    assert abs(info.duration_s - 4) < 0.35


def test_a_model_the_server_lacks_is_refused_before_queueing(alice: User, diffusers_settings) -> None:
    with pytest.raises(DomainError) as error:
        services.job_create(owner=alice, prompt="anything", model="sora-2-pro")
    assert (error.value.code, error.value.status) == ("model_unavailable", 503)
    assert not GenerationJob.objects.exists()


def test_weights_that_went_away_are_refused_at_creation_and_by_the_backend_alike(
    alice: User, settings: Any, tmp_path: Path
) -> None:
    gone = tmp_path / "removed-model"  # configured, but the folder is not there
    settings.GENERATION_BACKEND = "diffusers"
    settings.MODEL_PATHS = {"sora-2": gone, "sora-2-pro": None}
    with pytest.raises(DomainError) as at_creation:
        services.job_create(owner=alice, prompt="anything", model="sora-2")
    assert not GenerationJob.objects.exists()
    request = GenerationRequest("anything", "sora-2", 720, 1280, 1, (Shot("anything", 4),))
    with pytest.raises(DomainError) as in_backend:
        DiffusersBackend({"sora-2": gone}, device="cpu").generate(
            request, on_progress=lambda _f: None, should_cancel=lambda: False
        )
    created, ran = at_creation.value, in_backend.value
    assert (created.code, created.status, created.message) == ("model_unavailable", 503, ran.message)
    assert (ran.code, ran.status) == ("model_unavailable", 503)
