from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext

from sora_site.bodies import body_limit_of, body_too_large, request_json
from sora_site.errors import DomainError
from sora_site.timezones import TIME_ZONE_COOKIE, time_zone_valid

NUL = "\x00"
_CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")  # a byte count (ASCII digits: not "²"), not a 4,301-digit one

# The API error envelope's `type` (OpenAI-compatible), by HTTP status.
_ERROR_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}


def wants_json(request: HttpRequest) -> bool:
    """API paths, `*.json` endpoints and callers that accept JSON get the JSON envelope."""
    path = request.path
    return path.startswith("/v1/") or path.endswith(".json") or "application/json" in request.headers.get("Accept", "")


def domain_error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    """A DomainError as the API's JSON envelope (API and JSON callers) or as the error page."""
    if wants_json(request):
        kind = "server_error" if error.status >= 500 else _ERROR_TYPES.get(error.status, "invalid_request_error")
        body = {"error": {"message": error.message, "type": kind, "param": error.field, "code": error.code}}
        return JsonResponse(body, status=error.status)
    return render(request, "error.html", {"error": error}, status=error.status)


class DomainErrorMiddleware:
    """Renders an uncaught DomainError as a page (or JSON for API/htmx callers) with its code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        return domain_error_response(request, exception)


class UserLanguageMiddleware:
    """The interface language of a signed-in person who chose one (`User.language`), over the browser's.

    Runs after LocaleMiddleware (which took the cookie or Accept-Language) and AuthenticationMiddleware.
    The Videos API (/v1) answers in English whatever the caller's headers: OpenAI SDK users and their
    code expect the English messages (the error `code` is the stable part either way).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/v1/"):
            language = "en"
        else:
            user = getattr(request, "user", None)
            language = ""
            if user is not None and user.is_authenticated:
                language = user.language
                if not language:
                    _browser_language_record(user, getattr(request, "LANGUAGE_CODE", ""))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


def _browser_language_record(user: Any, browser: str) -> None:
    """Someone on "the browser's language": what is written to them while away (notifications pushed or
    sent out) follows the language their browser last asked for (sign-up, then each change)."""
    if browser in dict(settings.LANGUAGES) and user.browser_language != browser:
        user.browser_language = browser
        get_user_model().objects.filter(pk=user.pk).update(browser_language=browser)


class UserTimeZoneMiddleware:
    """Dates and times in the viewer's zone: the one their account chose (`User.time_zone`), else their
    browser's. The browser tells its zone in the `tz` cookie; the account records it, so what is computed
    for them away from any request (a daily limit's midnight, a notification) uses it too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        browser = request.COOKIES.get(TIME_ZONE_COOKIE, "")
        browser = browser if time_zone_valid(browser) else ""
        user = getattr(request, "user", None)
        zone = browser
        if user is not None and user.is_authenticated:
            if browser and user.browser_time_zone != browser:
                user.browser_time_zone = browser
                get_user_model().objects.filter(pk=user.pk).update(browser_time_zone=browser)
            zone = user.time_zone or browser or user.browser_time_zone
        if zone:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        else:
            timezone.deactivate()
        return self.get_response(request)


class RequestInputMiddleware:
    """Checks what a request sends before any app code reads it; each refusal is a 400 (413: too large).

    - The Content-Length must be a number (Django would fail on it when reading the body).
    - The body's size, before anything parses it: at most what the view declares with
      `bodies.body_limit` (multipart uploads), else Django's DATA_UPLOAD_MAX_MEMORY_SIZE. Checked in
      `process_view`, where the view is known, which runs before CsrfViewMiddleware reads the form.
    - NUL characters: PostgreSQL cannot store NUL in text, so one that reached a query (a handle, a
      prompt, an id in the path, a file name) ended as a server error. Checked once: the decoded path,
      every query and form key and value (multipart: the fields and the uploaded files' names), the
      cookies (the session key is looked up in the database) and the strings of a JSON body, read with
      `bodies.request_json` (its depth limit; the view gets the same parsed document).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _CONTENT_LENGTH.fullmatch(request.META.get("CONTENT_LENGTH") or "0"):
            message = gettext("The Content-Length header must be a number of bytes.")
            return domain_error_response(request, DomainError("invalid_content_length", message))
        return self._refusal(request, _nul_locations(request)) or self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args: object, kwargs: object
    ) -> HttpResponse | None:
        content_type = request.content_type or ""
        max_bytes, code = body_limit_of(view, multipart=content_type == "multipart/form-data")
        if int(request.META.get("CONTENT_LENGTH") or 0) > max_bytes:
            return domain_error_response(request, body_too_large(max_bytes, code=code))
        try:
            return self._refusal(request, _nul_locations_in_body(request))
        except DomainError as error:  # a body that cannot be read (JSON nested too deeply, malformed)
            return domain_error_response(request, error)

    @staticmethod
    def _refusal(request: HttpRequest, locations: Iterator[tuple[str, str | None]]) -> HttpResponse | None:
        found = next(locations, None)
        if found is None:
            return None
        where, field = found
        message = f"{where} contains a NUL character (\\x00), which is not allowed."
        return domain_error_response(request, DomainError("invalid_value", message, field=field, status=400))


