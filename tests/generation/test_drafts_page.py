"""The drafts page and the create page: percent done, time left from the job's own rate, and the
day's quota shown before it is hit."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client
from django.urls import reverse

from feed.models import User
from generation import services, worker
from generation.events import job_as_dict
from generation.models import GenerationJob


def queued(owner: User, seconds: int = 4) -> GenerationJob:
    job, _ = services.job_create(owner=owner, prompt="a red fox in snow", seconds=seconds)
    return job


def running_for(job: GenerationJob, seconds: float) -> worker.ProgressReporter:
    """Claimed by the worker path, as if it had started `seconds` ago (no sleeping in tests)."""
    token = worker.job_claim(job.pk)
    assert token is not None
    started = GenerationJob.objects.get(pk=job.pk).started_at - dt.timedelta(seconds=seconds)
    GenerationJob.objects.filter(pk=job.pk).update(started_at=started)
    job.refresh_from_db()
    return worker.ProgressReporter(job, token, {"generate": 1.0})  # all of its time in the generate phase


def test_time_left_comes_from_the_jobs_progress_rate_and_is_pushed(client: Client, alice: User) -> None:
    job = queued(alice)
    assert job_as_dict(job)["seconds_left"] is None
    reporter = running_for(job, 10)
    reporter.report(0.225)  # 23 points in 10 s: 77 to go at 2.3 points a second
    pushed = job_as_dict(reporter.job)  # what the worker's progress push carries
    assert pushed["progress"] == 23 and 32 <= pushed["seconds_left"] <= 34

    client.force_login(alice)
    status = client.get(reverse("job_status", args=[job.public_id])).json()
    assert status["progress"] == 23 and 32 <= status["seconds_left"] <= 34
    card = client.get(reverse("job_card", args=[job.public_id])).content.decode()
    assert "23%" in card and re.search(r"about 3[234] s left", card)


def test_a_slow_job_says_minutes_and_a_queued_one_says_it_waits(client: Client, alice: User) -> None:
    waiting, slow = queued(alice), queued(alice)
    running_for(slow, 300).report(0.08)  # 8 points in 5 minutes
    client.force_login(alice)
    page = client.get(reverse("jobs")).content.decode()
    assert "waiting for a worker" in page
    assert re.search(r"about 5[0-9] min left", page)
    assert waiting.public_id in page


def test_just_started_job_has_no_estimate_yet(alice: User) -> None:
    reporter = running_for(queued(alice), 10)
    reporter.report(0.01)  # 1 point: too little to tell
    assert job_as_dict(reporter.job)["seconds_left"] is None


def test_quota_left_is_shown_on_create_and_drafts_pages(client: Client, alice: User, teen: User, settings) -> None:
    settings.GENERATION_DAILY_SECONDS = 24
    client.force_login(alice)
    assert "24 of 24 s" in client.get(reverse("create")).content.decode()
    queued(alice, seconds=12)
    queued(alice, seconds=8)
    drafts = client.get(reverse("jobs")).content.decode()
    assert "4 of 24 s" in drafts and "2 of 2 videos in progress" in drafts
    create = client.get(reverse("create")).content.decode()
    # Durations over what is left are disabled before the user hits the limit.
    enabled = set(re.findall(r'name="seconds" value="(\d+)"(?![^>]*disabled)', create))
    assert enabled == {"4"}

    client.force_login(teen)
    assert "60 of 60 s" in client.get(reverse("create")).content.decode()


def test_used_up_quota_says_when_it_comes_back(client: Client, alice: User, settings) -> None:
    settings.GENERATION_DAILY_SECONDS = 8
    queued(alice, seconds=8)
    client.force_login(alice)
    page = client.get(reverse("create")).content.decode()
    assert "0 of 8 s" in page and "used today's seconds" in page
    assert not re.findall(r'name="seconds" value="(\d+)"(?![^>]*disabled)', page)
