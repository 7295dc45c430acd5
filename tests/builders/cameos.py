"""Cameos in a known state without running verification (for permission, ledger and deletion tests)."""

from __future__ import annotations

import io
from functools import cache
from typing import Any

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image
from skimage import data

from cameos.models import Cameo, CameoPortrait, _random_name
from cameos.verification.faces import encode_image_faces
from feed.models import User


@cache
def astronaut_encoding() -> list[float]:
    return np.asarray(encode_image_faces(data.astronaut())[0], dtype=np.float64).round(6).tolist()


def active_cameo(owner: User, *, access: str = Cameo.Access.APPROVED, real_face: bool = False, **fields: Any) -> Cameo:
    """An active human cameo with one portrait file and a voice profile. `real_face` uses the
    astronaut's encoding (for likeness matching); otherwise a random vector far from any face."""
    encoding = astronaut_encoding() if real_face else (np.random.default_rng(owner.pk).random(128) * 3).tolist()
    cameo = Cameo.objects.create(
        owner=owner,
        handle=owner.username,
        status=Cameo.Status.ACTIVE,
        access=access,
        verified_at=timezone.now(),
        face_encodings=[encoding],
        **{"voice_embedding": [0.1] * 256, "voice_pitch_hz": 180.0, "espeak_voice": "en-us+f3", **fields},
    )
    out = io.BytesIO()
    Image.fromarray(data.astronaut()[60:316, 100:356]).save(out, "JPEG")
    name = default_storage.save(_random_name("portraits", ".jpg"), ContentFile(out.getvalue()))
    CameoPortrait.objects.create(cameo=cameo, image=name, position=0)
    return cameo
