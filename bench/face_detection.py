"""Face-detection recall of the frames stage's face finder on a labelled set built here, plus its cost.

The set is made in code from the face fixtures (tests/fixtures/faces: six people in the group photo and
one 112 px crop) and skimage's astronaut: eight people. Each face is cut out with its head, scaled so
its face box (dlib's, brows to chin) is 48..400 px tall, changed by one condition and pasted at a
random place on a 720x1280 background (skimage pictures and soft gradients):

    clean, caption_eyes (a translucent two-line caption band across the eyes, like the preview's),
    hand_eyes / hand_mouth (a skin-coloured hand-like blob), sunglasses (a dark bar over both eyes),
    tilt-30 / tilt-15 / tilt15 / tilt30 (in-plane rotation), mirrored, turned-35 / turned35 (the head
    turned 35 degrees either way by tests/builders/synthetic_face.py's landmark-driven warp: we have
    no profile photographs, so true profiles are not measured).

Negatives are the same backgrounds with no face (a cat, a rocket, coins, text, a bricks wall...). A face
counts as found when a detection's centre is inside its box and the detection is 0.5..2 times its
height; any other detection is a false one. Prints recall per condition and per size, false detections,
and for faces found the encoding distance to the same person's registered (clean) encoding and to the
closest other person, per condition (what the thresholds in cameos/likeness.py are chosen from), and
the share the likeness check recognises as their own person and how many it takes for another (with
its second looks, and with first encodings alone), each person registered with the clean face's
encoding. Then the frames stage's cost is bench/frames_stage.py's. Usage:

    DJANGO_SETTINGS_MODULE=sora_site.settings .venv/bin/python bench/face_detection.py [--people 8] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")

import django

django.setup()

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402
from skimage import data  # noqa: E402

from cameos.likeness import FIND_MIN_SCORE, FaceRegistry, FoundFace, faces_find  # noqa: E402
from cameos.verification.faces import detect_faces, face_encoding  # noqa: E402
from cameos.verification.matching import FACE_MATCH_THRESHOLD  # noqa: E402
from moderation.nudity import detections, face_boxes  # noqa: E402
from tests.builders.synthetic_face import HeadTurner  # noqa: E402

FACES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "faces"
W, H = 720, 1280
SIZES = (48, 64, 96, 160, 256, 400)
CONDITIONS = (
    "clean",
    "caption_eyes",
    "hand_eyes",
    "hand_mouth",
    "sunglasses",
    "tilt-30",
    "tilt-15",
    "tilt15",
    "tilt30",
    "mirrored",
    "turned-35",
    "turned35",
)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


@dataclass
class Person:
    name: str
    head: np.ndarray  # RGB crop around the face, with margin
    box: tuple[float, float, float, float]  # the face box in `head`
    eyes: tuple[float, float]  # y of the eyes, and x centre between them, in `head`
    mouth_y: float
    encoding: np.ndarray  # registered: the clean face's encoding
    turner: HeadTurner


def people() -> list[Person]:
    """The eight people of the fixtures, each with a face box and landmarks from dlib (upsample 1)."""
    group = np.asarray(Image.open(FACES / "group_six_faces.jpg").convert("RGB"))
    single = np.asarray(Image.open(FACES / "single_face_112.png").convert("RGB"))
    sources = [("astronaut", data.astronaut()[..., :3]), ("single", cv2.resize(single, (336, 336)))]
    found = []
    for name, image in sources:
        faces = detect_faces(np.ascontiguousarray(image), upsample=1)
        found.append((name, image, faces[0]))
    for i, face in enumerate(sorted(detect_faces(group, upsample=1), key=lambda f: f.box[0])):
        found.append((f"group{i}", group, face))
    out = []
    for name, image, face in found:
        left, top, right, bottom = face.box
        size = bottom - top
        x0, y0 = max(0, int(left - 0.8 * size)), max(0, int(top - 0.9 * size))
        x1, y1 = min(image.shape[1], int(right + 0.8 * size)), min(image.shape[0], int(bottom + 0.7 * size))
        head = np.ascontiguousarray(image[y0:y1, x0:x1])
        pts = face.landmarks - (x0, y0)
        eyes = pts[36:48]
        out.append(
            Person(
                name,
                head,
                (left - x0, top - y0, right - x0, bottom - y0),
                (float(eyes[:, 1].mean()), float(eyes[:, 0].mean())),
                float(pts[48:68, 1].mean()),
                face_encoding(np.ascontiguousarray(image), face),
                HeadTurner(head),
            )
        )
    return out


def backgrounds(rng: np.random.Generator) -> list[np.ndarray]:
    pictures = [
        data.chelsea(),
        data.rocket(),
        data.coffee(),
        data.coins(),
        data.text(),
        data.brick(),
        data.grass(),
        data.gravel(),
        data.hubble_deep_field(),
        data.immunohistochemistry(),
        data.logo()[..., :3],
        data.page(),
        data.camera(),
        data.moon(),
    ]
    out = []
    for picture in pictures:
        rgb = np.dstack([picture] * 3) if picture.ndim == 2 else picture[..., :3]
        out.append(cv2.resize(np.ascontiguousarray(rgb.astype(np.uint8)), (W, H), interpolation=cv2.INTER_LINEAR))
    for _ in range(6):  # the preview's soft worlds: two-colour gradients with blurred discs
        top, bottom = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
        t = np.linspace(0, 1, H)[:, None, None]
        world = (top * (1 - t) + bottom * t).repeat(W, axis=1).astype(np.uint8)
        for _ in range(8):
            colour = tuple(int(c) for c in rng.integers(0, 256, 3))
            centre = (int(rng.integers(0, W)), int(rng.integers(0, H)))
            cv2.circle(world, centre, int(rng.integers(20, 200)), colour, -1)
        out.append(cv2.GaussianBlur(world, (0, 0), 8))
    return out


def caption_band(head: np.ndarray, person: Person, scale: float) -> None:
    """A two-line caption box across the eyes: black at 61 % opacity, white bold text with a shadow."""
    eye_y, _ = person.eyes
    face_h = (person.box[3] - person.box[1]) * scale
    size = int(np.clip(face_h * 0.22, 9, 34))
    line_h, pad = int(size * 1.3), size // 2
    bottom = int(eye_y * scale + 0.12 * face_h)
    top = bottom - 2 * line_h - 2 * pad
    overlay = Image.new("RGBA", (head.shape[1], head.shape[0]), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rounded_rectangle((0, top, head.shape[1] - 1, bottom), radius=pad, fill=(0, 0, 0, 155))
    font = ImageFont.truetype(FONT, size)
    words = "she smiles and slowly turns toward the window while the morning light moves across the room"
    for i in range(2):
        draw.text((pad + 2, top + pad + i * line_h + 2), words[i * 30 :], font=font, fill=(0, 0, 0, 200))
        draw.text((pad, top + pad + i * line_h), words[i * 30 :], font=font, fill=(255, 255, 255, 255))
    base = Image.fromarray(head).convert("RGBA")
    head[:] = np.asarray(Image.alpha_composite(base, overlay).convert("RGB"))


def hand(head: np.ndarray, centre: tuple[float, float], width: float, rng: np.random.Generator) -> None:
    """A hand-like blob: a palm and four fingers, in a skin tone with some shading."""
    tone = np.array([rng.integers(150, 235), rng.integers(100, 180), rng.integers(80, 150)], dtype=float)
    cx, cy = centre
    layer = head.copy()
    colour = tuple(int(c) for c in tone)
    cv2.ellipse(layer, (int(cx), int(cy + width * 0.1)), (int(width * 0.35), int(width * 0.22)), 0, 0, 360, colour, -1)
    for k in range(4):
        fx = cx - width * 0.45 + k * width * 0.28
        cv2.ellipse(
            layer, (int(fx), int(cy - width * 0.05)), (int(width * 0.12), int(width * 0.3)), 75, 0, 360, colour, -1
        )
    shade = cv2.GaussianBlur(layer, (0, 0), max(1.0, width * 0.01))
    head[:] = shade


def sunglasses(head: np.ndarray, person: Person, scale: float) -> None:
    eye_y, eye_x = person.eyes
    face_w = (person.box[2] - person.box[0]) * scale
    y, x = int(eye_y * scale), int(eye_x * scale)
    rx, ry = int(face_w * 0.2), int(face_w * 0.12)
    for side in (-1, 1):
        cv2.ellipse(head, (x + side * int(face_w * 0.21), y), (rx, ry), 0, 0, 360, (15, 15, 20), -1)
    cv2.line(head, (x - int(face_w * 0.45), y - ry // 2), (x + int(face_w * 0.45), y - ry // 2), (15, 15, 20), 3)


def transformed(person: Person, size: int, condition: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The person's head scaled so the face box is `size` px tall, with `condition` applied.
    Returns (RGBA head, face box corners 4 x 2 in the head's pixels)."""
    face_h = person.box[3] - person.box[1]
    scale = size / face_h
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    source = person.turner.frame(float(condition[6:])) if condition.startswith("turned") else person.head
    head = cv2.resize(source, None, fx=scale, fy=scale, interpolation=interp)
    left, top, right, bottom = (v * scale for v in person.box)
    corners = np.array([[left, top], [right, top], [right, bottom], [left, bottom]], dtype=np.float64)
    eye_y, eye_x = person.eyes
    if condition == "caption_eyes":
        caption_band(head, person, scale)
    elif condition == "hand_eyes":
        hand(head, (eye_x * scale, eye_y * scale), (right - left) * 1.1, rng)
    elif condition == "hand_mouth":
        hand(head, ((left + right) / 2, person.mouth_y * scale), (right - left) * 1.0, rng)
    elif condition == "sunglasses":
        sunglasses(head, person, scale)
    elif condition == "mirrored":
        head = np.ascontiguousarray(head[:, ::-1])
        corners[:, 0] = head.shape[1] - corners[:, 0]
    alpha = np.full(head.shape[:2], 255, np.uint8)
    rgba = np.dstack([head, alpha])
    if condition.startswith("tilt"):
        angle = float(condition[4:])
        h, w = rgba.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        cos, sin = abs(m[0, 0]), abs(m[0, 1])
        nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
        m[0, 2] += nw / 2 - w / 2
        m[1, 2] += nh / 2 - h / 2
        rgba = cv2.warpAffine(rgba, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0, 0))
        corners = np.hstack([corners, np.ones((4, 1))]) @ m.T
    return rgba, corners


