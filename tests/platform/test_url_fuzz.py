"""The net: every URL pattern of the URLconf (walked from `get_resolver()`, not a hand list), its path
converters filled with valid-looking and absurd values, sent malformed input as an anonymous and a
signed-in caller. Whatever arrives, the answer is never a server error.

The /v1 operations are also fuzzed from their OpenAPI document (tests/generation/api/test_fuzz.py).
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import find
from hypothesis import strategies as st

from feed.engagement.services import comment_create
from feed.models import User
from tests.builders.posts import post_make

pytestmark = pytest.mark.slow

ROUTE_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
# Absurd values per path converter; the valid-looking ones name objects that exist (see the test).
ABSURD = {"int": "9" * 25, "str": "%C2%B2" * 150, "slug": "-" * 300, "path": "a/" * 200 + "%C2%B2"}
ODD_QUERY = (
    "page=%C2%B2&cursor=&after=%C2%B2&before=&limit=99999999999999999999&offset=-1&q=%5B%5B&order=Infinity"
    "&seconds=nan&variant=%C2%B2&remix=&next=%2F%2Fevil.example&sig=&tab=%C2%B2"
)
ODD_FORM = {
    "prompt": "\u00b2",
    "seconds": "\u00b2",
    "size": "99999x99999",
    "model": "",
    "text": "\u00b2" * 10,
    "caption": "[" * 50,
    "visibility": "\u00b2",
    "views": "[" * 50 + "]" * 50,
    "parent": "\u00b2",
    "daily_cap": "99999999999",
    "break_after": "\u00b2",
    "expires_in_days": "\u00b2",
    "days": "\u00b2",
    "start_s": "nan",
    "end_s": "-1e400",
    "url": "http://[::1/",
    "category": "\u00b2",
    "handle": "@" * 300,
    "username": "",
    "birth_date": "0000-00-00",
    "decision": "\u00b2",
    "action": "\u00b2",
}
DEEP_JSON = "[" * 100_000
OVERSIZED = "text=" + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
BROKEN_MULTIPART = b'--xyz\r\nContent-Disposition: form-data; name="a\r\n\r\n\xff\xfe--'


def _patterns(resolver: URLResolver, levels: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, (*levels, entry.pattern))
        else:
            yield (*levels, entry.pattern)


def _path(levels: tuple[object, ...], values: dict[str, str]) -> str:
    def value(converter: re.Match[str]) -> str:
        return values[converter["converter"] or "str"]

    parts = []
    for pattern in levels:
        if isinstance(pattern, RoutePattern):
            parts.append(ROUTE_CONVERTER.sub(value, str(pattern)))
        else:  # a regular expression (the admin's app list, local media): its simplest match
            assert isinstance(pattern, RegexPattern)
            parts.append(find(st.from_regex(pattern.regex, fullmatch=True), lambda _: True))
    return "/" + "".join(parts)


Request = Callable[[Client, str], HttpResponse]
# What the views themselves read: every path gets each of these.
VIEW_LEVEL: dict[str, Request] = {
    "GET with odd query values": lambda client, path: client.get(f"{path}?{ODD_QUERY}"),
    "POST odd form values": lambda client, path: client.post(path, ODD_FORM),
    "POST JSON of the wrong shape": lambda client, path: client.post(path, "[1]", content_type="application/json"),
    "PUT a form": lambda client, path: client.put(path, "a=b", content_type="application/x-www-form-urlencoded"),
    "DELETE": lambda client, path: client.delete(path),
}
# What the transport layer refuses or parses before any view: each path gets one of these in turn.
TRANSPORT_LEVEL: dict[str, Request] = {
    "GET with a NUL in the query": lambda client, path: client.get(f"{path}?q=a%00b"),
    "POST deeply nested JSON": lambda client, path: client.post(path, DEEP_JSON, content_type="application/json"),
    "POST an oversized form": lambda client, path: client.post(
        path, OVERSIZED, content_type="application/x-www-form-urlencoded"
    ),
    "POST a non-numeric Content-Length": lambda client, path: client.post(path, {"a": "b"}, CONTENT_LENGTH="abc"),
    "POST broken multipart": lambda client, path: client.generic(
        "POST", path, BROKEN_MULTIPART, content_type="multipart/form-data; boundary=xyz"
    ),
    "POST multipart without a boundary": lambda client, path: client.generic(
        "POST", path, b"a=b", content_type="multipart/form-data"
    ),
}
REQUESTS = VIEW_LEVEL | TRANSPORT_LEVEL


def _client(session: str | None) -> Client:
    client = Client(raise_request_exception=False)
    _cookies_reset(client, session)
    return client


def _cookies_reset(client: Client, session: str | None) -> None:
    """The cookies a new client with this session would hold: none but the session. A client is made
    once per persona and reset before each request (a new `Client` loads the middleware again, and
    WhiteNoise's scan of the static files alone took 110 ms of each of ~1,700 requests)."""
    client.cookies = SimpleCookie()
    if session is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session


PATH_LEVEL = ("GET with odd query values", "POST odd form values")


def _where(response: HttpResponse) -> str:
    """The innermost frame of the project's own code in the server error's traceback."""
    exc_info = getattr(response, "exc_info", None)
    if not exc_info:
        return "(no exception)"
    frames = traceback.extract_tb(exc_info[2])
    ours = [frame for frame in frames if str(settings.BASE_DIR) in frame.filename and ".venv" not in frame.filename]
    frame = (ours or frames)[-1]
    return f"{exc_info[0].__name__} at {Path(frame.filename).relative_to(settings.BASE_DIR)}:{frame.lineno}"


def test_no_url_answers_a_malformed_request_with_a_server_error(alice: User, bob: User) -> None:
    post = post_make(bob, "a kite")
    comment = comment_create(author=alice, post=post, text="nice")
    # Valid-looking: every int is an object that exists (a post, a comment...), every str a handle.
    valid = {"int": str(post.pk), "str": bob.username, "slug": bob.username, "path": str(comment.pk)}
    patterns = list(_patterns(get_resolver()))
    valid_paths = sorted({_path(levels, valid) for levels in patterns})
    absurd_paths = sorted({_path(levels, ABSURD) for levels in patterns} - set(valid_paths))
    signed_in = Client()
    signed_in.force_login(alice)
    # Each request starts from a new client's cookies, with alice's session cookie: a request to /logout/
    # must not sign out the ones after it (its deletion of the session is undone with the rest).
    sessions = {"anonymous": None, "alice": signed_in.cookies[settings.SESSION_COOKIE_NAME].value}
    clients = {persona: _client(session) for persona, session in sessions.items()}
    # Signed in, the view-level requests reach the views with objects that exist; anonymous callers and
    # absurd path values meet the login and lookup checks, which read the query and the form. About
    # 1,500 requests, each undone afterwards so that one breaking the transaction fails only itself.
    transport = list(TRANSPORT_LEVEL)
    plan = [(path, kind, "alice") for path in valid_paths for kind in VIEW_LEVEL]
    plan += [(path, transport[index % len(transport)], "alice") for index, path in enumerate(valid_paths)]
    plan += [(path, kind, "anonymous") for path in valid_paths for kind in PATH_LEVEL]
    plan += [(path, kind, "alice") for path in absurd_paths for kind in PATH_LEVEL]
    failures: dict[str, str] = {}
    for path, kind, persona in plan:
        _cookies_reset(clients[persona], sessions[persona])
        with transaction.atomic():
            response = REQUESTS[kind](clients[persona], path)
            transaction.set_rollback(True)
        if response.status_code >= 500:
            where = f"{re.sub(r'/[0-9]+/', '/<n>/', path)[:80]} ({kind})"
            failures.setdefault(where, f"{response.status_code} as {persona}: {_where(response)}")
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(
        f"{where}: {error}" for where, error in failures.items()
    )
