"""Push events to a user's open WebSockets (see sora_site.consumers)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def user_event_send(user_id: int, event: dict[str, Any]) -> None:
    """Send after the surrounding transaction commits, so the browser never sees rolled-back state."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(user_group(user_id), {"type": "user.event", "event": event})

    transaction.on_commit(send)
