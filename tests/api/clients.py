"""The real `openai` SDK as the API's client: against the live Daphne server, or in-process through
Django's WSGI application (the same middleware and views, without a forked server)."""

from __future__ import annotations

import httpx
from django.core.wsgi import get_wsgi_application
from openai import OpenAI

from feed.models import User
from generation.api.services import api_key_create


def key_for(user: User, **fields: object) -> str:
    _key, raw = api_key_create(owner=user, name="tests", **fields)  # type: ignore[arg-type]
    return raw


def sdk(base_url: str, api_key: str) -> OpenAI:
    # No retries: a test sees the first answer, and a 429 is not waited out.
    return OpenAI(base_url=f"{base_url}/v1", api_key=api_key, max_retries=0, timeout=60)


def sdk_in_process(api_key: str) -> OpenAI:
    """Use inside the `keep_db_connection` fixture (as the test client does, the request cycle must
    not close the test's database connection)."""
    transport = httpx.WSGITransport(app=get_wsgi_application())
    http_client = httpx.Client(transport=transport, base_url="http://testserver")
    return OpenAI(base_url="http://testserver/v1", api_key=api_key, max_retries=0, http_client=http_client)
