"""One WebSocket per signed-in browser tab, joined to that user's private group.

Job progress, job results and notifications are pushed with `sora_site.events.user_event_send`;
since a socket only ever joins its own user's group, only a job's owner sees its progress.
"""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from sora_site.events import user_group


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

    async def receive_json(self, content: dict, **kwargs: object) -> None:
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def user_event(self, message: dict) -> None:
        await self.send_json(message["event"])