def _shown(name: str) -> str:
    return name.replace(NUL, "\\x00")


def _nul_locations(request: HttpRequest) -> Iterator[tuple[str, str | None]]:
    """(where, field name or None) for each place outside the body holding a NUL."""
    if NUL in request.path:
        yield "The address", None
    for name, value in request.COOKIES.items():
        if NUL in name or NUL in value:
            yield f"The cookie '{_shown(name)}'", _shown(name)
    yield from _in_query_dict(request.GET)


def _nul_locations_in_body(request: HttpRequest) -> Iterator[tuple[str, str | None]]:
    """(where, field name or None) for each place in the body holding a NUL."""
    content_type = request.content_type or ""
    if request.method == "POST" and content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # Django's own parsing limits (too many fields or files) raise here and become handler400's page. A
        # view may still read request.POST/FILES afterwards: they are parsed once and kept.
        yield from _in_query_dict(request.POST)
        for name, uploads in request.FILES.lists():
            if NUL in name:
                yield f"The field '{_shown(name)}'", _shown(name)
            for upload in uploads:
                if NUL in (upload.name or ""):
                    yield f"The name of the file in '{_shown(name)}'", _shown(name)
    elif content_type == "application/json" and request.body:
        for field in _json_strings_with_nul(request_json(request), None):
            yield ("The request body" if field is None else f"The field '{_shown(field)}'"), field


def _in_query_dict(query: QueryDict) -> Iterator[tuple[str, str | None]]:
    for name, values in query.lists():
        if NUL in name or any(NUL in value for value in values):
            yield f"The field '{_shown(name)}'", _shown(name)


def _json_strings_with_nul(value: object, field: str | None) -> Iterator[str | None]:
    """The top-level key under which a string (key or value) holds a NUL, for each one found."""
    if isinstance(value, str):
        if NUL in value:
            yield field
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                yield _shown(key) if field is None else field
            yield from _json_strings_with_nul(item, key if field is None else field)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings_with_nul(item, field)


class ConnectionsReturnMiddleware:
    """Outermost: the request's database connections go back to the pool on the thread that used them,
    once the response is made. Django returns them on `request_finished`; when Daphne gives up on a
    request (the client gone, the view still busy past its application close timeout), it cancels the
    application and that signal never comes: the view's thread ended holding its connection, and
    after DATABASE_POOL_SIZE such requests every page waited for the pool and failed. Inside a
    transaction (a test's) nothing is closed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            for connection in connections.all(initialized_only=True):
                if not connection.in_atomic_block:
                    connection.close()
