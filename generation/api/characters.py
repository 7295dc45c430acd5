"""`POST /v1/characters`: a non-human cameo made from frames of the caller's clip (through the cameos app)."""

from __future__ import annotations

import io
import re
import secrets
import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from PIL import Image

from cameos.models import Cameo
from cameos.services.characters import character_create
from feed.accounts.models import User
from sora_site.errors import DomainError
from sora_site.media import decode_video

CHARACTER_NAME_MAX = 50  # the cameo's name field; the hosted API allowed 80
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
