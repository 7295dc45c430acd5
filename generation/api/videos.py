"""The protocol's video requests (create, remix, edit, extend) turned into generation's jobs: the same
`job_create` as the web's create page, with the API's `Idempotency-Key`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from django.core.files.uploadedfile import UploadedFile

from feed.accounts.models import User
from generation import specs
from generation.api.bodies import data_url_file
from generation.api.schemas import VideoCreate, VideoEdit, VideoExtend
from generation.api.selectors import character_cameo, character_name, video_get
from generation.models import GenerationJob
from generation.selectors import remix_source_get
from generation.services import job_create
from sora_site.errors import DomainError


def _idempotency(
    header: str | None, operation: str, fields: Mapping[str, object], files: Mapping[str, UploadedFile]
) -> tuple[str, str]:
    """`job_create`'s `idempotency_key` and `request_hash` from the `Idempotency-Key` header: the key namespaced and
    hashed (any length fits, and a key sent through the API never meets one made by the web form), and
    a SHA-256 of the request (canonical JSON of the operation and its fields, with each file's SHA-256),
    so that the key sent again with another request is refused instead of answering the first video."""
    if not header:
        return "", ""
    file_digests = {}
    for name, upload in files.items():
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        file_digests[name] = digest.hexdigest()
    canonical = json.dumps(
        {"operation": operation, "fields": fields, "files": file_digests}, sort_keys=True, separators=(",", ":")
    )
    return "api:" + hashlib.sha256(header.encode()).hexdigest()[:60], hashlib.sha256(canonical.encode()).hexdigest()


def video_create(
    *, owner: User, params: VideoCreate, files: Mapping[str, UploadedFile], idempotency_key: str | None = None
) -> GenerationJob:
    image = files.get("input_reference")
    reference = params.input_reference or {}
    if image is None and reference:
        given = [name for name in ("image_url", "file_id") if reference.get(name)]
        if len(given) != 1 or set(reference) - {"image_url", "file_id"}:
            raise DomainError(
                "invalid_value", "input_reference takes exactly one of image_url or file_id.", field="input_reference"
            )
        if given == ["file_id"]:
            raise DomainError(
                "unsupported", "This server has no Files API: send the image or a data: URL.", field="input_reference"
            )
        image = data_url_file(reference["image_url"], field="input_reference")
    cameos = [character_cameo(str(ref.get("id", "")), field="characters") for ref in params.characters or []]
    for cameo in cameos:
        name = character_name(cameo)
        if name.lower() not in params.prompt.lower() and f"@{cameo.handle}" not in params.prompt.lower():
            raise DomainError(
                "invalid_value", f"Mention the character {name!r} in the prompt to use it.", field="characters"
            )
    key, request_hash = _idempotency(idempotency_key, "create", params.model_dump(mode="json"), files)
    job, _notices = job_create(
        owner=owner,
        prompt=params.prompt,
        model=params.model,
        size=params.size,
        seconds=params.seconds,
        input_image=image,
        idempotency_key=key,
        request_hash=request_hash,
        cameo_handles=[cameo.handle for cameo in cameos],
    )
    return job


def _source(owner: User, video: Mapping[str, str] | None, files: Mapping[str, UploadedFile]) -> GenerationJob:
    """The video an edit or extension works from: one of the caller's videos, by id."""
    if "video" in files:
        # An uploaded clip could show anyone; only videos made here have had their cameos checked.
        raise DomainError(
            "unsupported", "Upload editing is not offered: pass video[id] of one of your videos.", field="video"
        )
    source_id = (video or {}).get("id", "")
    if not source_id:
        raise DomainError("invalid_value", "Pass the video to work from as video[id].", field="video")
    return video_get(source_id, owner)


def video_remix(*, owner: User, source_id: str, prompt: str, idempotency_key: str | None = None) -> GenerationJob:
    """The same length, size and model as the source, with a new prompt on top of it."""
    source = remix_source_get(source_id, owner)
    key, request_hash = _idempotency(idempotency_key, "remix", {"video": source.public_id, "prompt": prompt}, {})
    job, _notices = job_create(
        owner=owner,
        prompt=prompt,
        model=source.model,
        size=source.size,
        seconds=source.seconds if source.seconds in specs.DURATIONS else specs.DURATIONS[0],
        remix_of=source,
        idempotency_key=key,
        request_hash=request_hash,
    )
    return job


def video_edit(
    *, owner: User, params: VideoEdit, files: Mapping[str, UploadedFile], idempotency_key: str | None = None
) -> GenerationJob:
    source = _source(owner, params.video, files)
    return video_remix(owner=owner, source_id=source.public_id, prompt=params.prompt, idempotency_key=idempotency_key)


def video_extend(
    *, owner: User, params: VideoExtend, files: Mapping[str, UploadedFile], idempotency_key: str | None = None
) -> GenerationJob:
    """The source's shots plus one more: a storyboard remixing the source, as long as both together."""
    source = _source(owner, params.video, files)
    added = specs.seconds_check(params.seconds)
    key, request_hash = _idempotency(idempotency_key, "extend", params.model_dump(mode="json"), files)
    job, _notices = job_create(
        owner=owner,
        prompt=params.prompt,
        model=source.model,
        size=source.size,
        shots=[*source.shots, {"prompt": params.prompt, "seconds": added}],
        remix_of=source,
        seed=source.seed,
        idempotency_key=key,
        request_hash=request_hash,
    )
    return job
