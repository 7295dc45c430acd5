"""Time the CPU preview renderer and the media finishing steps outside any model.

For 720x1280 clips of 4 s and 12 s (a storyboard of 2 shots, one cameo, quoted dialogue) it
measures: rendering (PreviewBackend.generate: frames + soundtrack) per generated second, wall and
process CPU; MP4 encoding (H.264 veryfast + AAC, faststart) per clip; the WebP poster; and the
pipeline overhead outside the model (encode + poster). Each number is the best of --repeat runs.
No Django settings are needed. Usage:

    .venv/bin/python bench/preview_renderer.py [--repeat 2] [--seconds 4 12] [--size 720x1280]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PIL import Image, ImageDraw

from generation.backends.base import CameoReference, GenerationRequest, GenerationResult, Shot, VoiceProfile
from generation.backends.preview import PreviewBackend
from sora_site.media import encode_mp4, poster_webp, probe


def _portrait() -> Image.Image:
    image = Image.new("RGB", (256, 256), (90, 120, 160))
    draw = ImageDraw.Draw(image)
    draw.ellipse((58, 40, 198, 210), fill=(225, 185, 150))
    draw.ellipse((95, 100, 115, 115), fill=(40, 40, 40))
    draw.ellipse((141, 100, 161, 115), fill=(40, 40, 40))
    draw.arc((100, 140, 156, 180), 0, 180, fill=(150, 60, 60), width=4)
    return image


def storyboard_request(seconds: float, width: int, height: int) -> GenerationRequest:
    half = seconds / 2
    shots = (
        Shot('@alice walks through a neon city in the rain and says "this place never sleeps"', half),
        Shot("@alice looks up at the stars above the rooftops", half),
    )
    cameo = CameoReference("alice", True, (_portrait(),), VoiceProfile(pitch_hz=200, espeak_voice="en-us+f3"))
    return GenerationRequest(
        prompt=" ".join(s.prompt for s in shots),
        model="sora-2",
        width=width,
        height=height,
        seed=1234,
        shots=shots,
        cameos=(cameo,),
    )


def _best(repeat: int, fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(best wall s, CPU s of that run, last result)."""
    best = (float("inf"), 0.0)
    result = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        best = min(best, (wall, cpu))
    return best[0], best[1], result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seconds", type=float, nargs="+", default=[4.0, 12.0])
    parser.add_argument("--size", default="720x1280")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    backend = PreviewBackend()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seconds in args.seconds:
            request = storyboard_request(seconds, width, height)

            def render(request: GenerationRequest = request) -> GenerationResult:
                return backend.generate(request, on_progress=lambda _: None, should_cancel=lambda: False)

            r_wall, r_cpu, result = _best(args.repeat, render)
            dest = Path(tmp) / f"clip_{seconds:g}.mp4"
            e_wall, e_cpu, _ = _best(
                args.repeat,
                lambda result=result, dest=dest: encode_mp4(
                    result.frames, result.fps, result.audio, result.sample_rate, dest
                ),
            )
            p_wall, _, poster = _best(args.repeat, lambda result=result: poster_webp(result.frames[0]))
            info = probe(dest)
            rows.append(
                {
                    "clip": f"{width}x{height} {seconds:g} s @ {result.fps} fps ({len(result.frames)} frames)",
                    "render_per_s": r_wall / seconds,
                    "render_cpu_per_s": r_cpu / seconds,
                    "encode": e_wall,
                    "encode_cpu": e_cpu,
                    "poster_ms": p_wall * 1000,
                    "overhead": e_wall + p_wall,
                    "mb": dest.stat().st_size / 1e6,
                    "check": f"{info.video_codec}+{info.audio_codec} {info.duration_s:.2f} s",
                }
            )
    print(
        f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores visible; "
        f"best of {args.repeat}\n"
    )
    print(
        "| clip | render s / generated s (wall, CPU) | encode s / clip (wall, CPU) | poster ms "
        "| overhead outside the model (encode + poster) s | MP4 MB | probe |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['clip']} | {r['render_per_s']:.3f}, {r['render_cpu_per_s']:.3f} "
            f"| {r['encode']:.2f}, {r['encode_cpu']:.2f} | {r['poster_ms']:.1f} | {r['overhead']:.2f} "
            f"| {r['mb']:.2f} | {r['check']} |"
        )
    speed = np.mean([1.0 / max(r["render_per_s"], 1e-9) for r in rows])
    print(f"\nThe renderer makes about {speed:.1f} generated seconds per wall second.")


if __name__ == "__main__":
    main()
