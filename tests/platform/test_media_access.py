"""Who may read which local media file, and Range requests for seeking in videos."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client

from cameos.models import CameoUsage
from feed.models import User
from generation import services, worker
from generation.models import GenerationJob
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_published

pytestmark = pytest.mark.slow


def finished_job(owner: User, prompt: str = "a quiet harbour at dawn") -> GenerationJob:
    job, _ = services.job_create(owner=owner, prompt=prompt)
    worker.job_execute(job.pk)
    job.refresh_from_db()
    return job


def fetch(user: User | None, url: str, **headers: str) -> HttpResponse:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url, **headers)


def test_a_draft_is_readable_by_its_owner_only(alice: User, charlie: User) -> None:
    job = finished_job(alice)
    assert fetch(alice, job.video.url).status_code == 200
    assert fetch(charlie, job.video.url).status_code == 404
    assert fetch(None, job.poster.url).status_code == 404


def test_a_public_post_is_readable_by_anyone_until_taken_down(alice: User, charlie: User) -> None:
    job = finished_job(alice)
    post = post_published(job=job, by=alice, caption="", visibility="public", show_prompt=True)
    assert fetch(None, job.video.url).status_code == 200
    assert fetch(charlie, job.poster.url).status_code == 200
    post.taken_down_at = post.created_at
    post.save()
    assert fetch(charlie, job.video.url).status_code == 404
    assert fetch(alice, job.video.url).status_code == 200


def test_a_cameo_owner_may_watch_other_peoples_drafts_with_their_cameo(alice: User, bob: User, charlie: User) -> None:
    cameo = active_cameo(alice, access="everyone")
    job = finished_job(bob, "@alice waves at the camera")
    assert CameoUsage.objects.filter(cameo=cameo, job=job).exists()
    assert fetch(alice, job.video.url).status_code == 200
    assert fetch(charlie, job.video.url).status_code == 404


def test_range_requests_for_seeking(alice: User) -> None:
    job = finished_job(alice)
    whole = b"".join(fetch(alice, job.video.url).streaming_content)
    part = fetch(alice, job.video.url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert part.content == whole[100:200]
    tail = fetch(alice, job.video.url, HTTP_RANGE="bytes=-50")
    assert tail.content == whole[-50:]
    assert fetch(alice, job.video.url, HTTP_RANGE=f"bytes={len(whole)}-").status_code == 416


def test_paths_outside_media_and_unknown_files_are_404(alice: User) -> None:
    assert fetch(alice, "/media/../manage.py").status_code == 404
    assert fetch(alice, "/media/portraits/anything.jpg").status_code == 404


def test_a_media_name_too_long_for_the_file_system_is_not_found(db) -> None:
    assert fetch(None, "/media/" + "a" * 300 + ".mp4").status_code == 404
    assert fetch(None, "/media/posts/" + "b/" * 3000 + "c.mp4").status_code == 404


def test_a_range_with_absurd_offsets_is_ignored(alice: User) -> None:
    job = finished_job(alice)
    whole = b"".join(fetch(alice, job.video.url).streaming_content)
    for absurd in ("bytes=" + "9" * 4301 + "-", "bytes=0-" + "9" * 4301, "bytes=-" + "9" * 4301):
        response = fetch(alice, job.video.url, HTTP_RANGE=absurd)
        assert response.status_code == 200 and b"".join(response.streaming_content) == whole
