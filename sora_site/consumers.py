"""One WebSocket per signed-in browser tab, joined to that user's private group.

Job progress, job results and notifications are pushed with `sora_site.events.user_event_send`;
since a socket only ever joins its own user's group, only a job's owner sees its progress.

The browser only ever sends `{"type": "ping"}`. Anything else is refused without an exception: a
binary frame, an oversized or unreadable (malformed, too deeply nested) message closes the socket
with the WebSocket status for it; a readable message this consumer has no answer for is ignored.
"""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer

from sora_site.bodies import json_parse
from sora_site.errors import DomainError
from sora_site.events import user_group

# RFC 6455 close codes.
CLOSE_UNSUPPORTED_DATA = 1003  # a binary frame
CLOSE_INVALID_PAYLOAD = 1007  # not JSON, or nested too deeply
CLOSE_MESSAGE_TOO_BIG = 1009
MESSAGE_MAX_CHARS = 4096  # a ping is 16


class UserEventsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group_name = user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group_name"):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if text_data is None:
            await self.close(code=CLOSE_UNSUPPORTED_DATA)
            return
        if len(text_data) > MESSAGE_MAX_CHARS:
            await self.close(code=CLOSE_MESSAGE_TOO_BIG)
            return
        try:
            content = json_parse(text_data)
        except DomainError:
            await self.close(code=CLOSE_INVALID_PAYLOAD)
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def user_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """Any other WebSocket path: refused at the handshake (Daphne answers 403), not a routing error."""

    async def connect(self) -> None:
        await self.close(code=4404)
