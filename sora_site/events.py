"""Push events to a user's open WebSockets (see sora_site.consumers)."""

from __future__ import annotations

import logging
from typing import Any

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def user_event_send(user_id: int, event: dict[str, Any]) -> None:
    """Send after the surrounding transaction commits, so the browser never sees rolled-back state.

    A push is a courtesy: the pages read the same state when they load or poll. So a Redis that is down
    (restarting) costs the push and a warning, never the request or the job that sent it."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(user_group(user_id), {"type": "user.event", "event": event})
        except (redis.RedisError, OSError) as error:
            log.warning("event for user %s not pushed, the channel layer is unreachable: %s", user_id, error)

    transaction.on_commit(send)
