"""Running jobs: the real preview backend, PyAV encoding, storage, tokens, cancel and the watchdog."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feed.models import Post, User
from feed.posts.services import post_publish_check
from generation import services, worker
from generation.models import GenerationJob
from generation.quotas import quota_used_today
from generation.transitions import job_end
from sora_site import media
from sora_site.errors import DomainError
from tests.builders.posts import post_published
from tests.conftest import wait_for

pytestmark = pytest.mark.slow


def queued(owner: User, **fields: Any) -> GenerationJob:
    job, _ = services.job_create(
        owner=owner, **({"prompt": 'a lighthouse in a storm, a sailor says "hold fast"'} | fields)
    )
    return job


def test_a_job_becomes_a_draft_with_sound(alice: User) -> None:
    job = queued(alice, size="1280x720")
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert (job.state, job.progress, job.error_code) == ("completed", 100, "")
    info = media.probe(job.video.path)
    assert (info.width, info.height, info.video_codec, info.audio_codec) == (1280, 720, "h264", "aac")
    assert abs(info.duration_s - 4) < 0.3
    assert job.poster.storage.exists(job.poster.name)
    assert job.is_preview and job.backend == "preview"
    assert {"generate", "encode", "store", "total"} <= set(job.timings)
    assert job.charged_seconds == 4  # a completed job keeps its charge


def test_a_duplicate_delivery_cannot_run_a_job_twice(alice: User) -> None:
    job = queued(alice)
    worker.job_execute(job.pk)
    job.refresh_from_db()
    first_video, first_completed = job.video.name, job.completed_at
    worker.job_execute(job.pk)  # the same Celery message delivered again
    job.refresh_from_db()
    assert (job.video.name, job.completed_at) == (first_video, first_completed)


def test_a_worker_with_a_stale_token_cannot_write(alice: User) -> None:
    job = queued(alice)
    stale_token = worker.job_claim(job.pk)
    GenerationJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert worker.jobs_requeue_stalled() == {"requeued": 1, "failed": 0}
    fresh_token = worker.job_claim(job.pk)
    assert fresh_token and fresh_token != stale_token
    assert worker.job_claim(job.pk) is None  # already claimed
    stale_worker = worker.ProgressReporter(job, stale_token, {})
    stale_worker.report(0.5)
    assert stale_worker.should_cancel()  # it learns it lost the job
    assert not job_end(job.pk, state=GenerationJob.State.FAILED, token=stale_token, error=("x", "should not land"))
    job.refresh_from_db()
    assert (job.state, job.failures) == ("in_progress", 1)


def test_watchdog_fails_a_job_after_too_many_tries_and_refunds(alice: User, settings) -> None:
    settings.GENERATION_MAX_ATTEMPTS = 2
    job = queued(alice, seconds=8)
    for expected in ({"requeued": 1, "failed": 0}, {"requeued": 0, "failed": 1}):
        worker.job_claim(job.pk)
        GenerationJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
        assert worker.jobs_requeue_stalled() == expected
    job.refresh_from_db()
    assert (job.state, job.error_code, job.charged_seconds) == ("failed", "worker_lost", 0)
    assert "refunded" in job.error_message
    assert quota_used_today(alice) == 0


def test_cancel_a_running_job(transactional_db, alice: User) -> None:
    job = queued(alice, size="1792x1024", shots=[{"prompt": f"shot {n}", "seconds": 5} for n in range(4)])
    runner = threading.Thread(target=worker.job_execute, args=(job.pk,))
    runner.start()
    wait_for(job, lambda j: j.state == "in_progress" and j.progress >= 1)
    services.job_cancel(job=job, by=alice)
    runner.join(timeout=60)
    job.refresh_from_db()
    assert (job.state, job.error_code, job.charged_seconds) == ("cancelled", "cancelled", 0)
    assert not job.video


def test_cancel_a_queued_job_is_immediate(alice: User) -> None:
    job = services.job_cancel(job=queued(alice), by=alice)
    assert job.state == "cancelled"
    worker.job_execute(job.pk)  # its Celery message arrives later: nothing happens
    job.refresh_from_db()
    assert job.state == "cancelled"


def test_retry_and_delete(alice: User) -> None:
    job = services.job_cancel(job=queued(alice), by=alice)
    retry = services.job_retry(job=job, by=alice)
    assert (retry.state, retry.prompt, retry.seed) == ("queued", job.prompt, job.seed)
    services.job_delete(job=job, by=alice)
    assert not GenerationJob.objects.filter(pk=job.pk).exists()
    with pytest.raises(DomainError) as error:
        services.job_delete(job=retry, by=alice)
    assert error.value.code == "job_active"


def test_post_a_draft_then_it_shows_on_the_profile(client: Client, alice: User, bob: User) -> None:
    job = queued(alice)
    worker.job_execute(job.pk)
    client.force_login(alice)
    response = client.post(
        reverse("draft_publish", args=[job.public_id]),
        {"caption": "Storm!", "visibility": "public", "show_prompt": "on"},
    )
    post = Post.objects.get(job=job)
    assert response.url == reverse("post_detail", args=[post.pk])
    client.force_login(bob)
    assert reverse("post_detail", args=[post.pk]) not in client.get(reverse("profile", args=["alice"])).content.decode()
    post_publish_check(post_id=post.pk)  # the publish stage, as its task runs after the commit
    profile = client.get(reverse("profile", args=["alice"])).content.decode()
    assert reverse("post_detail", args=[post.pk]) in profile
    with pytest.raises(DomainError) as error:
        services.job_delete(job=job, by=alice)
    assert error.value.code == "job_posted"


def test_remix_chain_is_navigable_both_ways(client: Client, alice: User, bob: User, charlie: User) -> None:
    parent_job = queued(alice)
    worker.job_execute(parent_job.pk)
    parent = post_published(job=parent_job, by=alice, caption="original", visibility="public", show_prompt=True)
    remix_job = queued(bob, prompt="the same lighthouse, but in candy colours", remix_of=parent.job)
    worker.job_execute(remix_job.pk)
    remix_job.refresh_from_db()
    assert remix_job.state == "completed", remix_job.error_message
    remix = post_published(job=remix_job, by=bob, caption="candy remix", visibility="public", show_prompt=False)
    assert remix.remix_of == parent
    client.force_login(charlie)
    assert "candy remix" in client.get(reverse("post_detail", args=[parent.pk])).content.decode()
    child_page = client.get(reverse("post_detail", args=[remix.pk])).content.decode()
    assert "original" in child_page and "the same lighthouse" not in child_page  # prompt hidden


def test_killed_worker_job_is_requeued_and_completes(alice: User, start_worker) -> None:
    job = queued(alice, size="1792x1024", shots=[{"prompt": f"shot {n}", "seconds": 5} for n in range(4)])
    celery_worker = start_worker()
    wait_for(job, lambda j: j.state == "in_progress" and j.progress >= 1, timeout=120)
    celery_worker.kill()
    job.refresh_from_db()
    assert job.state == "in_progress"  # nobody else knows the worker died
    assert worker.jobs_requeue_stalled(now=timezone.now() + dt.timedelta(hours=1)) == {"requeued": 1, "failed": 0}
    start_worker()
    job = wait_for(job, lambda j: j.state in ("completed", "failed"), timeout=180)
    assert (job.state, job.failures) == ("completed", 1), job.error_message
