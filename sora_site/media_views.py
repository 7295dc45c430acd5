"""Local media, served by Django with access checks and HTTP Range support (video seeking).

URLs are signed and expire (`sora_site.storage.SignedFileSystemStorage`); a request needs a valid
signature and a viewer the access rules allow.

S3 deployments never come here: templates get presigned URLs from the storage instead, and pages
only render URLs for what the viewer may see.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext

from sora_site.errors import DomainError
from sora_site.storage import media_url_signature_valid

# Offsets of at most 18 digits: any file fits, and int() never meets a 4,301-digit number. A Range
# header that does not match is ignored (the whole file), as RFC 9110 allows.
_RANGE = re.compile(r"^bytes=(\d{0,18})-(\d{0,18})$")
# Storage names (`upload_to` folders, random file names) are short; a file system refuses (OSError)
# a path component over 255 bytes, so longer names are no file here.
_NAME_MAX_CHARS = 512
_NAME_PART_MAX_BYTES = 255


def media_serve(request: HttpRequest, path: str) -> HttpResponseBase:
    if len(path) > _NAME_MAX_CHARS or any(len(part.encode()) > _NAME_PART_MAX_BYTES for part in path.split("/")):
        raise Http404("No such file")
    root = Path(settings.MEDIA_ROOT).resolve()
    file_path = (root / path).resolve()
    if root not in file_path.parents or not file_path.is_file():
        raise Http404("No such file")
    if not media_url_signature_valid(path, request.GET.get("sig", "")):
        raise DomainError(
            "media_link_expired", gettext("This media link has expired. Reload the page for a fresh one."), status=403
        )
    if not media_readable_by(path, request.user):
        raise Http404("No such file")
    return _ranged_file_response(request, file_path)


# Who may read a stored file is decided by the apps that own the files: each registers a rule in its
# `AppConfig.ready()`; a file is readable when any rule says so. Nothing registered means nobody.
MediaRule = Callable[[str, "AbstractBaseUser | None"], bool]
_rules: list[MediaRule] = []


def media_rule_register(rule: MediaRule) -> None:
    if rule not in _rules:
        _rules.append(rule)


def media_readable_by(name: str, viewer: AbstractBaseUser | AnonymousUser) -> bool:
    """Biometric files (portraits, recordings, registry photos) have their own views and no rule here."""
    user = viewer if viewer.is_authenticated else None
    return any(rule(name, user) for rule in _rules)


def _ranged_file_response(request: HttpRequest, file_path: Path) -> HttpResponseBase:
    size = file_path.stat().st_size
    content_type = mimetypes.guess_type(file_path.name)[0] or "application/octet-stream"
    match = _RANGE.match(request.headers.get("Range", ""))
    if not match or not any(match.groups()):
        response: HttpResponseBase = FileResponse(file_path.open("rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        response["Cache-Control"] = "private, max-age=3600"
        return response
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    else:  # "bytes=-N": the last N bytes
        start, end = max(size - int(last), 0), size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    with file_path.open("rb") as handle:
        handle.seek(start)
        body = handle.read(end - start + 1)
    response = HttpResponse(body, status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    return response
