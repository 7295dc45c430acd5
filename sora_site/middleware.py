from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils import translation

from sora_site.errors import DomainError

NUL = "\x00"

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
            language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class NulByteMiddleware:
    """Refuses a NUL character anywhere in the request's text with a 400, before any app code runs.

    PostgreSQL cannot store NUL in text, so one that reached a query (a handle, a prompt, an id in the
    path, a file name) ended as a server error. Checked here, once: the decoded path, every query and
    form key and value (multipart: the fields and the uploaded files' names), the cookies (the session
    key is looked up in the database) and the strings of a JSON body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = next(_nul_locations(request), None)
        if found is None:
            return self.get_response(request)
        where, field = found
        message = f"{where} contains a NUL character (\\x00), which is not allowed."
        return domain_error_response(request, DomainError("invalid_value", message, field=field, status=400))


def _shown(name: str) -> str:
    return name.replace(NUL, "\\x00")


def _nul_locations(request: HttpRequest) -> Iterator[tuple[str, str | None]]:
    """(where, field name or None) for each place holding a NUL; the first one is reported."""
    if NUL in request.path:
        yield "The address", None
    for name, value in request.COOKIES.items():
        if NUL in name or NUL in value:
            yield f"The cookie '{_shown(name)}'", _shown(name)
    yield from _in_query_dict(request.GET)
    content_type = request.content_type or ""
    if request.method == "POST" and content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # Parsing errors (too many fields, a malformed body) propagate: Django answers them as it would in
        # the view. A view may still read request.POST/FILES afterwards: they are parsed once and kept.
        yield from _in_query_dict(request.POST)
        for name, uploads in request.FILES.lists():
            if NUL in name:
                yield f"The field '{_shown(name)}'", _shown(name)
            for upload in uploads:
                if NUL in (upload.name or ""):
                    yield f"The name of the file in '{_shown(name)}'", _shown(name)
    elif content_type == "application/json" and request.body:
        try:
            document = json.loads(request.body)
        except ValueError:
            return  # the view reports a malformed body
        for field in _json_strings_with_nul(document, None):
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
