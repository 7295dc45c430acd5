"""Time each finishing step on its own, per generated second, at 720x1280 and 24 fps.

A 2-shot storyboard clip from the CPU preview renderer (rendered at 24 fps, the real models' rate) goes
through each step separately: the visible watermark, the invisible watermark, H.264 + AAC encoding (with
the tuned x264 parameters and, for comparison, preset veryfast alone: the old settings), C2PA signing,
the WebP poster, the JPEG spritesheet and the frame hashes of the verify index; plus reading a file back
as /verify/ does (not part of finishing). Each figure is the best of --repeat runs, process CPU seconds
(all threads) and wall seconds, divided by the clip's length. Signing keys are made into a temporary
folder. Usage:

    .venv/bin/python bench/finishing.py [--seconds 4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-finishing-"))

import av
import cv2
import django
import numpy as np

from bench.preview_renderer import _best, storyboard_request

FPS = 24


def psnr_db(path: Path, frames: list[np.ndarray]) -> float:
    """Mean PSNR of the decoded file against the frames that went in."""
    with av.open(str(path)) as container:
        decoded = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    return float(np.mean([cv2.PSNR(a, b) for a, b in zip(frames, decoded, strict=False)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    django.setup()  # the steps read settings and the models; imported once Django is ready

    from generation.backends.preview import PreviewBackend
    from generation.finishing import soundtrack_for
    from generation.provenance import invisible, keys, signing, visible
    from generation.provenance.reading import frame_hashes, video_read
    from sora_site import media

    keys.keys_generate(keys.KeyFiles.configured())
    request = storyboard_request(args.seconds, 720, 1280)
    result = PreviewBackend(fps=FPS).generate(request, on_progress=lambda _: None, should_cancel=lambda: False)
    frames, audio = result.frames, soundtrack_for(request).audio
    seconds = len(frames) / FPS
    rows: list[tuple[str, float, float]] = []

    def timed(name: str, fn: object) -> object:
        wall, cpu, out = _best(args.repeat, fn)  # type: ignore[arg-type]
        rows.append((name, cpu / seconds, wall / seconds))
        return out

    with tempfile.TemporaryDirectory() as tmp:
        labelled = timed("visible watermark", lambda: visible.frames_label(frames, FPS, "OpenReel · @alice"))
        marked = timed(
            "invisible watermark",
            lambda: invisible.frames_mark(labelled, 4_000_001),
        )
        path = Path(tmp) / "clip.mp4"
        timed("encode H.264 + AAC (tuned)", lambda: media.encode_mp4(marked, FPS, audio, media.AUDIO_RATE, path))
        size = path.stat().st_size
        tuned, media.X264_PARAMS = media.X264_PARAMS, ""
        old = Path(tmp) / "old.mp4"
        timed(
            "encode, preset veryfast alone (old)", lambda: media.encode_mp4(marked, FPS, audio, media.AUDIO_RATE, old)
        )
        media.X264_PARAMS = tuned
        old_size = old.stat().st_size
        quality = f"PSNR {psnr_db(path, marked):.2f} dB (old settings {psnr_db(old, marked):.2f} dB)"  # type: ignore[arg-type]
        claim = signing.GenerationClaim(job="video_bench", model="sora-2", prompt=request.prompt)
        copies = [Path(tmp) / f"sign{i}.mp4" for i in range(args.repeat)]
        for copy in copies:
            copy.write_bytes(path.read_bytes())
        queue = list(copies)
        timed("C2PA sign", lambda: signing.mp4_sign(queue.pop(), claim))
        timed("poster (WebP)", lambda: media.poster_webp(marked[len(marked) // 3]))
        timed("spritesheet (JPEG, 25 tiles)", lambda: media.spritesheet_jpeg(marked, FPS))
        timed("frame hashes (verify index)", lambda: frame_hashes(marked, FPS))
        finishing_cpu = sum(cpu for name, cpu, _ in rows if "(old)" not in name)
        finishing_wall = sum(wall for name, _, wall in rows if "(old)" not in name)
        reading = timed("read back as /verify/ does (not finishing)", lambda: video_read(copies[0]))
        assert reading.manifest.state == "Trusted" and reading.watermark_job_pk == 4_000_001  # type: ignore[attr-defined]

    print(f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores; best of {args.repeat}")
    print(
        f"clip: 720x1280, {seconds:g} s @ {FPS} fps ({len(frames)} frames); MP4 {size / 1e6:.2f} MB "
        f"(old settings {old_size / 1e6:.2f} MB); {quality}; x264: preset veryfast, crf 21, {media.X264_PARAMS}\n"
    )
    print("| step | CPU s per generated s | wall s per generated s |")
    print("|---|---:|---:|")
    for name, cpu, wall in rows:
        print(f"| {name} | {cpu:.3f} | {wall:.3f} |")
    print(
        f"| **finishing total** (without the old encode and the read) "
        f"| **{finishing_cpu:.3f}** | {finishing_wall:.3f} |"
    )


if __name__ == "__main__":
    main()
