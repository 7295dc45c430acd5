"""The likeness check: whose registered face is in this picture, and may the requester show it?

Every face `faces_find` finds (small, tilted, turned or partly covered) is matched (dlib 128-d
encodings, Euclidean, threshold 0.6) against every active human cameo and every public figure in the
registry. Used by generation on reference images (prompt stage) and on sampled output frames and the
input image (frames stage). The faces found are compared in memory and never stored.

A partly covered face (a caption or a hand over the eyes) is found by CenterFace (or only by NudeNet's
face box) and its encoding lies further from the same person (median 0.5-0.7 against 0.1 for a clear
face, bench/face_detection.py) but no nearer other people (closest other 0.57-0.64, as for clear
faces). A face that misses someone by less than SECOND_LOOK_BAND gets a second look, a steadier
encoding (`FoundFace.encoding_steadied`) compared with the same 0.6. A match is refused, never
passed or held: nothing is stored before the frames stage
passes, so holding it for review would mean keeping a registered person's likeness she did not
consent to, while a wrongly refused requester can try again.

The registry is read from the database per check (a few hundred floats per cameo); at many
thousands of cameos this wants a vector index (pgvector) instead of a scan.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
from django.utils.translation import gettext

from cameos.models import Cameo, PublicFigurePhoto
from cameos.selectors import cameo_use_refusal
from cameos.verification import loaders
from cameos.verification.matching import FACE_MATCH_THRESHOLD
from feed.accounts.models import User
from moderation.nudity import detections, face_boxes
from sora_site.errors import DomainError

# CenterFace sees each picture twice: scaled as a 720x1280 frame at 0.75 (faces down to ~48 px tall)
# and at 0.5 (large faces, and a hand over the eyes: bench/face_detection.py measured both passes
# together against each alone). A picture of another size is first brought to FINDER_PIXELS.
FINDER_PIXELS = 720 * 1280
FINDER_SCALES = (0.75, 0.5)
FINDER_MAX_UPSCALE = 2.0  # a small picture is enlarged at most this much
FIND_MIN_SCORE = 0.3  # CenterFace's heatmap score; bench/face_detection.py: false finds stay rare above it
CENTERFACE_TO_DLIB = 0.84  # CenterFace's box height (forehead to chin) to dlib's (brows to chin)
CENTERFACE_TO_DLIB_SHIFT = 0.044  # dlib's box centre lies this much of CenterFace's height lower
HINT_BOX_SIZE = 0.8  # NudeNet's face box (forehead to chin) to dlib's (brows to chin)
# A face whose encoding misses a registered identity by less than this gets a second look
# (`FoundFace.encoding_steadied`); at this chip scale, and its mirror image's.
SECOND_LOOK_BAND = 0.1
SECOND_LOOK_SCALES = (1.0, 0.92, 1.08)
SECOND_LOOK_MARGIN = 0.03  # a second look's match stands only this much nearer than anyone else


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

    def match(self, encoding: np.ndarray, *, under: float = FACE_MATCH_THRESHOLD) -> LikenessMatch | None:
        """The closest registered identity if it is nearer than `under` (the 0.6 threshold), or None."""
        if not len(self.matrix):
            return None
        distances = np.linalg.norm(self.matrix - np.asarray(encoding, dtype=np.float64), axis=1)
        row = int(np.argmin(distances))
        if distances[row] >= under:
            return None
        kind, key, name = self.entries[self.owner[row]]
        return LikenessMatch(kind, key, name, round(float(distances[row]), 3))

    def face_match(self, face: FoundFace) -> LikenessMatch | None:
        """`match` for a found face, with a second look (`FoundFace.encoding_steadied`) when its first
        encoding misses someone by less than SECOND_LOOK_BAND."""
        if (match := self.match(face.encoding)) is not None:
            return match
        if self.match(face.encoding, under=FACE_MATCH_THRESHOLD + SECOND_LOOK_BAND) is None:
            return None
        steadied = np.asarray(face.encoding_steadied(), dtype=np.float64)
        if (match := self.match(steadied)) is None:
            return None
        # ...and only when it singles out one identity: every other lies SECOND_LOOK_MARGIN further.
        distances = np.linalg.norm(self.matrix - steadied, axis=1)
        others = distances[self.owner != self.entries.index((match.kind, match.key, match.name))]
        return match if not len(others) or others.min() >= match.distance + SECOND_LOOK_MARGIN else None


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


@dataclass(frozen=True)
class FoundFace:
    box: tuple[float, float, float, float]  # left, top, right, bottom in the picture's pixels (upright)
    score: float  # CenterFace's score (NudeNet's face boxes: 0)
    angle: float  # the in-plane rotation that makes the face upright (degrees)
    encoding: np.ndarray  # 128-d, from the chip aligned on the face's own 68 landmarks
    chip: np.ndarray = field(repr=False, compare=False)  # the upright chip `encoding` was computed on

    def encoding_steadied(self) -> np.ndarray:
        """A second, steadier encoding (~SECOND_LOOK_ENCODINGS times the first's cost): the mean of
        the chip's and its mirror image's encodings, each at SECOND_LOOK_SCALES. A covered face's
        single encoding wanders (0.52-0.65 from its owner with a caption over the eyes); the mean lies
        nearer its owner, and no nearer other people (bench/face_detection.py)."""
        import dlib

        side = self.chip.shape[0]
        encodings = []
        for mirrored in (False, True):
            picture = np.ascontiguousarray(self.chip[:, ::-1]) if mirrored else self.chip
            for scale in SECOND_LOOK_SCALES:
                half = CHIP_FACE_PX * scale / 2
                rect = dlib.rectangle(
                    int(side / 2 - half), int(side / 2 - half), int(side / 2 + half), int(side / 2 + half)
                )
                shape = loaders.landmark_predictor()(picture, rect)
                encodings.append(loaders.face_encoder().compute_face_descriptor(picture, shape, 1))
        steadied: np.ndarray = np.asarray(encodings, dtype=np.float32).mean(axis=0)
        return steadied


@dataclass(frozen=True)
class _Candidate:
    cx: float
    cy: float
    size: float  # face box height (dlib's, brows to chin), picture pixels
    angle: float
    score: float


def _centerface_pass(rgb: np.ndarray, scale: float) -> list[_Candidate]:
    """CenterFace's faces in `rgb` scaled by `scale`, as dlib-sized boxes in `rgb`'s pixels, each turned
    upright by the line between its eyes."""
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    work = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=interp)
    boxes, points = loaders.face_finder()(work, threshold=FIND_MIN_SCORE)
    found = []
    for (left, top, right, bottom, score), p in zip(boxes, points / scale, strict=True):
        tilt = math.atan2(p[3] - p[1], p[2] - p[0])  # left eye to right eye
        height = (bottom - top) / scale
        shift = CENTERFACE_TO_DLIB_SHIFT * height  # along the face's own downward axis
        cx = (left + right) / 2 / scale - shift * math.sin(tilt)
        cy = (top + bottom) / 2 / scale + shift * math.cos(tilt)
        found.append(_Candidate(cx, cy, CENTERFACE_TO_DLIB * height, math.degrees(tilt), float(score)))
    return found


def _apart(c: _Candidate, kept: list[_Candidate]) -> bool:
    """Whether `c` is another face than each of `kept` (its centre further than half the bigger size)."""
    return all(np.hypot(c.cx - k.cx, c.cy - k.cy) > 0.5 * max(c.size, k.size) for k in kept)


def _suppressed(candidates: list[_Candidate]) -> list[_Candidate]:
    """The best-scoring candidate of each face (others whose centre is within half its size dropped)."""
    kept: list[_Candidate] = []
    for c in sorted(candidates, key=lambda c: -c.score):
        if _apart(c, kept):
            kept.append(c)
    return kept


CHIP_FACE_PX = 120  # a found face is re-sampled to this height (upright) for landmarks and encoding


def _encoded(rgb: np.ndarray, c: _Candidate) -> FoundFace:
    import dlib

    side = int(CHIP_FACE_PX * 2.4)
    m = cv2.getRotationMatrix2D((c.cx, c.cy), c.angle, CHIP_FACE_PX / c.size)
    m[0, 2] += side / 2 - c.cx
    m[1, 2] += side / 2 - c.cy
    interp = cv2.INTER_AREA if c.size > CHIP_FACE_PX else cv2.INTER_LINEAR
    crop = cv2.warpAffine(rgb, m, (side, side), flags=interp, borderMode=cv2.BORDER_REPLICATE)
    half = CHIP_FACE_PX / 2
    rect = dlib.rectangle(int(side / 2 - half), int(side / 2 - half), int(side / 2 + half), int(side / 2 + half))
    shape = loaders.landmark_predictor()(crop, rect)
    encoding = np.asarray(loaders.face_encoder().compute_face_descriptor(crop, shape, 1), dtype=np.float32)
    half = c.size / 2
    return FoundFace((c.cx - half, c.cy - half, c.cx + half, c.cy + half), c.score, c.angle, encoding, crop)


def faces_find(image: np.ndarray, *, hints: Sequence[tuple[float, float, float, float]] = ()) -> list[FoundFace]:
    """Every face in an RGB picture, best first, each encoded on its own aligned chip (~75 ms a face).

    CenterFace (trained on WIDER FACE) at FINDER_SCALES finds faces from ~48 px tall in a 720x1280
    frame, tilted, turned, and with a caption, sunglasses or a hand over the eyes, where dlib's HOG
    detector needs both eyes. `hints`: face boxes another detector saw (NudeNet's face classes, from
    the nudity check's own run), kept below CenterFace's finds of the same face. Overlapping finds are
    one face."""
    rgb = np.ascontiguousarray(image[..., :3])
    h, w = rgb.shape[:2]
    base = min((FINDER_PIXELS / (h * w)) ** 0.5, FINDER_MAX_UPSCALE)
    candidates = [c for scale in FINDER_SCALES for c in _centerface_pass(rgb, base * scale)]
    for left, top, right, bottom in hints:
        size = HINT_BOX_SIZE * max(right - left, bottom - top)
        candidates.append(_Candidate((left + right) / 2, (top + bottom) / 2, size, 0.0, 0.0))
    return [_encoded(rgb, c) for c in _suppressed(candidates)]


def likeness_matches(registry: FaceRegistry, faces: Iterable[FoundFace]) -> list[LikenessMatch]:
    """The registered person each face is, for the faces that match someone (one entry per person)."""
    found: dict[tuple[str, int], LikenessMatch] = {}
    for face in faces:
        match = registry.face_match(face)
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


def likeness_forbidden_any(registry: FaceRegistry, *, user: User, allowed: set[int]) -> bool:
    """Whether `registry` holds anyone a job of `user` showing the cameos `allowed` may not show (a
    public figure, or a cameo neither allowed nor `user`'s own): `likeness_blocking` can block only
    then, so the frames stage looks for faces only then."""
    return any(
        kind == "public_figure" or (key not in allowed and registry.cameos[key].owner_id != user.pk)
        for kind, key, _ in registry.entries
    )


def blocked_message(match: LikenessMatch) -> str:
    if match.kind == "public_figure":
        return gettext("This shows a real public figure, which videos can't depict.")
    return gettext("This shows the face of someone whose cameo you may not use.")


def reference_image_check(*, user: User, image: np.ndarray) -> list[Cameo]:
    """Prompt stage, for an image to animate: refuse (`likeness_blocked`) a face of a public figure or
    of a cameo `user` may not use. Returns the cameos it shows that `user` may use (their own, or
    allowed), so the job records them like an @mention."""
    registry = face_registry()
    matches = likeness_matches(registry, faces_find(image, hints=face_boxes(detections(image))))
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


def voice_registry() -> list[Cameo]:
    """The active cameos (of active accounts) with a registered voice."""
    return [
        c
        for c in Cameo.objects.select_related("owner").filter(status=Cameo.Status.ACTIVE, owner__is_active=True)
        if c.voice_embedding
    ]


def voice_matches(cameos: Sequence[Cameo], embeddings: Sequence[np.ndarray]) -> list[VoiceMatch]:
    """Those of `cameos` (from `voice_registry`) whose registered voice one of `embeddings` matches,
    closest first, one entry per cameo."""
    if not cameos or not embeddings:
        return []
    registered = np.asarray([c.voice_embedding for c in cameos], dtype=np.float64)
    registered /= np.linalg.norm(registered, axis=1, keepdims=True).clip(min=1e-9)
    heard = np.asarray(embeddings, dtype=np.float64).reshape(len(embeddings), -1)
    heard /= np.linalg.norm(heard, axis=1, keepdims=True).clip(min=1e-9)
    best = (heard @ registered.T).max(axis=0)  # per cameo, its closest speech segment
    found = [VoiceMatch(cameo, round(float(s), 3)) for cameo, s in zip(cameos, best, strict=True)]
    return sorted((m for m in found if m.similarity >= VOICE_MATCH_THRESHOLD), key=lambda m: -m.similarity)
