"""The protocol's objects (see /v1/openapi.json). Request shapes are loose on purpose: values are checked
by generation's services (`generation.specs`), so the web and the API refuse the same things alike."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field


class VideoError(Schema):
    code: str
    message: str


class Video(Schema):
    id: str
    object: Literal["video"] = "video"
    model: str
    status: Literal["queued", "in_progress", "completed", "failed"]
    progress: int = Field(ge=0, le=100)
    created_at: int
    completed_at: int | None
    expires_at: int | None
    prompt: str | None
    size: str
    seconds: str
    remixed_from_video_id: str | None
    error: VideoError | None


class VideoList(Schema):
    object: Literal["list"] = "list"
    data: list[Video]
    first_id: str | None
    last_id: str | None
    has_more: bool


class VideoDeleted(Schema):
    id: str
    object: Literal["video.deleted"] = "video.deleted"
    deleted: bool


class Character(Schema):
    id: str
    name: str
    created_at: int


class ErrorBody(Schema):
    message: str
    type: str
    param: str | None
    code: str | None


class ErrorEnvelope(Schema):
    error: ErrorBody


class VideoCreate(Schema):
    """POST /videos. In multipart, `input_reference` may instead be the image file itself, and nested
    objects are sent flattened with brackets (`input_reference[image_url]`, `characters[][id]`)."""

    model_config = ConfigDict(extra="ignore")

    prompt: str = Field(description="What the video shows, 1-32000 characters.")
    model: str = Field("sora-2", description="sora-2, sora-2-pro or a dated snapshot of them.")
    seconds: str = Field("4", description='"4", "8" or "12".')
    size: str = Field("720x1280", description="720x1280, 1280x720, 1024x1792 or 1792x1024.")
    input_reference: dict[str, str] | None = Field(
        None, description="Exactly one of image_url (a base64 data: URL) or file_id; the first frame."
    )
    characters: list[dict[str, str]] | None = Field(
        None, description='At most 2, as [{"id": "char_..."}]; each name must appear in the prompt.'
    )


class VideoRemix(Schema):
    prompt: str


class VideoEdit(Schema):
    model_config = ConfigDict(extra="ignore")

    prompt: str
    video: dict[str, str] = Field(description='The video to work from, as {"id": "video_..."} (video[id]).')


class VideoExtend(VideoEdit):
    seconds: str = Field("4", description="Seconds to add; the result's seconds are the stitched total.")


class CharacterCreate(Schema):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(description="1-50 characters; mention it in prompts that use the character.")
