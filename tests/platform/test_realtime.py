"""The real queue and the real sockets: Celery over Redis, Channels over Redis behind Daphne."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from websockets.exceptions import InvalidStatus

from feed.models import User
from sora_site.celery import app as celery_app
from sora_site.events import user_event_send


def test_tasks_are_routed_by_name() -> None:
    assert celery_app.amqp.router.route({}, "generation.tasks.gpu_generate")["queue"].name == "gpu"
    assert celery_app.amqp.router.route({}, "feed.tasks.sessions_clear_expired")["queue"].name == "default"
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


@pytest.mark.slow
def test_a_real_worker_runs_a_task_over_redis(transactional_db) -> None:
    from feed.tasks import sessions_clear_expired

    assert settings.CELERY_BROKER_URL.startswith("redis://")
    expired = Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now())
    with start_worker(celery_app, queues=["default"], perform_ping_check=False, shutdown_timeout=10):
        sessions_clear_expired.delay()  # results are not kept (CELERY_TASK_IGNORE_RESULT): watch its effect
        deadline = time.monotonic() + 30
        while Session.objects.filter(pk=expired.pk).exists():
            assert time.monotonic() < deadline, "the worker did not run the task"
            time.sleep(0.1)


def _session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def _receive_one(url: str, cookie: str, send_after_connect) -> dict:
    async with websockets.connect(url, additional_headers={"Cookie": cookie, "Origin": "http://127.0.0.1"}) as socket:
        await socket.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10)) == {"type": "pong"}
        await asyncio.to_thread(send_after_connect)
        return json.loads(await asyncio.wait_for(socket.recv(), 10))


@pytest.mark.slow
def test_an_event_reaches_only_its_owners_socket(live_server_url: str, alice: User, charlie: User) -> None:
    ws_url = live_server_url.replace("http", "ws") + "/ws/events/"
    event = {"type": "job.progress", "job": 1, "progress": 42}
    received = asyncio.run(_receive_one(ws_url, _session_cookie(alice), lambda: user_event_send(alice.pk, event)))
    assert received == event

    async def charlie_hears_nothing() -> None:
        async with websockets.connect(
            ws_url, additional_headers={"Cookie": _session_cookie(charlie), "Origin": "http://127.0.0.1"}
        ) as socket:
            await asyncio.to_thread(user_event_send, alice.pk, event)
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(socket.recv(), 1.5)

    asyncio.run(charlie_hears_nothing())


@pytest.mark.slow
def test_anonymous_socket_is_refused(live_server_url: str) -> None:
    async def connect() -> None:
        async with websockets.connect(
            live_server_url.replace("http", "ws") + "/ws/events/", additional_headers={"Origin": "http://127.0.0.1"}
        ):
            pass

    # The consumer closes before accepting, which Daphne turns into a refused handshake.
    with pytest.raises(InvalidStatus) as refused:
        asyncio.run(connect())
    assert refused.value.response.status_code == 403
