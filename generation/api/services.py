"""Writes for the API: its keys and webhook endpoints, and the protocol's requests turned into jobs and cameos."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import ipaddress
import json
import re
import secrets
import socket
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils import timezone
from PIL import Image

from cameos.models import Cameo
from cameos.services import character_create
from feed.accounts.models import User
from generation import specs
from generation.api.forms import data_url_file
from generation.api.schemas import VideoCreate, VideoEdit, VideoExtend
from generation.api.selectors import character_cameo, character_name, video_get
from generation.models import ApiKey, GenerationJob, WebhookEndpoint
from generation.selectors import remix_source_get
from generation.services import job_create, job_delete
from sora_site.errors import DomainError
from sora_site.media import decode_video

KEY_PREFIX = "sk-or-"
KEY_SHOWN_CHARS = 12
KEY_NAME_MAX = 80
KEY_EXPIRY_DAYS_MAX = 3650
CHARACTER_NAME_MAX = 50  # the cameo's name field; the hosted API allowed 80
MAX_KEYS_PER_USER = 20
MAX_WEBHOOKS_PER_USER = 5


def key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_create(
    *, owner: User, name: str, expires_in_days: int | None = None, rate_limit_per_minute: int | None = None
) -> tuple[ApiKey, str]:
    """A new key for `owner`. Returns the row and the key itself, which is never stored or shown again."""
    name = name.strip()
    if not 1 <= len(name) <= KEY_NAME_MAX:
        raise DomainError("invalid_value", f"Name the key (1-{KEY_NAME_MAX} characters).", field="name")
    if expires_in_days is not None and not 1 <= expires_in_days <= KEY_EXPIRY_DAYS_MAX:
        raise DomainError(
            "invalid_value", f"A key expires after 1 to {KEY_EXPIRY_DAYS_MAX} days.", field="expires_in_days"
        )
    if ApiKey.objects.filter(owner=owner, revoked_at__isnull=True).count() >= MAX_KEYS_PER_USER:
        raise DomainError("too_many_keys", f"You can have at most {MAX_KEYS_PER_USER} keys. Revoke one first.")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)  # 256 bits: a plain SHA-256 is enough to store it
    key = ApiKey.objects.create(
        owner=owner,
        name=name,
        prefix=raw[:KEY_SHOWN_CHARS],
        key_hash=key_hash(raw),
        rate_limit_per_minute=rate_limit_per_minute,
        expires_at=timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None,
    )
    return key, raw


def api_key_revoke(*, key: ApiKey, by: User) -> None:
    if key.owner_id != by.pk:
        raise DomainError("not_found", "This key does not exist.", status=404)
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def webhook_endpoint_create(*, owner: User, url: str) -> WebhookEndpoint:
    url = url.strip()
    webhook_url_check(url)
    if WebhookEndpoint.objects.filter(owner=owner).count() >= MAX_WEBHOOKS_PER_USER:
        raise DomainError("too_many_webhooks", f"You can have at most {MAX_WEBHOOKS_PER_USER} webhook endpoints.")
    return WebhookEndpoint.objects.create(owner=owner, url=url)


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, by: User) -> None:
    if endpoint.owner_id != by.pk:
        raise DomainError("not_found", "This webhook endpoint does not exist.", status=404)
    endpoint.delete()


@dataclass(frozen=True)
class WebhookTarget:
    """A webhook URL taken apart, with the addresses its host resolved to when it was checked: delivery
    connects to one of these, never resolving the name again (a second answer could be a private one)."""

    scheme: str
    hostname: str
    port: int
    target: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        name = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        default = 443 if self.scheme == "https" else 80
        return name if self.port == default else f"{name}:{self.port}"


def url_redacted(url: str) -> str:
    """`scheme://host[:port]/…`: what a log may say about a URL whose user info, path or query can hold a secret."""
    try:
        parts = urlsplit(url)
        netloc = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname or ""
        if parts.port is not None:
            netloc += f":{parts.port}"
    except ValueError:
        return "(unparsable URL)"
    return f"{parts.scheme}://{netloc}/…"


def webhook_url_check(url: str) -> WebhookTarget:
    """An http(s) URL whose host does not resolve to this machine or a private network (unless allowed):
    checked when the endpoint is added and again before each delivery (DNS may change). The host is
    resolved once here and every address checked; the delivery connects to those addresses."""
    refused = DomainError("invalid_value", "Enter an http:// or https:// URL (at most 500 characters).", field="url")
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port out of range or not a number, an unclosed [IPv6 literal
        raise refused from None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise refused
    try:
        addresses = tuple(dict.fromkeys(str(info[4][0]) for info in socket.getaddrinfo(parts.hostname, port)))
        hostname = parts.hostname.encode("idna").decode("ascii")  # as the Host header and TLS name carry it
    except (OSError, UnicodeError):
        raise DomainError("invalid_value", f"{parts.hostname} does not resolve.", field="url") from None
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise DomainError(
                    "invalid_value",
                    f"{parts.hostname} is on a private network; webhooks go to public hosts.",
                    field="url",
                )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return WebhookTarget(parts.scheme, hostname, port, target, addresses)


# --- videos and characters, from the protocol's requests -----------------------------------------


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


CHARACTER_CLIP_MAX_BYTES = 60 * 1024 * 1024
CHARACTER_FRAMES = 4


def character_create_from_clip(*, owner: User, name: str, clip: UploadedFile | None) -> Cameo:
    """A non-human cameo of the caller's from frames of their clip. The cameos app refuses any frame
    showing a person's face: people become cameos only by recording themselves live."""
    name = name.strip()
    if not 1 <= len(name) <= CHARACTER_NAME_MAX:
        raise DomainError("invalid_value", f"Name the character (1-{CHARACTER_NAME_MAX} characters).", field="name")
    if clip is None:
        raise DomainError("invalid_value", "Send the character's clip as the video file.", field="video")
    if (clip.size or 0) > CHARACTER_CLIP_MAX_BYTES:
        raise DomainError("invalid_value", "The clip can be at most 60 MB.", field="video")
    with tempfile.NamedTemporaryFile(suffix=".video") as copy:
        for chunk in clip.chunks():
            copy.write(chunk)
        copy.flush()
        try:
            decoded = decode_video(copy.name, sample_fps=1.0, max_frames=CHARACTER_FRAMES, with_audio=False)
        except DomainError as error:
            raise DomainError("invalid_type", error.message, field="video") from None
    photos = []
    for number, frame in enumerate(decoded.frames):
        out = io.BytesIO()
        Image.fromarray(frame).save(out, "PNG")
        photos.append(SimpleUploadedFile(f"frame{number}.png", out.getvalue(), content_type="image/png"))
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:20] or "character"
    return character_create(
        owner=owner, handle=f"{slug}_{secrets.token_hex(4)}", name=name, kind=Cameo.Kind.CHARACTER, photos=photos
    )


def videos_delete_expired(*, now: dt.datetime | None = None) -> int:
    """With VIDEO_RETENTION_DAYS set, finished videos past their `expires_at` are deleted with their files
    (hourly, by beat). A posted video stays: the feed refuses its deletion. Returns how many went."""
    if not settings.VIDEO_RETENTION_DAYS:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.VIDEO_RETENTION_DAYS)
    deleted = 0
    expired = GenerationJob.objects.filter(state=GenerationJob.State.COMPLETED, completed_at__lt=cutoff)
    for job in expired.select_related("owner")[:500]:
        try:
            job_delete(job=job, by=job.owner)
        except DomainError:
            continue  # posted: the feed keeps it
        deleted += 1
    return deleted
