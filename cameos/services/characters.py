"""Non-human cameos (pets, objects, characters), made from photos instead of a live recording."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image, ImageOps

from cameos.models import Cameo
from cameos.services.photos import photo_read, portrait_save
from feed.accounts.models import User, handle_validator
from sora_site.errors import DomainError

Status = Cameo.Status
CHARACTER_PHOTOS = (1, 5)  # min, max photos of a non-human cameo


def character_create(*, owner: User, handle: str, name: str, kind: str, photos: Sequence[UploadedFile]) -> Cameo:
    """A pet, object or character from photos: no face verification, never matched as a person."""
    handle = handle.strip().lstrip("@").lower()
    if kind not in {Cameo.Kind.PET, Cameo.Kind.OBJECT, Cameo.Kind.CHARACTER}:
        raise DomainError("cameo_bad_kind", gettext("Choose a pet, an object or a character."), field="kind")
    try:
        handle_validator(handle)
    except Exception:
        raise DomainError(
            "cameo_bad_handle",
            gettext("Handles are 3-30 characters: lowercase letters, digits and underscores."),
            field="handle",
        ) from None
    if Cameo.objects.filter(handle=handle).exists() or User.objects.filter(username=handle).exists():
        raise DomainError(
            "cameo_handle_taken",
            gettext("@%(handle)s is taken. Choose another handle.") % {"handle": handle},
            field="handle",
        )
    if not name.strip():
        raise DomainError("cameo_name_missing", gettext("Give your cameo a name."), field="name")
    low, high = CHARACTER_PHOTOS
    if not low <= len(photos) <= high:
        raise DomainError(
            "cameo_photo_count", gettext("Add %(low)d to %(high)d photos.") % {"low": low, "high": high}, field="photos"
        )
    images = [photo_read(photo) for photo in photos]
    from cameos.verification.faces import encode_image_faces

    for image in images:
        if encode_image_faces(np.asarray(image), min_score=0.5, upsample=0):
            raise DomainError(
                "cameo_photo_has_person",
                gettext(
                    "One of the photos shows a person's face. A cameo of a "
                    "person must be recorded live: use “Record my cameo” instead."
                ),
                field="photos",
            )
    with transaction.atomic():
        cameo = Cameo.objects.create(
            owner=owner,
            handle=handle,
            kind=kind,
            name=name.strip()[:50],
            status=Status.ACTIVE,
            verified_at=timezone.now(),
        )
        for position, image in enumerate(images):
            portrait_save(cameo, ImageOps.fit(image, (256, 256), Image.Resampling.LANCZOS), position)
    return cameo
