"""How well the invisible watermark survives what people do to a video before re-posting it.

N videos of varied content (preview renders of different prompts, image-to-video from photos, a dark
scene and a flat one) at 720x1280, 24 fps, go through finishing's marks (the visible label, then the
invisible mark) and its encoder. Each marked file is then attacked the way re-posts are: every copy
drops its first half second and is encoded again with libx264 (800 kb/s unless the attack sets the
bitrate), after a crop, an aspect-ratio crop, a letterbox, a scale, a rotation, a mirror, a speed or
frame-rate change, a brightness/contrast/gamma change, a sticker, or a simulated screen recording
(perspective warp, moire, gamma, blur and noise), each at two strengths. Every copy is read back as
`/verify/` reads an upload (`reading.video_read`).

Reported per attack: bit accuracy (the coded payload's bits read right, before error correction) and
"traced" (the reader returned exactly the job id that was marked). False positives: the same videos
without the invisible mark, as encoded and after attacks, must decode to nothing. Cost: CPU seconds of
marking per generated second, and of reading per second of video. Usage:

    .venv/bin/python bench/watermark_robustness.py [--videos 2] [--first 0] [--seconds 3]
        [--attacks "crop 70,rotate 10"] [--negatives-attacked] [--json out.json]

`--videos 30 --negatives-attacked` is the full run (30 marked videos x 29 attacks, and the 30 unmarked
ones under every attack: 900 unmarked copies).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-watermark-"))

import av
import cv2
import django
import numpy as np
from PIL import Image

if TYPE_CHECKING:
    from generation.provenance.reading import VideoReading

FPS = 24
WIDTH, HEIGHT = 720, 1280
TRIM_S = 0.5
COPY_BIT_RATE = 800_000
PROMPTS = (
    "a red kite over green hills",
    "a neon city street in the rain at night",
    "fireflies over a meadow at dusk",
    "a dog surfing a big wave",
    "a bowl of ramen steaming on a wooden table",
    "snow falling on a quiet mountain village",
    "a robot painting a sunflower in a studio",
    "waves crashing on black volcanic rocks",
    "a hot air balloon over a desert canyon",
    "a cat asleep on a sunny windowsill",
    "an astronaut floating above the earth",
    "autumn leaves blowing across a park path",
)
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "hubble_deep_field")

Frames = list[np.ndarray]


@dataclass(frozen=True)
class Attack:
    name: str
    apply: Callable[[Frames], Frames]
    bit_rate: int = COPY_BIT_RATE
    fps: int = FPS


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def _per_frame(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[Frames], Frames]:
    return lambda frames: [fn(f) for f in frames]


def centre_crop(fraction_w: float, fraction_h: float) -> Callable[[np.ndarray], np.ndarray]:
    def crop(frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        cw, ch = _even(w * fraction_w), _even(h * fraction_h)
        x, y = (w - cw) // 2, (h - ch) // 2
        return frame[y : y + ch, x : x + cw]

    return crop


def aspect_crop(aspect_w: int, aspect_h: int) -> Callable[[np.ndarray], np.ndarray]:
    """The largest centred crop of that aspect ratio (9:16 -> 1:1 keeps the full width)."""

    def crop(frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        if w / h < aspect_w / aspect_h:
            return centre_crop(1.0, (w * aspect_h / aspect_w) / h)(frame)
        return centre_crop((h * aspect_w / aspect_h) / w, 1.0)(frame)

    return crop


def letterbox(out_w: int, out_h: int) -> Callable[[np.ndarray], np.ndarray]:
    """The whole frame fitted into a wider frame with black bars (a vertical video in 16:9)."""

    def box(frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        scale = min(out_w / w, out_h / h)
        fw, fh = _even(w * scale), _even(h * scale)
        canvas = np.zeros((out_h, out_w, 3), np.uint8)
        x, y = (out_w - fw) // 2, (out_h - fh) // 2
        canvas[y : y + fh, x : x + fw] = cv2.resize(frame, (fw, fh), interpolation=cv2.INTER_AREA)
        return canvas

    return box


def scale(factor: float) -> Callable[[np.ndarray], np.ndarray]:
    def resize(frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
        return cv2.resize(frame, (_even(w * factor), _even(h * factor)), interpolation=interpolation)

    return resize


def rotate(degrees: float) -> Callable[[np.ndarray], np.ndarray]:
    def turn(frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
        return cv2.warpAffine(frame, matrix, (w, h), flags=cv2.INTER_LINEAR)

    return turn


def tone(*, brightness: float = 0.0, contrast: float = 1.0, gamma: float = 1.0) -> Callable[[np.ndarray], np.ndarray]:
    levels = np.arange(256, dtype=np.float64) / 255.0
    curve = ((levels**gamma - 0.5) * contrast + 0.5) * 255.0 + brightness
    lut = np.clip(np.round(curve), 0, 255).astype(np.uint8)
    return lambda frame: cv2.LUT(frame, lut)


def sticker(area: float) -> Callable[[np.ndarray], np.ndarray]:
    """An opaque sticker (a coloured card with text) over `area` of the frame, plus a subtitle band."""

    def cover(frame: np.ndarray) -> np.ndarray:
        out = frame.copy()
        h, w = out.shape[:2]
        side = int(np.sqrt(area * w * h))
        x, y = w - side - w // 20, h // 6
        cv2.rectangle(out, (x, y), (x + side, y + side), (250, 200, 40), -1)
        cv2.putText(out, "LOL", (x + side // 6, y + side // 2), cv2.FONT_HERSHEY_SIMPLEX, side / 80, (20, 20, 20), 4)
        band = h * 8 // 10
        cv2.putText(out, "wait for it...", (w // 10, band), cv2.FONT_HERSHEY_SIMPLEX, w / 500, (255, 255, 255), 3)
        return out

    return cover


def screen_capture(strength: float, seed: int = 5) -> Callable[[Frames], Frames]:
    """A phone filming a screen: a perspective warp, moire, a gamma change, blur and sensor noise."""

    def capture(frames: Frames) -> Frames:
        rng = np.random.default_rng(seed)
        h, w = frames[0].shape[:2]
        out_w, out_h = _even(w * 0.75), _even(h * 0.75)
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        jitter = rng.uniform(-1, 1, (4, 2)) * strength * np.array([w, h]) + strength * np.array([w, h]) * [
            [1, 1],
            [-1, 1],
            [-1, -1],
            [1, -1],
        ]
        dst = (src + jitter) * np.float32([out_w / w, out_h / h])
        matrix = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
        yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
        moire = (np.sin(xx * 0.9 + yy * 0.35) * np.sin(xx * 0.31 - yy * 0.83) * 6 * strength / 0.05)[..., None]
        lut = tone(gamma=1 + 4 * strength, contrast=1 - 2 * strength)
        result = []
        for frame in frames:
            warped = cv2.warpPerspective(frame, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR)
            warped = cv2.GaussianBlur(lut(warped), (3, 3), 0.6 + 10 * strength)
            noise = rng.normal(0, 60 * strength, warped.shape)
            result.append(np.clip(warped + moire + noise, 0, 255).astype(np.uint8))
        return result

    return capture


def attacks() -> list[Attack]:
    return [
        Attack("trim + 400 kb/s", lambda f: f, bit_rate=400_000),
        Attack("trim + 200 kb/s", lambda f: f, bit_rate=200_000),
        Attack("crop 90%", _per_frame(centre_crop(0.9, 0.9))),
        Attack("crop 70%", _per_frame(centre_crop(0.7, 0.7))),
        Attack("aspect 1:1", _per_frame(aspect_crop(1, 1))),
        Attack("aspect 4:5", _per_frame(aspect_crop(4, 5))),
        Attack("letterbox 16:9 1280x720", _per_frame(letterbox(1280, 720))),
        Attack("letterbox 16:9 854x480", _per_frame(letterbox(854, 480))),
        Attack("scale 0.5x", _per_frame(scale(0.5))),
        Attack("scale 0.25x", _per_frame(scale(0.25))),
        Attack("scale 2x", _per_frame(scale(2.0))),
        Attack("rotate 5 deg", _per_frame(rotate(5))),
        Attack("rotate 10 deg", _per_frame(rotate(10))),
        Attack("mirror", _per_frame(lambda f: np.ascontiguousarray(f[:, ::-1]))),
        Attack("mirror + crop 80%", _per_frame(lambda f: centre_crop(0.8, 0.8)(np.ascontiguousarray(f[:, ::-1])))),
        Attack("speed 2x", lambda f: f[::2]),
        Attack("speed 0.5x", lambda f: [x for x in f for _ in range(2)]),
        Attack("fps 24 -> 15", lambda f: [f[int(i * 24 / 15)] for i in range(int(len(f) * 15 / 24))], fps=15),
        Attack("fps 24 -> 30", lambda f: [f[int(i * 24 / 30)] for i in range(int(len(f) * 30 / 24))], fps=30),
        Attack("brightness +20", _per_frame(tone(brightness=20))),
        Attack("brightness -40", _per_frame(tone(brightness=-40))),
        Attack("contrast 0.8", _per_frame(tone(contrast=0.8))),
        Attack("contrast 0.6", _per_frame(tone(contrast=0.6))),
        Attack("gamma 0.8", _per_frame(tone(gamma=0.8))),
        Attack("gamma 1.5", _per_frame(tone(gamma=1.5))),
        Attack("sticker 10% + subtitle", _per_frame(sticker(0.10))),
        Attack("sticker 25% + subtitle", _per_frame(sticker(0.25))),
        Attack("screen capture mild", screen_capture(0.02)),
        Attack("screen capture strong", screen_capture(0.05)),
    ]


def dark_scene(seconds: float, seed: int) -> Frames:
    """Night: a near-black gradient with a dim moving light."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    base = 6 + 14 * yy / HEIGHT
    frames = []
    for i in range(int(seconds * FPS)):
        cx, cy = WIDTH * (0.3 + 0.4 * i / (seconds * FPS)), HEIGHT * 0.4
        glow = 40 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * 90.0**2))
        luma = base + glow + rng.normal(0, 1.0, base.shape)
        frames.append(np.clip(np.stack([luma * 0.8, luma * 0.9, luma * 1.2], axis=2), 0, 255).astype(np.uint8))
    return frames


