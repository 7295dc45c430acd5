"""The event socket refuses what it does not understand without an exception: through the real URL
routing and consumer (Channels' WebsocketCommunicator) and the Redis channel layer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from feed.models import User
from sora_site.routing import websocket_urlpatterns

ROUTER = URLRouter(websocket_urlpatterns)


async def _socket(user: User, path: str = "/ws/events/") -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(ROUTER, path)
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def _pong(communicator: WebsocketCommunicator) -> dict[str, Any]:
    await communicator.send_json_to({"type": "ping"})
    return await communicator.receive_json_from(timeout=5)


@pytest.mark.parametrize("message", ["[1, 2]", "42", "null", '"ping"', '{"type": "dance"}', '{"type": ["ping"]}'])
def test_readable_messages_it_has_no_answer_for_are_ignored(alice: User, message: str) -> None:
    async def exchange() -> dict[str, Any]:
        communicator = await _socket(alice)
        await communicator.send_to(text_data=message)
        assert await communicator.receive_nothing(timeout=0.3)
        answer = await _pong(communicator)  # still open and answering
        await communicator.disconnect()
        return answer

    assert asyncio.run(exchange()) == {"type": "pong"}


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"text_data": "{not json"}, 1007),
        ({"text_data": "[" * 40 + "]" * 40}, 1007),  # well formed, nested deeper than 32
        ({"text_data": '{"type": "ping", "pad": "' + "x" * 5000 + '"}'}, 1009),
        ({"bytes_data": b'{"type": "ping"}'}, 1003),
    ],
)
def test_unreadable_messages_close_the_socket_with_their_code(alice: User, frame: dict[str, Any], code: int) -> None:
    async def exchange() -> dict[str, Any]:
        communicator = await _socket(alice)
        await communicator.send_to(**frame)
        closing = await communicator.receive_output(timeout=5)
        await communicator.wait()
        return closing

    assert asyncio.run(exchange()) == {"type": "websocket.close", "code": code}


def test_an_unknown_path_is_refused_at_the_handshake(alice: User) -> None:
    async def handshake() -> tuple[bool, object]:
        communicator = WebsocketCommunicator(ROUTER, "/ws/nope/")
        communicator.scope["user"] = alice
        return await communicator.connect()

    assert asyncio.run(handshake()) == (False, 4404)
