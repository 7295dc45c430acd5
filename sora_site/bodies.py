"""Request bodies, read with limits before anything parses them.

- Size: a view that takes uploads declares the largest body it accepts with `@body_limit`; any other
  body may be at most `DATA_UPLOAD_MAX_MEMORY_SIZE`. `middleware.RequestInputMiddleware` compares the
  Content-Length with that before Django parses (and spools to disk) a multipart body.
- JSON: `json_parse` is the one JSON reader for request input (bodies, form fields holding JSON,
  WebSocket messages). It refuses nesting deeper than `JSON_MAX_DEPTH` before handing the text to
  `json`, whose recursive decoder would otherwise end in a RecursionError.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from django.conf import settings
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext

from sora_site.errors import DomainError

JSON_MAX_DEPTH = 32
# Room for a multipart body's boundaries, part headers and small fields beside its files.
MULTIPART_OVERHEAD_BYTES = 64 * 1024

View = TypeVar("View", bound=Callable[..., Any])
# A JSON string (an unterminated one runs to the end, so scanning stays linear), and runs of brackets.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_BRACKETS = re.compile(r"[\[{]+|[\]}]+")
_parsed_bodies: WeakKeyDictionary[HttpRequest, Any] = WeakKeyDictionary()


@dataclass(frozen=True)
class BodyLimit:
    max_bytes: Callable[[], int]  # read per request, so that a limit from settings follows the settings
    code: str  # the refusal's error code


def body_limit(max_bytes: Callable[[], int], *, code: str = "request_too_large") -> Callable[[View], View]:
    """Declares the largest multipart body (its files together) a view accepts."""

    def declare(view: View) -> View:
        view.body_limit = BodyLimit(max_bytes, code)  # type: ignore[attr-defined]
        return view

    return declare


def body_limit_of(view: Callable[..., Any], *, multipart: bool) -> tuple[int, str]:
    """(bytes, refusal code) for a body sent to `view`: its declared upload limit for multipart, else
    Django's own limit (it refuses larger bodies when reading them)."""
    declared: BodyLimit | None = getattr(view, "body_limit", None)
    if multipart and declared is not None:
        return declared.max_bytes() + MULTIPART_OVERHEAD_BYTES, declared.code
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE), "request_too_large"


def body_too_large(max_bytes: int, *, code: str = "request_too_large") -> DomainError:
    message = gettext("This request is too large: it can be at most %(size)s.") % {"size": filesizeformat(max_bytes)}
    return DomainError(code, message, status=413)


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text` (brackets inside strings do not count)."""
    depth = deepest = 0
    for run in _BRACKETS.finditer(_JSON_STRING.sub("", text)):
        brackets = run.group()
        if brackets[0] in "[{":
            depth += len(brackets)
            deepest = max(deepest, depth)
        else:
            depth -= len(brackets)
    return deepest


def json_parse(data: str | bytes, *, field: str | None = None) -> Any:
    """A JSON document from request input, or a 400 DomainError naming `field` (None: the body)."""
    try:
        text = data.decode(json.detect_encoding(data), "surrogatepass") if isinstance(data, bytes) else data
        if json_depth(text) > JSON_MAX_DEPTH:
            raise DomainError(
                "invalid_value",
                gettext("JSON can nest arrays and objects at most %(depth)d levels deep.") % {"depth": JSON_MAX_DEPTH},
                field=field,
            )
        return json.loads(text)
    except ValueError:  # malformed JSON, or bytes that are not UTF-8/16/32
        if field is None:
            raise DomainError("invalid_value", gettext("The request body is not valid JSON.")) from None
        message = gettext("The field '%(field)s' is not valid JSON.") % {"field": field}
        raise DomainError("invalid_value", message, field=field) from None


def request_json(request: HttpRequest) -> Any:
    """The request's JSON body, parsed once however many layers read it (the middleware, then the view)."""
    if request not in _parsed_bodies:
        _parsed_bodies[request] = json_parse(request.body or b"{}")
    return _parsed_bodies[request]
