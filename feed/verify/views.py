from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from feed.accounts.models import User
from feed.verify.selectors import video_verify
from sora_site.bodies import body_limit
from sora_site.errors import DomainError
from sora_site.middleware import wants_json
from sora_site.ratelimit import client_key, rate_limit_check

TEMPLATE = "feed/verify.html"


# A larger body is refused before Django reads (and spools) it, anonymous or not.
@body_limit(lambda: settings.VERIFY_MAX_BYTES, code="video_too_large")
@csrf_exempt  # public and read-only: anyone, signed in or not, and scripts may post a file to check
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    max_mb = settings.VERIFY_MAX_BYTES // (1024 * 1024)
    if request.method == "GET":
        return render(request, TEMPLATE, {"max_mb": max_mb})
    try:
        rate_limit_check("verify", client_key(request), limit=settings.VERIFY_PER_MINUTE)
        viewer = request.user if isinstance(request.user, User) else None
        with _local_file(_upload(request)) as path:
            verification = video_verify(path, viewer)
    except DomainError as error:
        if wants_json(request):
            raise
        return render(request, TEMPLATE, {"max_mb": max_mb, "error": error}, status=error.status)
    if wants_json(request):
        return JsonResponse(verification.as_json())
    return render(request, TEMPLATE, {"max_mb": max_mb, "result": verification, "summary": verification.as_json()})


@contextmanager
def _local_file(upload: UploadedFile) -> Iterator[Path]:
    """A path to the upload: Django's own spool file for large ones, a temporary copy of small ones."""
    if isinstance(upload, TemporaryUploadedFile):
        yield Path(upload.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(suffix=".video") as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name)


def _upload(request: HttpRequest) -> UploadedFile:
    too_big = DomainError(
        "video_too_large",
        gettext("Videos can be at most %(mb)d MB.") % {"mb": settings.VERIFY_MAX_BYTES // (1024 * 1024)},
        status=413,
        field="video",
    )
    upload = request.FILES.get("video")
    if upload is None:
        raise DomainError("video_missing", gettext("Choose a video file to check."), field="video")
    if upload.size is not None and upload.size > settings.VERIFY_MAX_BYTES:
        raise too_big
    return upload
