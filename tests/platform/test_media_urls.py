"""Private media is only reachable through signed, expiring URLs, and only by who may see it."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from feed.models import User
from tests.builders.finished_jobs import finished_job

pytestmark = pytest.mark.slow


def fetch(user: User | None, url: str) -> int:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url).status_code


def test_draft_media_urls_are_signed_and_refused_to_strangers(alice: User, charlie: User) -> None:
    job = finished_job(alice, "a snail racing a leaf")
    for field in (job.video, job.poster, job.spritesheet):
        assert "sig" in parse_qs(urlsplit(field.url).query)
        assert fetch(alice, field.url) == 200
        assert fetch(charlie, field.url) == 404
        assert fetch(None, field.url) == 404
    assert job.poster.name.endswith(".webp")
    assert set(job.sprite_layout) == {"tiles", "columns", "rows", "tile_width", "tile_height", "interval_s"}
    unsigned = urlsplit(job.video.url).path
    assert fetch(alice, unsigned) == 403  # the owner too needs a signed link
    assert fetch(alice, job.video.url[:-3] + "xyz") == 403  # a tampered one


def test_an_expired_signed_url_is_refused(alice: User, settings) -> None:
    job = finished_job(alice, "a clock melting in the sun")
    settings.MEDIA_URL_MAX_AGE = 1
    url = job.video.url
    assert fetch(alice, url) == 200
    time.sleep(2.1)
    client = Client()
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 403
    assert b"expired" in response.content
