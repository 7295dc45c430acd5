"""The one place a refusal becomes the API's error envelope `{"error": {message, type, param, code}}`.

Services raise `DomainError` with their own codes and form field names; clients of the hosted API key
on a short list of codes and on the request's parameter names, so both are translated here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse

from sora_site.errors import DomainError
from sora_site.middleware import domain_error_response

# Codes clients of the hosted API already handle; they pass through unchanged.
API_CODES = {
    "invalid_type",
    "invalid_value",
    "moderation_blocked",
    "cameo_permission_denied",
    "rate_limit_exceeded",
    "quota_exceeded",
    "not_found",
    "invalid_api_key",
    "unsupported",
}
# Moderation's own codes (prompt, reference image, output frames): one code for API callers, as the
# hosted API gave; the message still names the category and how to rephrase.
MODERATION_CODES = {"prompt_blocked", "text_blocked", "image_blocked", "likeness_blocked", "nudity_blocked"}
# Refusals of an uploaded file's content (by prefix: image_bad_format, photo_invalid, invalid_video...).
_FILE_CODE_PREFIXES = ("image_", "photo_", "invalid_video")
# Form field names in the services -> the request parameter the API caller sent.
_PARAMS = {"remix_of": "video_id", "shots": "seconds", "photos": "video", "handle": "name"}


class RateLimited(DomainError):
    """A 429 that says when to come back (the `retry-after` header)."""

    def __init__(self, message: str, *, retry_after: int, code: str = "rate_limit_exceeded") -> None:
        super().__init__(code, message, status=429)
        self.retry_after = retry_after


def api_param(field: str | None) -> str | None:
    if field is None:
        return None
    if field.startswith("shot-"):  # a storyboard shot: the extension's own prompt or seconds
        return field.rsplit("-", 1)[-1]
    return _PARAMS.get(field, field)


def api_code(error: DomainError) -> str:
    if error.code in API_CODES:
        return error.code
    if error.code in MODERATION_CODES:
        return "moderation_blocked"
    if error.status == 404:
        return "not_found"
    if error.status == 429:
        return "quota_exceeded" if "quota" in error.code else "rate_limit_exceeded"
    if error.code.startswith(_FILE_CODE_PREFIXES):
        return "invalid_type"
    if error.status == 400:
        return "invalid_value"
    return error.code


def failure_code(job_error_code: str) -> str:
    """A failed video's `error.code`: moderation's refusals read as `moderation_blocked`."""
    if job_error_code in MODERATION_CODES:
        return "moderation_blocked"
    return job_error_code or "generation_error"


def api_error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    translated = DomainError(api_code(error), error.message, field=api_param(error.field), status=error.status)
    response = domain_error_response(request, translated)
    if isinstance(error, RateLimited):
        response["retry-after"] = str(error.retry_after)
    return response


def validation_error(errors: Sequence[Any]) -> DomainError:
    """The first of pydantic's (or ninja's) validation errors, as a 400 naming the parameter."""
    first = dict(errors[0]) if errors else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "form", "file")]
    param = location[0] if location else None
    kind = str(first.get("type", ""))
    code = (
        "invalid_type" if kind.endswith(("_type", "_parsing")) or kind == "model_attributes_type" else "invalid_value"
    )
    message = str(first.get("msg", "Invalid request."))
    return DomainError(code, f"{param}: {message}" if param else message, field=param)
