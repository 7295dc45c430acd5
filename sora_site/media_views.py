"""Local media, served by Django with access checks and HTTP Range support (video seeking).

S3 deployments never come here: templates get presigned URLs from the storage instead, and pages
only render URLs for what the viewer may see.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from sora_site.errors import DomainError

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def media_serve(request: HttpRequest, path: str) -> HttpResponse:
    root = Path(settings.MEDIA_ROOT).resolve()
    file_path = (root / path).resolve()
    if root not in file_path.parents or not file_path.is_file() or not media_readable_by(path, request.user):
        raise Http404("No such file")
    return _ranged_file_response(request, file_path)


def media_readable_by(name: str, viewer) -> bool:  # noqa: ANN001  (a User or AnonymousUser)
    """Avatars are public; a generated video, poster or input image is readable by its job's owner,
    by the owner of a cameo it uses, and by anyone who may see a post made from it. Biometric files
    (portraits, recordings, registry photos) have their own views and are never served here."""
    from feed.models import Post
    from feed.selectors import post_get_for_viewer
    from generation.models import GenerationJob

    if name.startswith("avatars/"):
        return True
    user = viewer if viewer.is_authenticated else None
    job = GenerationJob.objects.filter(Q(video=name) | Q(poster=name) | Q(input_image=name)).first()
    if job is None:
        return False
    if user is not None and (job.owner_id == user.pk or job.cameo_usages.filter(cameo__owner=user).exists()):
        return True
    if job.input_image.name == name:
        return False  # the prompt image stays with its owner
    post = Post.objects.filter(job=job).first()
    if post is None:
        return False
    try:
        post_get_for_viewer(post.pk, user)
    except DomainError:
        return False
    return True


def _ranged_file_response(request: HttpRequest, file_path: Path) -> HttpResponse:
    size = file_path.stat().st_size
    content_type = mimetypes.guess_type(file_path.name)[0] or "application/octet-stream"
    match = _RANGE.match(request.headers.get("Range", ""))
    if not match or not any(match.groups()):
        response = FileResponse(file_path.open("rb"), content_type=content_type)
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
