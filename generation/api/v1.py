"""The /v1 endpoints (mounted in sora_site/urls.py). Thin: read the request, call a service or selector,
answer the protocol's object. Every refusal is a DomainError that `errors.api_error_response` renders."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Literal

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field

from feed.accounts.models import User
from generation.api import characters, selectors, videos
from generation.api.auth import ApiKeyAuth
from generation.api.bodies import body_read
from generation.api.errors import api_error_response, validation_error
from generation.api.schemas import (
    Character,
    CharacterCreate,
    ErrorEnvelope,
    Video,
    VideoCreate,
    VideoDeleted,
    VideoEdit,
    VideoExtend,
    VideoList,
    VideoRemix,
)
from generation.models import GenerationJob
from generation.services import job_delete
from sora_site.bodies import body_limit
from sora_site.errors import DomainError

api = NinjaAPI(
    title="OpenReel Videos API",
    version="1",
    description="OpenAI-compatible `/v1/videos`: point the `openai` SDK's `base_url` here. See docs/API.md.",
    auth=ApiKeyAuth(),
    urls_namespace="v1",
    docs_url=None,  # the Swagger page loads its scripts from a CDN; the document itself is /v1/openapi.json
)
ERRORS: dict[int, type[Schema]] = {code: ErrorEnvelope for code in (400, 401, 403, 404, 429)}
POLL_HEADER = "openai-poll-after-ms"


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return api_error_response(request, error)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    return api_error_response(request, validation_error(error.errors))


@api.exception_handler(AuthenticationError)
def on_missing_key(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    message = "Send your API key as `Authorization: Bearer <key>` (create one in Settings, API keys)."
    return api_error_response(request, DomainError("invalid_api_key", message, status=401))


def _owner(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]  # set by ApiKeyAuth
    return user


def _video(job: GenerationJob, response: HttpResponse) -> dict[str, Any]:
    response[POLL_HEADER] = str(selectors.poll_after_ms(job))
    return selectors.video_object(job)


def _job_from_body(
    request: HttpRequest, response: HttpResponse, model: type[Schema], make: Callable[..., GenerationJob]
) -> dict[str, Any]:
    """Create, edit, extend: read the JSON or multipart body, make the job, answer the Video."""
    params, files = body_read(request, model)
    job = make(
        owner=_owner(request), params=params, files=files, idempotency_key=request.headers.get("Idempotency-Key")
    )
    return _video(job, response)


def _body_doc(model: type[Schema], *, files: dict[str, str], json: bool = True) -> dict[str, Any]:
    """The request body in the OpenAPI document, generated from the schema: JSON as is, and multipart
    with the file fields as binary and nested objects flattened with brackets, as the SDK sends them."""
    schema = model.model_json_schema()
    form = copy.deepcopy(schema)
    for name, flattened in files.items():
        form["properties"][name] = {"type": "string", "format": "binary"}
        if flattened:
            form["properties"][flattened] = {"type": "string"}
    for name, prop in list(form["properties"].items()):
        if "object" in str(prop.get("type", "")) or "anyOf" in prop or prop.get("type") == "array":
            if name not in files:
                del form["properties"][name]
    content: dict[str, Any] = {"multipart/form-data": {"schema": form}}
    if json:
        content["application/json"] = {"schema": schema}
    return {"requestBody": {"required": True, "content": content}}


@api.post(
    "/videos",
    response={200: Video, **ERRORS},
    openapi_extra=_body_doc(VideoCreate, files={"input_reference": "input_reference[image_url]"}),
    summary="Create a video",
)
def video_create(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    return _job_from_body(request, response, VideoCreate, videos.video_create)


class ListQuery(Schema):
    limit: int = Field(20, ge=1, le=100)
    order: Literal["asc", "desc"] = "desc"
    after: str | None = None


@api.get("/videos", response={200: VideoList, **ERRORS}, summary="List your videos")
def video_list(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    jobs, has_more = selectors.videos_page(_owner(request), limit=query.limit, order=query.order, after=query.after)
    data = [selectors.video_object(job) for job in jobs]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }


@api.post(
    "/videos/edits",
    response={200: Video, **ERRORS},
    openapi_extra=_body_doc(VideoEdit, files={"video": "video[id]"}),
    summary="Edit one of your videos with a new prompt",
)
def video_edit(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    return _job_from_body(request, response, VideoEdit, videos.video_edit)


@api.post(
    "/videos/extensions",
    response={200: Video, **ERRORS},
    openapi_extra=_body_doc(VideoExtend, files={"video": "video[id]"}),
    summary="Extend one of your videos",
)
def video_extend(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    return _job_from_body(request, response, VideoExtend, videos.video_extend)


@api.post(
    "/videos/characters",
    response={200: Character, **ERRORS},
    openapi_extra=_body_doc(CharacterCreate, files={"video": ""}, json=False),
    summary="Create a character (a non-human cameo) from a clip",
)
def character_create(request: HttpRequest) -> dict[str, Any]:
    params, files = body_read(request, CharacterCreate)
    cameo = characters.character_create_from_clip(owner=_owner(request), name=params.name, clip=files.get("video"))
    return selectors.character_object(cameo)


@api.get("/videos/characters/{character_id}", response={200: Character, **ERRORS}, summary="Retrieve a character")
def character_retrieve(request: HttpRequest, character_id: str) -> dict[str, Any]:
    return selectors.character_object(selectors.character_get(character_id, _owner(request)))


# Paths with a {video_id} come after the fixed ones (edits, extensions, characters), which they would match.
@api.get("/videos/{video_id}", response={200: Video, **ERRORS}, summary="Retrieve a video")
def video_retrieve(request: HttpRequest, response: HttpResponse, video_id: str) -> dict[str, Any]:
    return _video(selectors.video_get(video_id, _owner(request)), response)


@api.delete("/videos/{video_id}", response={200: VideoDeleted, **ERRORS}, summary="Delete a finished video")
def video_delete(request: HttpRequest, video_id: str) -> dict[str, Any]:
    owner = _owner(request)
    job_delete(job=selectors.video_get(video_id, owner), by=owner)
    return {"id": video_id, "object": "video.deleted", "deleted": True}


CONTENT_TYPES = {"video": "video/mp4", "thumbnail": "image/webp", "spritesheet": "image/jpeg"}
_BINARY = {"schema": {"type": "string", "format": "binary"}}


@api.get(
    "/videos/{video_id}/content",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {"200": {"description": "The bytes", "content": dict.fromkeys(CONTENT_TYPES.values(), _BINARY)}}
    },
    summary="Download a video, its thumbnail or its spritesheet",
)
def video_content(
    request: HttpRequest, video_id: str, variant: Literal["video", "thumbnail", "spritesheet"] = "video"
) -> HttpResponse | FileResponse:
    job = selectors.video_get(video_id, _owner(request))
    expires_at = selectors.video_expires_at(job)
    if job.state != GenerationJob.State.COMPLETED:
        raise DomainError("not_found", f"Video {video_id} has no content: it is {job.state}.", status=404)
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("not_found", f"Video {video_id} expired and its content was removed.", status=404)
    stored = {"video": job.video, "thumbnail": job.poster, "spritesheet": job.spritesheet}[variant]
    if not stored:
        raise DomainError(
            "not_found", f"This server made no {variant} for video {video_id}.", field="variant", status=404
        )
    return FileResponse(stored.open("rb"), content_type=CONTENT_TYPES[variant])


@api.post(
    "/videos/{video_id}/remix",
    response={200: Video, **ERRORS},
    openapi_extra=_body_doc(VideoRemix, files={}),
    summary="Remix a completed video",
)
def video_remix(request: HttpRequest, response: HttpResponse, video_id: str) -> dict[str, Any]:
    body, _files = body_read(request, VideoRemix)
    job = videos.video_remix(
        owner=_owner(request),
        source_id=video_id,
        prompt=body.prompt,
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    return _video(job, response)


def api_urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """The API's URL patterns for `sora_site.urls`, each accepting multipart bodies up to the largest
    file an operation takes (a character's clip); each operation then checks its own files' sizes."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            body_limit(_largest_upload)(pattern.callback)
    return patterns, app_name, namespace


def _largest_upload() -> int:
    return max(settings.GENERATION_INPUT_IMAGE_MAX_BYTES, characters.CHARACTER_CLIP_MAX_BYTES)
