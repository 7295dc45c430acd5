"""What the Celery broker holds, read straight from Redis (kombu's Redis transport keeps each queue in lists
and the messages a worker has taken but not acknowledged in one hash).

Redis keeps them in memory only: a Redis restart loses every waiting and unacknowledged message, and a
task queued while Redis is down never reaches it. The watchdog compares the jobs the database says are
queued with what is here and sends the missing ones again (`generation.worker.jobs_resend_lost`).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from urllib.parse import urlsplit

import redis
from django.conf import settings

log = logging.getLogger(__name__)

# Kombu's Redis transport keeps a queue's messages of priority 3, 6 and 9 in lists of their own.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (3, 6, 9)
UNACKED = "unacked"  # delivery tag -> [message, exchange, routing key]


def queue_names() -> list[str]:
    """The queues tasks are sent to: the default one and each CELERY_TASK_ROUTES destination."""
    names = [settings.CELERY_TASK_DEFAULT_QUEUE]
    for route in settings.CELERY_TASK_ROUTES.values():
        if route.get("queue") and route["queue"] not in names:
            names.append(route["queue"])
    return names


def queue_keys(name: str) -> list[str]:
    """The Redis lists that hold queue `name`'s messages."""
    return [name, *(f"{name}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS)]


def broker_client() -> redis.Redis | None:
    """A client of the broker's Redis; None when the broker is not Redis (a one-process install)."""
    url = settings.CELERY_BROKER_URL
    if urlsplit(url).scheme not in ("redis", "rediss"):
        return None
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def task_args_held(task_name: str) -> set[tuple[object, ...]] | None:
    """The arguments of every message of `task_name` the broker holds, waiting or taken and not yet
    acknowledged. None when there is no Redis broker or it cannot be read (then nothing is known)."""
    client = broker_client()
    if client is None:
        return None
    try:
        with client.pipeline(transaction=False) as pipe:
            for name in queue_names():
                for key in queue_keys(name):
                    pipe.lrange(key, 0, -1)
            pipe.hvals(UNACKED)
            *lists, unacked = pipe.execute()
    except redis.RedisError as error:
        log.warning("broker unreadable: %s", error)
        return None
    finally:
        client.close()
    messages = [json.loads(raw) for values in lists for raw in values]
    messages += [json.loads(raw)[0] for raw in unacked]
    return set(_args_of(task_name, messages))


def _args_of(task_name: str, messages: list[dict]) -> Iterator[tuple[object, ...]]:
    for message in messages:
        if message.get("headers", {}).get("task") != task_name:
            continue
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        yield tuple(args)