@dataclass
class Sample:
    frame: np.ndarray
    condition: str
    size: int
    person: int  # index into people(), -1 for a negative
    box: tuple[float, float, float, float] | None  # axis-aligned box around the face's corners


def labelled_set(persons: list[Person], conditions: list[str], rng: np.random.Generator) -> Iterator[Sample]:
    worlds = backgrounds(rng)
    for p, person in enumerate(persons):
        for size in SIZES:
            for condition in conditions:
                head, corners = transformed(person, size, condition, rng)
                hh, hw = head.shape[:2]
                if hh > H or hw > W:  # the biggest heads: keep the face, crop the margin
                    cy = int(np.clip(corners[:, 1].mean() - H / 2, 0, max(0, hh - H)))
                    cx = int(np.clip(corners[:, 0].mean() - W / 2, 0, max(0, hw - W)))
                    head, corners = head[cy : cy + H, cx : cx + W], corners - (cx, cy)
                    hh, hw = head.shape[:2]
                frame = worlds[int(rng.integers(len(worlds)))].copy()
                x, y = int(rng.integers(0, W - hw + 1)), int(rng.integers(0, H - hh + 1))
                a = head[..., 3:4].astype(np.uint16)
                region = frame[y : y + hh, x : x + hw]
                region[:] = ((head[..., :3] * a + region * (255 - a)) // 255).astype(np.uint8)
                c = corners + (x, y)
                box = (c[:, 0].min(), c[:, 1].min(), c[:, 0].max(), c[:, 1].max())
                yield Sample(frame, condition, size, p, box)
    for world in worlds:
        for flip in (False, True):
            yield Sample(np.ascontiguousarray(world[:, ::-1] if flip else world), "negative", 0, -1, None)


def found_before(frame: np.ndarray) -> list[FoundFace]:
    """What the frames stage found before issue 20: HOG on the RGB frame at 480 px short side, upsample 0,
    score above 0.5."""
    scale = 480 / min(frame.shape[:2])
    small = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    out = []
    for face in detect_faces(small):
        box = tuple(v / scale for v in face.box)
        out.append(FoundFace(box, face.score, 0.0, face_encoding(small, face), small))
    return out


def hit(found: tuple[float, float, float, float], truth: tuple[float, float, float, float]) -> bool:
    left, top, right, bottom = truth
    cx, cy = (found[0] + found[2]) / 2, (found[1] + found[3]) / 2
    ratio = (found[3] - found[1]) / max(1.0, (bottom - top))
    return left <= cx <= right and top <= cy <= bottom and 0.5 <= ratio <= 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--conditions", default=",".join(CONDITIONS), help="comma-separated, default: all")
    parser.add_argument("--before", action="store_true", help="the finder before issue 20, for comparison")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    persons = people()[: args.people]
    found_by: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # condition -> [found, total]
    by_size: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    same: dict[str, list[float]] = defaultdict(list)
    other: dict[str, list[float]] = defaultdict(list)
    how: dict[str, int] = defaultdict(int)
    scores: list[tuple[float, bool]] = []  # every detection's score, and whether it is a labelled face
    negatives, frames, seconds = 0, 0, 0.0
    registered = np.stack([p.encoding for p in persons])
    registry = FaceRegistry({}, [("cameo", i, p.name, p.encoding[None]) for i, p in enumerate(persons)])
    recognised: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # condition -> [own person, another]
    at_first: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # the same, first encodings alone
    strangers_matched, matching_seconds = 0, 0.0
    conditions = args.conditions.split(",")
    for sample in labelled_set(persons, conditions, rng):
        cpu = time.process_time()
        if args.before:
            faces = found_before(sample.frame)
        else:  # as the frames stage runs it: NudeNet's face boxes (from the nudity check's own run) as hints
            faces = faces_find(sample.frame, hints=face_boxes(detections(sample.frame)))
        seconds += time.process_time() - cpu
        frames += 1
        matched = [f for f in faces if sample.box is not None and hit(f.box, sample.box)]
        true_face = matched[0] if matched else None
        scores += [(f.score, f is true_face) for f in faces]
        cpu = time.process_time()  # the likeness check's matching, its second looks included
        matches = {id(f): registry.match(f.encoding) if args.before else registry.face_match(f) for f in faces}
        matching_seconds += time.process_time() - cpu
        strangers_matched += sum(1 for f in faces if all(f is not m for m in matched) and matches[id(f)] is not None)
        if sample.box is None:
            negatives += 1
            continue
        ok = bool(matched)
        found_by[sample.condition][0] += ok
        found_by[sample.condition][1] += 1
        by_size[sample.size][0] += ok
        by_size[sample.size][1] += 1
        if ok:
            face = matched[0]
            how[f"{round(face.angle / 10) * 10:+d} deg"] += 1
            distances = np.linalg.norm(registered - face.encoding, axis=1)
            same[sample.condition].append(float(distances[sample.person]))
            other[sample.condition].append(float(np.delete(distances, sample.person).min()))
            match = matches[id(face)]
            if match is not None:
                recognised[sample.condition][match.key != sample.person] += 1
            if (first := registry.match(face.encoding)) is not None:
                at_first[sample.condition][first.key != sample.person] += 1
    print(
        f"{len(persons)} people x {len(SIZES)} sizes x {len(conditions)} conditions at {W}x{H}; {negatives} negatives"
    )
    print(
        f"{'condition':<14}{'recall':>8}{'found':>8}  same-person distance (median / max)  other (min)"
        "  recognised  as another  (first encoding alone)"
    )
    total = [0, 0]
    for condition in conditions:
        hits, n = found_by[condition]
        total[0] += hits
        total[1] += n
        s, o = same[condition], other[condition]
        dist = f"{np.median(s):.3f} / {max(s):.3f}" if s else "-"
        (own, wrong), (own_first, wrong_first) = recognised[condition], at_first[condition]
        print(
            f"{condition:<14}{hits / n:>8.3f}{hits:>5}/{n:<4} {dist:>22}  {min(o) if o else float('nan'):>18.3f}"
            f"  {own / n:>10.3f}  {wrong:>10}  ({own_first / n:.3f}, {wrong_first})"
        )
    print(f"{'all':<14}{total[0] / total[1]:>8.3f}{total[0]:>5}/{total[1]}")
    print("by face height: " + ", ".join(f"{s} px {hits / n:.3f}" for s, (hits, n) in sorted(by_size.items())))
    eyes_covered = ("caption_eyes", "hand_eyes", "sunglasses")
    for label, keep in (("eyes clear", lambda c: c not in eyes_covered), ("eyes covered", lambda c: c in eyes_covered)):
        hits, n = (sum(found_by[c][k] for c in conditions if keep(c)) for k in (0, 1))
        print(f"recall, {label}: {hits / max(n, 1):.3f} ({hits}/{n})")
    right = sum(1 for c in conditions for d in same[c] if d < FACE_MATCH_THRESHOLD)
    wrong = sum(1 for c in conditions for d in other[c] if d < FACE_MATCH_THRESHOLD)
    print(f"faces found under {FACE_MATCH_THRESHOLD}: {right} from their own person, {wrong} from another")
    own, wrong = (sum(recognised[c][k] for c in conditions) for k in (0, 1))
    print(
        f"matched by the likeness check (second looks included): {own} faces as their own person, {wrong} as"
        f" another, {strangers_matched} false detections as anyone; matching {matching_seconds / frames * 1000:.0f}"
        " CPU-ms per frame (mean)"
    )
    print("found at (upright angle, 10-degree bins): " + ", ".join(f"{k} {v}" for k, v in sorted(how.items())))
    for bar in (FIND_MIN_SCORE, 0.5, 0.7):  # CenterFace's score (NudeNet's boxes: 0)
        true = sum(1 for score, ok in scores if ok and score > bar)
        false = sum(1 for score, ok in scores if not ok and score > bar)
        print(
            f"score > {bar:.2f}: {true} faces found, {false} false detections in {frames} frames ({negatives} no face)"
        )
    true, false = sum(1 for _, ok in scores if ok), sum(1 for _, ok in scores if not ok)
    print(f"every find (NudeNet's face boxes too): {true} faces, {false} false detections")
    print(f"finder (with NudeNet): {seconds / frames * 1000:.0f} CPU-ms per 720x1280 frame (mean)")


if __name__ == "__main__":
    main()
