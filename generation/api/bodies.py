"""Reading a request body the way the SDK sends it: multipart with bracketed keys, or JSON."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any, TypeVar

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import HttpRequest, QueryDict
from pydantic import BaseModel, ValidationError

from generation.api.errors import validation_error
from sora_site.bodies import request_json
from sora_site.errors import DomainError
from sora_site.fields import int_parse

Model = TypeVar("Model", bound=BaseModel)
_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_INDEX_MAX = 10
DATA_URL = re.compile(r"data:(?P<type>[\w.+-]+/[\w.+-]+)?(?:;[\w=.+-]+)*;base64,(?P<data>.*)", re.DOTALL)


def body_read(request: HttpRequest, model: type[Model]) -> tuple[Model, dict[str, UploadedFile]]:
    """The validated fields and the uploaded files (by field name) of a JSON or multipart request."""
    if (request.content_type or "") == "application/json":
        data = request_json(request)
        if not isinstance(data, dict):
            raise DomainError("invalid_type", "The request body must be a JSON object.")
        files: dict[str, UploadedFile] = {}
    else:
        data = form_nested(request.POST)
        files = {}
        for name in request.FILES:
            upload = request.FILES.get(name)  # the last file sent under that name
            if isinstance(upload, UploadedFile):
                files[name] = upload
    try:
        return model.model_validate(data), files
    except ValidationError as error:
        raise validation_error(error.errors()) from None


def form_nested(query: QueryDict) -> dict[str, Any]:
    """`a[b]=1` -> {"a": {"b": "1"}}; `a[][id]=x&a[][id]=y` and `a[0][id]=x` -> {"a": [{"id": "x"}, ...]}."""
    out: dict[str, Any] = {}
    for key, values in query.lists():
        match = _KEY.fullmatch(key)
        if match is None:
            raise DomainError("invalid_value", f"Unreadable form field name {key!r}.", field=key)
        name, parts = match.group(1), re.findall(r"\[([^\[\]]*)\]", match.group(2))
        current = out.get(name)
        if not parts and current is None:
            out[name] = values[-1]
        elif len(parts) == 1 and parts[0] and isinstance(current, dict | None):
            out.setdefault(name, {})[parts[0]] = values[-1]
        elif len(parts) == 1 and not parts[0] and current is None:
            out[name] = values
        elif len(parts) == 2 and parts[1] and isinstance(current, list | None) and _index_ok(parts[0], values):
            items: list[dict[str, str]] = out.setdefault(name, [])
            indexes = range(len(values)) if parts[0] == "" else [int(parts[0])] * len(values)
            for index, value in zip(indexes, values, strict=True):
                while len(items) <= index:
                    items.append({})
                items[index][parts[1]] = value
        else:
            raise DomainError("invalid_value", f"Unexpected form field {key!r}.", field=name)
    return out


def _index_ok(index: str, values: list[str]) -> bool:
    return (index == "" and len(values) <= _INDEX_MAX) or int_parse(index) in range(_INDEX_MAX)


def data_url_file(url: str, *, field: str) -> UploadedFile:
    """An image sent inline as a base64 data: URL. Fetching remote URLs is not offered (it would let
    callers make this server request arbitrary addresses)."""
    match = DATA_URL.fullmatch(url.strip())
    if match is None:
        raise DomainError(
            "invalid_value",
            "Send the image as a base64 data: URL or as a file; remote URLs are not fetched.",
            field=field,
        )
    try:
        content = base64.b64decode(match.group("data"), validate=False)
    except (binascii.Error, ValueError):
        raise DomainError("invalid_value", "The data: URL is not valid base64.", field=field) from None
    return SimpleUploadedFile("input_reference", content, content_type=match.group("type") or "")
