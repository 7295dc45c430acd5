"""Benchmark: verify a 10 s 640x480 VP9+Opus cameo recording (the synthetic live clip).

    .venv/bin/python bench/cameo_verification.py [--runs 3] [--width 640 --height 480]

Prints a markdown table: one cold run (models load inside it), then warm runs, with the phase
breakdown reported by verify_recording.
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
    args = ap.parse_args()

    from cameos.verification import Challenge, verify_recording
    from tests.builders import synthetic_face as synthetic

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        clip = synthetic.live_clip(
            Path(tmp) / "live.webm", duration_s=args.seconds, fps=15, width=args.width, height=args.height
        )
        made = time.perf_counter() - t0
        challenge = Challenge(moves=("left", "right"), digits="4719", nonce="bench")
        rows = []
        for i in range(args.runs + 1):
            t0 = time.perf_counter()
            report = verify_recording(clip, challenge)
            wall = time.perf_counter() - t0
            rows.append(("cold" if i == 0 else str(i), report, wall))

    phases = ["decode", "faces", "pose", "voice"]
    print(
        f"Clip: {args.seconds:.0f} s, {args.width}x{args.height} @ 15 fps, VP9 + Opus WebM "
        f"({clip.name}, made in {made:.1f} s). CPU cores visible: {os.cpu_count()}.\n"
    )
    header = " | ".join(f"{p} (s)" for p in phases)
    print(f"| run | {header} | total wall (s) | passed | frames | speech (s) |")
    print("|---|" + "---:|" * len(phases) + "---:|---|---:|---:|")
    for name, r, wall in rows:
        cells = " | ".join(f"{r.timings.get(p, 0):.2f}" for p in phases)
        print(
            f"| {name} | {cells} | {wall:.2f} | {r.passed} | {r.metrics['frames_sampled']} | "
            f"{r.metrics['speech_s']:.1f} |"
        )
    warm = [wall for name, _, wall in rows[1:]]
    if warm:
        print(
            f"\nWarm median: {statistics.median(warm):.2f} s (target < 10 s on 2 cores). "
            f"The cold run includes loading dlib, resemblyzer and silero."
        )


if __name__ == "__main__":
    main()
