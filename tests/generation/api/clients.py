"""The real `openai` SDK as the API's client: against the live Daphne server, or in-process through
Django's WSGI application (the same middleware and views, without a forked server)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import httpx
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from openai import OpenAI

from feed.models import User
from generation.api.keys import api_key_create


def key_for(user: User, **fields: Any) -> str:
    _key, raw = api_key_create(owner=user, name="tests", **fields)
    return raw


def sdk(base_url: str, api_key: str) -> OpenAI:
    # No retries: a test sees the first answer, and a 429 is not waited out.
    return OpenAI(base_url=f"{base_url}/v1", api_key=api_key, max_retries=0, timeout=60)


def wsgi_app_for_tests(app: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
    """Django's handler closes the database connection when a request starts and finishes; the test's
    transaction lives on it. Django's test client steps around this the same way."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            result = app(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                getattr(result, "close", lambda: None)()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    return wrapped


def sdk_in_process(api_key: str) -> OpenAI:
    transport = httpx.WSGITransport(app=wsgi_app_for_tests(get_wsgi_application()))
    http_client = httpx.Client(transport=transport, base_url="http://testserver")
    return OpenAI(base_url="http://testserver/v1", api_key=api_key, max_retries=0, http_client=http_client)
