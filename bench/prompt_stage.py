"""Time moderation's prompt stage (normalise + rules + MiniLM classifier) per prompt.

Runs `moderation.policy.text_verdict` over every prompt of the labelled evaluation set (after one
warm-up pass that loads the model and embeds the policy's example sets), --repeat times, and prints
p50/p95/max in milliseconds. The classifier's remembered sentence scores are dropped before each
prompt, so every repeat pays for the encoder as a new prompt does. The database write of a refusal
is not included. Besides wall time it prints the calling thread's CPU time per prompt, the fair
figure when the shared machine is busy (wall time then mostly measures waiting for a core). Usage:

    DJANGO_SETTINGS_MODULE=sora_site.settings .venv/bin/python bench/prompt_stage.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django

django.setup()

import numpy as np  # noqa: E402

from moderation.classifier import classifier  # noqa: E402
from moderation.evaluation import eval_set  # noqa: E402
from moderation.policy import text_verdict  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--split", default="all", help="the labelled set to time (ja_tune2: Japanese prompts)")
    args = parser.parse_args()
    prompts = [row.text for row in eval_set(args.split)]
    started = time.perf_counter()
    for prompt in prompts:
        text_verdict(prompt)
    print(f"warm-up (model load + example sets + one pass): {time.perf_counter() - started:.1f} s")
    times, cpu_times = [], []
    for _ in range(args.repeat):
        for prompt in prompts:
            classifier().forget()
            t0, c0 = time.perf_counter(), time.thread_time()
            text_verdict(prompt)
            times.append((time.perf_counter() - t0) * 1000)
            cpu_times.append((time.thread_time() - c0) * 1000)
    ms, cpu = np.asarray(times), np.asarray(cpu_times)
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; {len(prompts)} prompts x {args.repeat}"
    )
    print(
        f"prompt stage: p50 {np.percentile(ms, 50):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms, max {ms.max():.1f} ms"
    )
    print(
        f"CPU time: p50 {np.percentile(cpu, 50):.1f} ms, p95 {np.percentile(cpu, 95):.1f} ms, max {cpu.max():.1f} ms; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
