"""Pictures shared by the rooms that take photos: reading an uploaded photo within limits (characters,
the public-figure registry and requests to join it) and storing a cameo's portrait crop (recording,
characters)."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from PIL import Image

from cameos.models import Cameo, CameoPortrait, _random_name
from sora_site.images import image_open_checked

PHOTO_MAX_BYTES = 8 * 1024 * 1024


def portrait_save(cameo: Cameo, image: Image.Image, position: int) -> None:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=90)
    name = default_storage.save(_random_name("portraits", ".jpg"), ContentFile(out.getvalue()))
    CameoPortrait.objects.create(cameo=cameo, image=name, position=position)


def photo_read(upload: File) -> Image.Image:
    image = image_open_checked(
        upload,
        formats=("JPEG", "PNG", "WEBP"),
        max_bytes=PHOTO_MAX_BYTES,
        max_pixels=40_000_000,
        code_prefix="photo",
        field="photos",
    )
    image.thumbnail((1024, 1024))
    return image
