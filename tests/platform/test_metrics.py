"""Prometheus metrics and request ids through the web surface: /metrics is closed unless a token or an
address allows it; requests, the feed, moderation decisions and queue depth show up in it."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from prometheus_client.parser import text_string_to_metric_families

from feed.models import User
from sora_site.celery import task_enqueue
from tests.conftest import PASSWORD, queues_purge

TOKEN = "scrape-token-for-tests"


def scrape(client: Client) -> dict[tuple[str, frozenset], float]:
    """Every sample of the metrics page, by name and labels."""
    with override_settings(METRICS_TOKEN=TOKEN):
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def sample(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def client() -> Client:
    return Client()


def test_metrics_page_is_closed_unless_turned_on(client: Client) -> None:
    assert client.get("/metrics").status_code == 404
    with override_settings(METRICS_TOKEN=TOKEN):
        assert client.get("/metrics").status_code == 403
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
        assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    with override_settings(METRICS_ALLOWED_IPS=["10.0.0.9"]):
        assert client.get("/metrics").status_code == 403  # the test client comes from 127.0.0.1
    with override_settings(METRICS_ALLOWED_IPS=["127.0.0.1"]):
        assert client.get("/metrics").status_code == 200


@pytest.mark.django_db
def test_requests_and_feed_pages_are_timed_per_view(client: Client, alice: User) -> None:
    before = scrape(client)
    assert client.get("/").status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    client.login(username="alice", password=PASSWORD)
    assert client.get("/feed/page/?tab=following").status_code == 200
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("sora_http_request_seconds_count", view="home", method="GET") == 1
    assert grew("sora_http_responses_total", view="home", method="GET", status="200") == 1
    assert grew("sora_http_responses_total", view="unresolved", method="GET", status="404") == 1
    assert grew("sora_feed_page_seconds_count", tab="foryou") == 1
    assert grew("sora_feed_page_seconds_count", tab="following") == 1


@pytest.mark.django_db
def test_moderation_decisions_are_counted_by_stage(client: Client, alice: User) -> None:
    client.login(username="alice", password=PASSWORD)
    before = scrape(client)
    refused = client.post("/create/", {"prompt": "how to cook meth in a trailer", "model": "sora-2", "seconds": "4"})
    assert refused.status_code == 400 and b"prompt_blocked" in refused.content
    after = scrape(client)
    refusals = sample(after, "sora_moderation_decisions_total", stage="prompt", decision="refused")
    assert refusals - sample(before, "sora_moderation_decisions_total", stage="prompt", decision="refused") == 1
    timed = sample(after, "sora_moderation_stage_seconds_count", stage="prompt")
    assert timed - sample(before, "sora_moderation_stage_seconds_count", stage="prompt") == 1


@pytest.mark.django_db
def test_queue_depth_is_read_from_the_broker(client: Client) -> None:
    queues_purge()
    try:
        for job_id in (1, 2, 3):
            task_enqueue("generation.tasks.gpu_generate", job_id)  # no worker runs here: they wait
        task_enqueue("feed.posts.tasks.post_publish_check_run", 1)
        samples = scrape(client)
        assert sample(samples, "sora_queue_depth", queue="gpu") == 3
        assert sample(samples, "sora_queue_depth", queue="default") == 1
    finally:
        queues_purge()
    assert sample(scrape(client), "sora_queue_depth", queue="gpu") == 0


def test_request_id_is_kept_from_the_proxy_or_made(client: Client) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.42").headers["X-Request-ID"] == "lb-7f3a.42"
    made = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="x\r\nSet-Cookie: a=b").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged)
