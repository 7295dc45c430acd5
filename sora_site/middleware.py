from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from sora_site.errors import DomainError


class DomainErrorMiddleware:
    """Renders an uncaught DomainError as a page (or JSON for API/htmx callers) with its code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/v1/") or "application/json" in request.headers.get("Accept", ""):
            body = {"error": {"code": exception.code, "message": exception.message, "param": exception.field}}
            return JsonResponse(body, status=exception.status)
        return render(request, "error.html", {"error": exception}, status=exception.status)
