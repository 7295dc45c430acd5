"""Creating jobs: every bad request is a clear error and queues nothing.

On-commit hooks (the Celery enqueue) never run here: each test's transaction is rolled back.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from feed.models import Post, User
from generation import services, worker
from generation.models import GenerationJob
from generation.quotas import quota_used_today
from sora_site.errors import DomainError


def image_upload(size: tuple[int, int], fmt: str = "PNG", name: str = "in.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 90)).save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue())


def create(owner: User, **fields: Any) -> GenerationJob:
    job, _ = services.job_create(owner=owner, **({"prompt": "a red fox in snow"} | fields))
    return job


def finished(job: GenerationJob) -> GenerationJob:
    """Marked completed without rendering: these tests are about who may remix, not the video."""
    GenerationJob.objects.filter(pk=job.pk).update(state="completed")
    job.refresh_from_db()
    return job


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"size": "640x480"}, "invalid_size"),
        ({"seconds": 5}, "invalid_seconds"),
        ({"seconds": "twelve"}, "invalid_seconds"),
        ({"model": "sora-3"}, "unknown_model"),
        ({"prompt": "   "}, "prompt_empty"),
        ({"prompt": "x" * 40_000}, "prompt_too_long"),
        ({"shots": [{"prompt": "one", "seconds": 4}]}, "storyboard_shots"),
        ({"shots": [{"prompt": "s", "seconds": 4}] * 7}, "storyboard_shots"),
        ({"shots": [{"prompt": "a", "seconds": 12}, {"prompt": "b", "seconds": 12}]}, "storyboard_too_long"),
        ({"shots": [{"prompt": "a", "seconds": 4}, {"prompt": "", "seconds": 4}]}, "prompt_empty"),
        ({"shots": [{"prompt": "a", "seconds": 0}, {"prompt": "b", "seconds": 4}]}, "storyboard_shot_seconds"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_queued(alice: User, fields: dict, code: str) -> None:
    with pytest.raises(DomainError) as error:
        create(alice, **fields)
    assert error.value.code == code
    assert error.value.message
    assert not GenerationJob.objects.exists()  # the enqueue is an on-commit hook of the row's insert


def test_a_valid_job_is_queued_after_commit(alice: User, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = create(alice, size="1280x720", seconds="8", model="sora-2-pro")
    assert (job.state, job.width, job.height, job.seconds, job.model) == ("queued", 1280, 720, 8, "sora-2-pro")
    assert job.charged_seconds == 8 and job.public_id.startswith("video_")
    assert len(callbacks) == 2  # the Celery enqueue and the progress push, both after commit


def test_dated_model_snapshots_map_to_models(alice: User) -> None:
    assert create(alice, model="sora-2-pro-2025-10-06").model == "sora-2-pro"


def test_storyboard_keeps_its_shots(alice: User) -> None:
    shots = [
        {"prompt": "wide shot of a city", "seconds": 3},
        {"prompt": "close-up", "seconds": "5"},
        {"prompt": "aerial", "seconds": 4},
    ]
    job = create(alice, shots=shots)
    assert job.seconds == 12 and job.is_storyboard
    assert [s["seconds"] for s in job.shots] == [3, 5, 4]


def test_idempotency_key_returns_the_first_job(alice: User) -> None:
    first = create(alice, idempotency_key="k1")
    again = create(alice, idempotency_key="k1", prompt="something else")
    assert again.pk == first.pk and GenerationJob.objects.count() == 1


class TestInputImage:
    def test_image_is_cropped_to_the_size_and_the_user_told(self, alice: User) -> None:
        job, notices = services.job_create(owner=alice, prompt="animate", input_image=image_upload((800, 600)))
        assert notices == ["Your image (800x600) was resized and cropped to 720x1280."]
        with job.input_image.open("rb") as handle, Image.open(handle) as stored:
            assert stored.size == (720, 1280)

    def test_non_image_is_refused(self, alice: User) -> None:
        with pytest.raises(DomainError) as error:
            create(alice, input_image=SimpleUploadedFile("cat.png", b"GIF89a not really"))
        assert error.value.code == "image_invalid"
        assert not GenerationJob.objects.exists()

    def test_gif_is_refused(self, alice: User) -> None:
        with pytest.raises(DomainError) as error:
            create(alice, input_image=image_upload((10, 10), "GIF", "a.gif"))
        assert error.value.code == "image_bad_format"

    def test_huge_dimensions_are_refused_before_decoding(self, alice: User) -> None:
        # A 30,000 x 30,000 PNG header: decoding it would need 2.7 GB. Refused from the header alone.
        out = io.BytesIO()
        Image.new("1", (30_000, 30_000)).save(out, "PNG")
        with pytest.raises(DomainError) as error:
            create(alice, input_image=SimpleUploadedFile("big.png", out.getvalue()))
        assert error.value.code == "image_too_large"

    def test_too_many_bytes_are_refused(self, alice: User, settings) -> None:
        settings.GENERATION_INPUT_IMAGE_MAX_BYTES = 2048
        with pytest.raises(DomainError) as error:
            create(alice, input_image=SimpleUploadedFile("big.png", b"\x00" * 4096))
        assert error.value.code == "image_too_large"


class TestQuota:
    def test_concurrency_limit(self, alice: User, settings) -> None:
        settings.GENERATION_MAX_CONCURRENT = 2
        create(alice)
        create(alice)
        with pytest.raises(DomainError) as error:
            create(alice)
        assert (error.value.code, error.value.status) == ("too_many_active_jobs", 429)

    def test_daily_seconds(self, alice: User, settings) -> None:
        settings.GENERATION_DAILY_SECONDS = 12
        settings.GENERATION_MAX_CONCURRENT = 10
        create(alice, seconds=8)
        with pytest.raises(DomainError) as error:
            create(alice, seconds=8)
        assert error.value.code == "quota_exceeded"
        assert GenerationJob.objects.count() == 1

    def test_teens_get_the_lower_limits(self, teen: User, settings) -> None:
        settings.GENERATION_MAX_CONCURRENT_TEEN = 1
        create(teen)
        with pytest.raises(DomainError) as error:
            create(teen)
        assert error.value.code == "too_many_active_jobs"

    def test_failed_jobs_are_refunded(self, alice: User, settings) -> None:
        settings.GENERATION_DAILY_SECONDS = 8
        job = create(alice, seconds=8, input_image=image_upload((720, 1280)))
        assert quota_used_today(alice) == 8
        # The worker finds its input gone from storage: a real failure on the real worker path.
        job.input_image.storage.delete(job.input_image.name)
        worker.job_execute(job.pk)
        job.refresh_from_db()
        assert (job.state, job.error_code) == ("failed", "generation_error")
        assert quota_used_today(alice) == 0
        create(alice, seconds=8)


class TestRemix:
    def test_someone_elses_private_draft_cannot_be_remixed(self, alice: User, charlie: User) -> None:
        draft = finished(create(alice))
        with pytest.raises(DomainError) as error:
            create(charlie, remix_of=draft)
        assert error.value.code == "remix_not_allowed"

    def test_private_post_cannot_be_remixed_by_others(self, alice: User, charlie: User) -> None:
        post = Post.objects.create(author=alice, job=finished(create(alice)), video="x.mp4", visibility="private")
        with pytest.raises(DomainError) as error:
            create(charlie, remix_of=post.job)
        assert error.value.code == "remix_not_allowed"

    def test_web_remix_of_a_private_post_is_a_404(self, client: Client, alice: User, charlie: User) -> None:
        post = Post.objects.create(author=alice, job=finished(create(alice)), video="x.mp4", visibility="private")
        jobs_before = GenerationJob.objects.count()
        client.force_login(charlie)
        response = client.post(
            reverse("create"),
            {
                "prompt": "mine now",
                "remix": post.job.public_id,
                "mode": "single",
                "seconds": "4",
                "size": "720x1280",
                "model": "sora-2",
            },
        )
        assert response.status_code == 404
        assert GenerationJob.objects.count() == jobs_before


def test_a_malformed_remix_reference_is_a_404(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert client.get(reverse("create"), {"remix": "1; drop"}).status_code == 404


def test_web_form_shows_the_error_and_keeps_the_prompt(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("create"), {"prompt": "a cat", "mode": "single", "seconds": "5", "size": "720x1280", "model": "sora-2"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Duration must be one of 4, 8, 12 seconds." in body and ">a cat</textarea>" in body
    assert not GenerationJob.objects.exists()


def test_someone_elses_job_is_a_404(client: Client, alice: User, charlie: User) -> None:
    job = create(alice)
    client.force_login(charlie)
    assert client.get(reverse("job_status", args=[job.public_id])).status_code == 404
    assert client.post(reverse("job_cancel", args=[job.public_id])).status_code == 404
    job.refresh_from_db()
    assert not job.cancel_requested
