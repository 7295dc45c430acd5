"""Benchmark: verify a 10 s 640x480 VP9+Opus cameo recording (the synthetic live clip).

    .venv/bin/python bench/cameo_verification.py [--runs 3] [--width 640 --height 480]

Prints a markdown table: one cold run (models load inside it), then warm runs, with the phase
breakdown reported by verify_recording (the voice phase runs beside the faces: the phases overlap),
the wall and the process CPU seconds (all threads).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
warnings.filterwarnings("ignore")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=480)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument(
        "--worker-start",
        action="store_true",
        help="load the models first as a worker does at start (WORKER_MODELS): the first run is then "
        "the first verification after a worker's start",
    )
    args = ap.parse_args()

    from cameos.verification import Challenge, verify_recording
    from tests.builders import synthetic_face as synthetic

    WORKER_MODELS = {
        "dlib": "cameos.verification.loaders.face_encoder",
        "silero VAD": "cameos.verification.loaders.vad_model",
        "resemblyzer": "cameos.verification.loaders.voice_encoder",
        "pocketsphinx": "cameos.verification.speech.decoder_load",
    }  # as in sora_site/settings/celery.py (Django-free here)

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        clip = synthetic.live_clip(
            Path(tmp) / "live.webm", duration_s=args.seconds, fps=15, width=args.width, height=args.height
        )
        made = time.perf_counter() - t0
        challenge = Challenge(moves=("left", "right"), digits="4719", nonce="bench")
        first = "cold"
        if args.worker_start:
            from sora_site.loading import models_warm

            print(models_warm(WORKER_MODELS))
            first = "first after start"
        rows = []
        for i in range(args.runs + 1):
            t0, cpu = time.perf_counter(), time.process_time()
            report = verify_recording(clip, challenge)
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu
            rows.append((first if i == 0 else str(i), report, wall, cpu))

    phases = ["decode", "faces", "pose", "voice"]
    print(
        f"Clip: {args.seconds:.0f} s, {args.width}x{args.height} @ 15 fps, VP9 + Opus WebM "
        f"({clip.name}, made in {made:.1f} s). CPU cores visible: {os.cpu_count()}.\n"
    )
    header = " | ".join(f"{p} (s)" for p in phases)
    print(f"| run | {header} | total wall (s) | process CPU (s) | passed | digits | frames | speech (s) |")
    print("|---|" + "---:|" * len(phases) + "---:|---:|---|---|---:|---:|")
    for name, r, wall, cpu in rows:
        cells = " | ".join(f"{r.timings.get(p, 0):.2f}" for p in phases)
        print(
            f"| {name} | {cells} | {wall:.2f} | {cpu:.2f} | {r.passed} | {r.digits_check} "
            f"| {r.metrics['frames_sampled']} | {r.metrics['speech_s']:.1f} |"
        )
    warm = [wall for _, _, wall, _ in rows[1:]]
    if warm:
        print(
            f"\nWarm median: {statistics.median(warm):.2f} s (target < 10 s on 2 cores). "
            f"The cold run includes loading dlib, resemblyzer and silero. Load average: {os.getloadavg()}."
        )


if __name__ == "__main__":
    main()
