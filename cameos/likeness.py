"""The likeness check: whose registered face is in this picture, and may the requester show it?

Every face found is matched (dlib 128-d encodings, Euclidean, threshold 0.6) against every active
human cameo and every public figure in the registry. Used by generation on reference images (prompt
stage) and on sampled output frames (frames stage). The faces found are compared in memory and
never stored.

The registry is read from the database per check (a few hundred floats per cameo); at many
thousands of cameos this wants a vector index (pgvector) instead of a scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from django.utils.translation import gettext

from cameos.models import Cameo, PublicFigurePhoto
from cameos.selectors import cameo_use_refusal
from cameos.verification.faces import detect_faces, face_encoding
from cameos.verification.matching import FACE_MATCH_THRESHOLD
from feed.accounts.models import User
from sora_site.errors import DomainError

ANALYSIS_SHORT_SIDE = 480  # HOG at upsample 0 finds faces from ~80 px; a cameo in a frame is ~100 px here


@dataclass(frozen=True)
class LikenessMatch:
    kind: str  # "cameo" or "public_figure"
    key: int  # the cameo's or the public figure's id
    name: str  # "@handle" or the figure's name
    distance: float


class FaceRegistry:
    """Every registered identity's encodings, stacked into one matrix so a face is compared with all
    of them in one step."""

    def __init__(self, cameos: dict[int, Cameo], entries: list[tuple[str, int, str, np.ndarray]]) -> None:
        self.cameos = cameos
        self.entries = [(kind, key, name) for kind, key, name, _ in entries]  # (kind, key, name)
        rows = [np.asarray(encodings, dtype=np.float64).reshape(-1, 128) for *_, encodings in entries]
        self.matrix = np.concatenate(rows) if rows else np.zeros((0, 128))
        self.owner = np.repeat(np.arange(len(rows)), [len(r) for r in rows])

    def match(self, encoding: np.ndarray) -> LikenessMatch | None:
        """The closest registered identity under the 0.6 threshold, or None."""
        if not len(self.matrix):
            return None
        distances = np.linalg.norm(self.matrix - np.asarray(encoding, dtype=np.float64), axis=1)
        row = int(np.argmin(distances))
        if distances[row] >= FACE_MATCH_THRESHOLD:
            return None
        kind, key, name = self.entries[self.owner[row]]
        return LikenessMatch(kind, key, name, round(float(distances[row]), 3))


def face_registry() -> FaceRegistry:
    """Every active human cameo with encodings and every public figure's photos."""
    cameos = {
        c.pk: c
        for c in Cameo.objects.select_related("owner").filter(
            kind=Cameo.Kind.HUMAN, status=Cameo.Status.ACTIVE, owner__is_active=True
        )
        if c.face_encodings
    }
    entries = [
        ("cameo", pk, f"@{c.handle}", np.asarray(c.face_encodings, dtype=np.float64)) for pk, c in cameos.items()
    ]
    figures: dict[tuple[int, str], list[list[float]]] = {}
    for figure_id, name, encoding in PublicFigurePhoto.objects.values_list("figure_id", "figure__name", "encoding"):
        figures.setdefault((figure_id, name), []).append(encoding)
    entries += [
        ("public_figure", key, name, np.asarray(encodings, dtype=np.float64))
        for (key, name), encodings in figures.items()
    ]
    return FaceRegistry(cameos, entries)


def faces_encode(image: np.ndarray, *, upsample: int = 0) -> list[np.ndarray]:
    """Encodings of the faces in an RGB picture, analysed with its short side at 480 px."""
    h, w = image.shape[:2]
    scale = ANALYSIS_SHORT_SIDE / min(h, w)
    if abs(scale - 1) > 0.01:
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        image = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=interp)
    image = np.ascontiguousarray(image[..., :3])
    return [face_encoding(image, face) for face in detect_faces(image, upsample=upsample)]


def likeness_matches(registry: FaceRegistry, encodings: Iterable[np.ndarray]) -> list[LikenessMatch]:
    """The registered person each face is, for the faces that match someone (one entry per person)."""
    found: dict[tuple[str, int], LikenessMatch] = {}
    for encoding in encodings:
        match = registry.match(encoding)
        if match is not None and (
            (match.kind, match.key) not in found or match.distance < found[match.kind, match.key].distance
        ):
            found[match.kind, match.key] = match
    return sorted(found.values(), key=lambda m: m.distance)


def likeness_blocking(
    registry: FaceRegistry, matches: Sequence[LikenessMatch], *, user: User, allowed: set[int] | None = None
) -> LikenessMatch | None:
    """The first match that may not be shown: a public figure, or a cameo that is not in `allowed`
    (the job's own cameos; None: any cameo `user` may use) and is not `user`'s own."""
    for match in matches:
        if match.kind == "public_figure":
            return match
        cameo = registry.cameos[match.key]
        if cameo.owner_id == user.pk:
            continue
        permitted = cameo_use_refusal(user, cameo) is None if allowed is None else match.key in allowed
        if not permitted:
            return match
    return None


def blocked_message(match: LikenessMatch) -> str:
    if match.kind == "public_figure":
        return gettext("This shows a real public figure, which videos can't depict.")
    return gettext("This shows the face of someone whose cameo you may not use.")


def reference_image_check(*, user: User, image: np.ndarray) -> list[Cameo]:
    """Prompt stage, for an image to animate: refuse (`likeness_blocked`) a face of a public figure or
    of a cameo `user` may not use. Returns the cameos it shows that `user` may use (their own, or
    allowed), so the job records them like an @mention."""
    registry = face_registry()
    matches = likeness_matches(registry, faces_encode(image, upsample=1))
    blocking = likeness_blocking(registry, matches, user=user)
    if blocking is not None:
        raise DomainError(
            "likeness_blocked",
            gettext("%(refusal)s The image was not kept. Use a picture of yourself or of no one.")
            % {"refusal": blocked_message(blocking)},
            field="input_reference",
        )
    return [registry.cameos[m.key] for m in matches if m.kind == "cameo"]


# resemblyzer cosine: measured on espeak-ng voices (tests.builders.synthetic_face.speech, registered
# from a digits line, heard in a soundtrack line over its ambient bed): the same voice 0.79-0.91,
# en-us vs en-us+f3 0.62-0.66; the factories' constant placeholder vector 0.54-0.56.
VOICE_MATCH_THRESHOLD = 0.75


@dataclass(frozen=True)
class VoiceMatch:
    cameo: Cameo
    similarity: float


def voice_matches(embeddings: Sequence[np.ndarray]) -> list[VoiceMatch]:
    """The active cameos (of active accounts) whose registered voice one of `embeddings` matches,
    closest first, one entry per cameo."""
    cameos = [
        c
        for c in Cameo.objects.select_related("owner").filter(status=Cameo.Status.ACTIVE, owner__is_active=True)
        if c.voice_embedding
    ]
    if not cameos or not embeddings:
        return []
    registered = np.asarray([c.voice_embedding for c in cameos], dtype=np.float64)
    registered /= np.linalg.norm(registered, axis=1, keepdims=True).clip(min=1e-9)
    heard = np.asarray(embeddings, dtype=np.float64).reshape(len(embeddings), -1)
    heard /= np.linalg.norm(heard, axis=1, keepdims=True).clip(min=1e-9)
    best = (heard @ registered.T).max(axis=0)  # per cameo, its closest speech segment
    found = [VoiceMatch(cameo, round(float(s), 3)) for cameo, s in zip(cameos, best, strict=True)]
    return sorted((m for m in found if m.similarity >= VOICE_MATCH_THRESHOLD), key=lambda m: -m.similarity)
