"""Liveness and readiness probes, with each dependency made unreachable for real (a closed port)."""

from __future__ import annotations

import copy
import socket

import pytest
from django.conf import settings
from django.test import Client, override_settings

from sora_site.env import S3Settings, s3_storage_config
from tests.generation.api.clients import key_for


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_at(port: int) -> dict:
    databases = copy.deepcopy(settings.DATABASES)
    databases["default"].update(HOST="127.0.0.1", PORT=str(port))
    return databases


@pytest.fixture
def client() -> Client:
    return Client()


def test_liveness_answers_without_touching_anything(client: Client) -> None:
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0"):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_ready_when_every_dependency_answers(client: Client) -> None:
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok" and body["failed"] == []
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "redis": "ok",
        "storage": "ok",
        "broker": "ok",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("failed", "overrides"),
    [
        ("redis", lambda port: {"REDIS_URL": f"redis://127.0.0.1:{port}/0"}),
        ("broker", lambda port: {"CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0"}),
        ("database", lambda port: {"DATABASES": _database_at(port)}),
        (
            "storage",
            lambda port: {
                "STORAGES": {
                    **settings.STORAGES,
                    "default": s3_storage_config(
                        S3Settings(
                            bucket="media",
                            endpoint_url=f"http://127.0.0.1:{port}",
                            region="us-east-1",
                            access_key="test",
                            secret_key="test",
                        )
                    ),
                },
                "MEDIA_STORAGE": "s3",
            },
        ),
    ],
)
def test_not_ready_names_the_dependency_that_is_down(client: Client, failed: str, overrides) -> None:
    port = closed_port()
    with override_settings(**overrides(port), METRICS_TOKEN="operator-token"):
        anyone = client.get("/readyz").json()
        response = client.get("/readyz", HTTP_AUTHORIZATION="Bearer operator-token")
    # Anyone learns which dependency is down, not where it lives; the operator reads the error.
    assert anyone["failed"] == [failed]
    assert "error" not in anyone["checks"][failed] and str(port) not in str(anyone)
    body = response.json()
    assert response.status_code == 503, body
    assert body["status"] == "failed"
    assert body["failed"] == [failed]
    assert body["checks"][failed]["status"] == "failed"
    assert "refused" in body["checks"][failed]["error"].lower() or "connect" in body["checks"][failed]["error"].lower()
    others = {name: check["status"] for name, check in body["checks"].items() if name != failed}
    assert set(others.values()) == {"ok"}, others


def test_local_media_root_that_cannot_be_made_is_not_ready(client: Client, tmp_path, db) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    with override_settings(MEDIA_ROOT=tmp_path / "a-file" / "media", METRICS_ALLOWED_IPS=["127.0.0.1"]):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["storage"]
    assert "a-file" in response.json()["checks"]["storage"]["error"]


def test_pages_and_the_api_answer_while_the_redis_cache_is_down(alice, caplog) -> None:
    """The cache holds only rate-limit counters and the feed's candidate pools: with Redis unreachable
    the feed remakes its pools and the limits count nothing, rather than answering with a 500."""
    down = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{closed_port()}/0"}}
    assert down["default"]["BACKEND"] == "sora_site.cache.OutageTolerantRedisCache"
    browser = Client()
    browser.force_login(alice)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key_for(alice)}")
    with override_settings(CACHES=down):
        assert browser.get("/").status_code == 200
        assert browser.get("/?tab=following").status_code == 200
        assert api.get("/v1/videos").status_code == 200
    assert "the Redis cache can't be reached" in caplog.text