def flat_scene(seconds: float, seed: int) -> Frames:
    """A flat pastel wall, a slow fade in colour: the hardest case for a mark that hides in texture."""
    colour = np.random.default_rng(seed).uniform(90, 220, 3)
    n = int(seconds * FPS)
    return [np.tile(np.clip(colour + 10 * i / n, 0, 255).astype(np.uint8), (HEIGHT, WIDTH, 1)) for i in range(n)]


def photo(name: str) -> Image.Image:
    from skimage import data

    array = getattr(data, name)()
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=2)
    image = Image.fromarray(np.ascontiguousarray(array[..., :3]).astype(np.uint8))
    # Fitted (cover) to 720x1280, as the create page fits an input image.
    ratio = max(WIDTH / image.width, HEIGHT / image.height)
    image = image.resize((int(image.width * ratio) + 1, int(image.height * ratio) + 1), Image.Resampling.LANCZOS)
    left, top = (image.width - WIDTH) // 2, (image.height - HEIGHT) // 2
    return image.crop((left, top, left + WIDTH, top + HEIGHT))


def videos(count: int, seconds: float, first: int = 0) -> Iterator[tuple[str, Frames]]:
    """`count` source videos from the `first`: renders of prompts, photos animated, a dark and a flat
    scene, in turn (video i is the same whichever run makes it, so runs can split a list)."""
    from generation.backends.base import GenerationRequest, Shot
    from generation.backends.preview import PreviewBackend

    backend = PreviewBackend(fps=FPS)

    def render(prompt: str, seed: int, image: Image.Image | None = None) -> Frames:
        request = GenerationRequest(
            prompt=prompt,
            model="sora-2",
            width=WIDTH,
            height=HEIGHT,
            seed=seed,
            shots=(Shot(prompt, seconds),),
            input_image=image,
        )
        result = backend.generate(request, on_progress=lambda _: None, should_cancel=lambda: False)
        return list(result.frames)

    kinds = ["prompt", "photo", "prompt", "dark", "prompt", "flat", "prompt", "photo"]
    for index in range(first, first + count):
        kind = kinds[index % len(kinds)]
        n = sum(kinds[i % len(kinds)] == kind for i in range(index))  # this kind's videos before it
        if kind == "prompt":
            prompt = PROMPTS[n % len(PROMPTS)]
            yield f"render: {prompt}", render(prompt, 1000 + index)
        elif kind == "photo":
            name = PHOTOS[n % len(PHOTOS)]
            yield f"photo: {name}", render("the camera slowly pushes in", 2000 + index, photo(name))
        elif kind == "dark":
            yield "dark scene", dark_scene(seconds, index)
        else:
            yield "flat scene", flat_scene(seconds, index)


