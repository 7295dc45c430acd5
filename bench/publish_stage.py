"""Cost of moderation's publish stage on a stored video: why it runs in a Celery task after commit.

Renders a --seconds clip at 720x1280 with the CPU preview renderer, encodes it as the finishing step
does, then times what `feed.posts.services.post_publish_check` runs on a model-made video: PyAV decode
at the `[publish]` sampling rate and `moderation.publish.publish_verdict` (NudeNet on each sampled frame,
the caption and prompt through the text policy and the teen classifier). Best of --repeat. Usage:

    DJANGO_SETTINGS_MODULE=sora_site.settings .venv/bin/python bench/publish_stage.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")

import django

django.setup()

from generation.backends.base import GenerationRequest, Shot  # noqa: E402
from generation.backends.preview import PreviewBackend  # noqa: E402
from moderation.publish import publish_rules, publish_verdict  # noqa: E402
from sora_site import media  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    prompt = "a red kite over green hills"
    request = GenerationRequest(
        prompt=prompt, model="sora-2", width=720, height=1280, seed=3, shots=(Shot(prompt, args.seconds),), cameos=()
    )
    result = PreviewBackend().generate(request, on_progress=lambda f: None, should_cancel=lambda: False)
    texts = ["Kite day", prompt]
    publish_verdict(frames=result.frames[:1], texts=texts)  # load NudeNet and MiniLM outside the timing
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "video.mp4"
        media.encode_mp4(result.frames, result.fps, None, media.AUDIO_RATE, path)
        best: tuple[float, float, float, float] | None = None
        frames = 0
        for _ in range(args.repeat):
            cpu, wall = time.process_time(), time.perf_counter()
            decoded = media.decode_video(path, sample_fps=publish_rules().frames_per_second, with_audio=False)
            decode_cpu, decode_wall = time.process_time() - cpu, time.perf_counter() - wall
            publish_verdict(frames=decoded.frames, texts=texts)
            total_cpu, total_wall = time.process_time() - cpu, time.perf_counter() - wall
            frames = len(decoded.frames)
            if best is None or total_cpu < best[2]:
                best = (decode_cpu, decode_wall, total_cpu, total_wall)
    assert best is not None
    print(f"720x1280, {args.seconds:.0f} s clip at {result.fps} fps, {frames} frames sampled")
    print(f"decode: {best[0]:.2f} CPU-s, {best[1]:.2f} s wall")
    print(f"publish check (decode + verdict): {best[2]:.2f} CPU-s, {best[3]:.2f} s wall")


if __name__ == "__main__":
    main()
