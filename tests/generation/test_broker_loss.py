"""Messages Celery + Redis lose are recovered by the app: a Redis restart empties the queues (Redis keeps
them in memory only), and a job created while Redis is down was never sent. The watchdog sends every
queued job the broker does not hold again, and a job sent twice still runs once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.utils import timezone
from kombu import Connection

from feed.models import User
from generation import services, worker
from generation.models import GenerationJob
from generation.queue import GPU_GENERATE
from sora_site import embedded_redis
from sora_site.broker import task_args_held
from sora_site.celery import app as celery_app
from tests.conftest import ROOT, database_url_for_test_db, queues_purge, wait_for

LATER = dt.timedelta(minutes=10)  # past GENERATION_RESEND_SECONDS


def queued(owner: User, prompt: str = "a lighthouse in a storm") -> GenerationJob:
    job, _ = services.job_create(owner=owner, prompt=prompt)
    return job


def jobs_now() -> list[tuple[object, ...]]:
    """Every job in the database, for an assertion's message: a message held for a job that is not
    there was left in the broker by an earlier test or an earlier run (`queues_purge`)."""
    return list(GenerationJob.objects.values_list("pk", "prompt", "owner__username", "state", "created_at"))


def test_only_queued_jobs_the_broker_lost_are_sent_again_and_once(transactional_db, alice: User) -> None:
    queues_purge()
    job = queued(alice)  # sent after commit
    assert task_args_held(GPU_GENERATE) == {(job.pk,)}, jobs_now()
    assert worker.jobs_resend_lost(now=timezone.now() + LATER) == 0  # its message is there

    queues_purge()  # what a Redis restart does to a queue
    assert worker.jobs_resend_lost() == 0  # too young: its message may still be on its way
    assert worker.jobs_resend_lost(now=timezone.now() + LATER) == 1
    assert task_args_held(GPU_GENERATE) == {(job.pk,)}
    with celery_app.connection_for_write() as connection:
        assert connection.default_channel.client.llen("gpu") == 1
    assert worker.jobs_resend_lost(now=timezone.now() + LATER) == 0  # not twice

    services.job_cancel(job=job, by=alice)
    queues_purge()
    assert worker.jobs_resend_lost(now=timezone.now() + LATER) == 0  # only jobs still queued
    queues_purge()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_jobs_survive_a_redis_restart_and_an_outage(alice: User, start_worker, tmp_path: Path) -> None:
    """A Redis of this test's own, restarted for real; a real worker; the watchdog as beat sends it."""
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    server, url = embedded_redis.start(redis_dir, preferred_port=free_port())
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    try:
        # Job 1 is queued and its message waits in this Redis, as job_enqueue leaves it...
        lost = queued(alice, "a paper boat on a pond")
        queues_purge()  # (job_create sent it to the suite's broker: nobody reads that one here)
        with Connection(url) as connection:
            celery_app.send_task(GPU_GENERATE, args=[lost.pk], connection=connection)
        assert redis.Redis.from_url(url).llen("gpu") == 1

        # ...when Redis restarts (no persistence, like the embedded one and a cache-style deployment).
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        # Job 2 is created while Redis is down: the create succeeds, the message is not sent.
        created = subprocess.run(
            [sys.executable, "-c", CREATE_WHILE_DOWN % alice.pk],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": database_url_for_test_db(),
                "REDIS_URL": url,
                "DJANGO_SETTINGS_MODULE": "tests.settings",
            },
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert created.returncode == 0, created.stderr[-3000:]
        assert "not sent, the broker is unreachable" in created.stderr
        unsent = GenerationJob.objects.get(pk=int(created.stdout.split()[-1]))
        server, url2 = embedded_redis.start(redis_dir, preferred_port=port)
        assert url2 == url
        assert redis.Redis.from_url(url).llen("gpu") == 0  # job 1's message went with the restart

        # A worker on the restarted Redis has nothing to run until the watchdog's pass (sent as beat does).
        celery_worker = start_worker(REDIS_URL=url, GENERATION_RESEND_SECONDS="0")
        with Connection(url) as connection:
            celery_app.send_task("generation.tasks.jobs_requeue_stalled", connection=connection)
        for job in (lost, unsent):
            job = wait_for(job, lambda j: j.state in ("completed", "failed"), timeout=240)
            assert (job.state, job.failures, job.charged_seconds) == ("completed", 0, job.seconds), job.error_message
        output = celery_worker.stop()
        assert output.count("the broker holds no message for it: sending it again") == 2, output[-3000:]
        assert output.count("not claimable") == 0  # each ran from one message
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)


CREATE_WHILE_DOWN = """
import django
django.setup()
from feed.models import User
from generation import services
job, _ = services.job_create(owner=User.objects.get(pk=%d), prompt="a kite over a beach")
print(job.pk)
"""