def decode(path: Path) -> Frames:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def encode(frames: Frames, fps: int, bit_rate: int, path: Path) -> None:
    h, w = frames[0].shape[:2]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w - w % 2, h - h % 2, "yuv420p"
        stream.bit_rate = bit_rate
        stream.options = {"preset": "veryfast"}
        for index, frame in enumerate(frames):
            video_frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame[: h - h % 2, : w - w % 2]), "rgb24")
            video_frame.pts = index
            out.mux(stream.encode(video_frame))
        out.mux(stream.encode(None))


@dataclass
class Tally:
    bits_right: int = 0
    bits: int = 0
    traced: int = 0
    copies: int = 0
    false_positives: int = 0
    unmarked: int = 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--videos", type=int, default=2)
    parser.add_argument("--first", type=int, default=0, help="the first video's place in the list (to split a run)")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--attacks", default="", help="comma-separated substrings of attack names (default: all)")
    parser.add_argument("--negatives-attacked", action="store_true", help="also attack the unmarked videos")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    django.setup()
    from generation.provenance import invisible, visible
    from generation.provenance.reading import video_read
    from sora_site import media

    chosen = [a for a in attacks() if not args.attacks or any(s in a.name for s in args.attacks.split(","))]
    tallies = {a.name: Tally() for a in chosen}
    plain = Tally()
    unmarked_total = Tally()
    mark_cpu = read_cpu = generated_s = read_s = 0.0
    psnrs: list[float] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for index, (name, frames) in enumerate(videos(args.videos, args.seconds, args.first), start=args.first):
            job_id = 7_000_001 + index * 7919
            labelled = visible.frames_label(frames, FPS, visible.label_text("OpenReel", "alice"))
            cpu = time.process_time()
            marked = invisible.frames_mark(labelled, job_id)
            mark_cpu += time.process_time() - cpu
            generated_s += len(frames) / FPS
            psnrs += [cv2.PSNR(a, b) for a, b in zip(labelled, marked, strict=True) if a is not b]  # marked frames
            expected = invisible.payload_bits(job_id)
            for kind, source in (("marked", marked), ("unmarked", labelled)):
                path = work / f"{kind}.mp4"
                media.encode_mp4(source, FPS, None, media.AUDIO_RATE, path)
                cpu = time.process_time()
                _count(plain, unmarked_total, kind, job_id, expected, video_read(path))
                read_cpu += time.process_time() - cpu
                read_s += len(frames) / FPS
                if kind == "marked" or args.negatives_attacked:
                    decoded = decode(path)[int(TRIM_S * FPS) :]
                    for attack in chosen:
                        copy = work / f"{kind}-copy.mp4"
                        encode(attack.apply(decoded), attack.fps, attack.bit_rate, copy)
                        _count(tallies[attack.name], unmarked_total, kind, job_id, expected, video_read(copy))
            elapsed = time.monotonic() - started
            done = index + 1 - args.first
            print(f"[{elapsed:6.0f} s] {done}/{args.videos} (video {index}) {name}", file=sys.stderr, flush=True)
            rows = [("as finished (no attack)", plain), *tallies.items()]
            if args.json:  # after every video, so a run cut short keeps what it measured
                summary = {
                    "first": args.first,
                    "videos": done,
                    "rows": {n: vars(t) for n, t in rows},
                    "false_positives": unmarked_total.false_positives,
                    "unmarked": unmarked_total.unmarked,
                    "psnr_mean": float(np.mean(psnrs)),
                    "psnr_min": float(np.min(psnrs)),
                    "mark_cpu_per_s": mark_cpu / generated_s,
                    "read_cpu_per_s": read_cpu / read_s,
                }
                args.json.write_text(json.dumps(summary, indent=1))
    print(f"\n{args.videos} videos x {args.seconds:g} s, 720x1280 @ {FPS} fps; copies trimmed {TRIM_S:g} s and")
    print(f"re-encoded (libx264 veryfast, {COPY_BIT_RATE // 1000} kb/s unless the attack says)\n")
    print("| attack | bit accuracy | traced to the right job |")
    print("|---|---:|---:|")
    for attack_name, tally in rows:
        accuracy = tally.bits_right / max(tally.bits, 1)
        print(f"| {attack_name} | {accuracy:.3f} | {tally.traced}/{tally.copies} |")
    print(f"\nfalse positives on unmarked videos: {unmarked_total.false_positives} of {unmarked_total.unmarked}")
    print(f"mark PSNR per marked frame: mean {np.mean(psnrs):.1f} dB, lowest {np.min(psnrs):.1f} dB")
    print(f"marking: {mark_cpu / generated_s:.3f} CPU-s per generated second")
    print(f"reading as /verify/ does: {read_cpu / read_s:.3f} CPU-s per second of video")


def _count(tally: Tally, unmarked: Tally, kind: str, job_id: int, expected: np.ndarray, reading: VideoReading) -> None:
    found = reading.watermark_job_pk
    if kind == "unmarked":
        unmarked.unmarked += 1
        unmarked.false_positives += found is not None
        return
    soft = reading.watermark_bits
    tally.copies += 1
    tally.traced += found == job_id
    tally.bits += len(expected)
    tally.bits_right += int(((soft > 0).astype(np.uint8) == expected).sum()) if soft is not None else 0


if __name__ == "__main__":
    main()
