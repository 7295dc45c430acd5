"""Is "found by fingerprint" on /verify/ trustworthy? True-copy recall per attack, and unrelated videos
named as the original, over every (copy, indexed video) pair.

`--videos` source videos at 720x1280, 24 fps, `--seconds` long, all different: preview renders of
different prompts with different seeds (they share one soft layout: gradient sky, orbs, a hill
line, which the coarse 8x8 DCT fingerprint often cannot tell apart) and photos (skimage.data)
panned and zoomed by the image-to-video path. Each is indexed as finishing indexes it
(`fingerprints.video_fingerprints`), then copied with every attack below (the first 2 s trimmed,
then the edit, then libx264 at 400 kb/s unless said) and read back as /verify/ reads an upload
(`reading.video_read`). For every pair (copy of video a, index of video b) the two stages of
`fingerprints.job_matching` are computed in process, without the database: "proposed" (the coarse
search's rule: at least half the copy's frames have a query fingerprint within MATCH_DISTANCE of
one of b's: what pgvector's HNSW search returns, exact here, not limited to 3 candidates) and
"agreement" (the finer time-aligned check). A pair is named when both pass. Recall: a copy's own
video named; false positives: another video named (reported for b != a over all pairs, and also for
agreement alone, as if every pair had been proposed). Also: the check's CPU time per candidate, and
the reader's per copy frame. Usage:

    .venv/bin/python bench/fingerprint_matching.py [--videos 6] [--seconds 8]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-fingerprint-matching-"))

import django
import numpy as np

EXTRA_PROMPTS = ("a paper boat drifting down a rainy gutter", "a lighthouse beam sweeping over fog")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--videos", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    django.setup()
    import watermark_robustness as wr

    from generation import fingerprint_index
    from generation.backends.base import GenerationRequest, Shot
    from generation.backends.preview import PreviewBackend
    from generation.provenance import fingerprints
    from generation.provenance.reading import video_read

    backend = PreviewBackend(fps=wr.FPS)

    def render(prompt: str, seed: int, image: object = None) -> list[np.ndarray]:
        request = GenerationRequest(
            prompt=prompt,
            model="sora-2",
            width=wr.WIDTH,
            height=wr.HEIGHT,
            seed=seed,
            shots=(Shot(prompt, args.seconds),),
            input_image=image,  # type: ignore[arg-type]
        )
        return list(backend.generate(request, on_progress=lambda _: None, should_cancel=lambda: False).frames)

    started = time.monotonic()
    cpu_started = time.process_time()
    attacks = {
        "trim 2 s + 400 kb/s": lambda f: f,
        "trim + 200 kb/s": lambda f: f,
        "crop 90%": wr.centre_crop(0.9, 0.9),
        "crop 78%": wr.centre_crop(0.78, 0.78),
        "crop 70%": wr.centre_crop(0.7, 0.7),
        "aspect 1:1": wr.aspect_crop(1, 1),
        "aspect 4:5": wr.aspect_crop(4, 5),
        "mirror": lambda f: np.ascontiguousarray(f[:, ::-1]),
        "mirror + crop 80%": lambda f: wr.centre_crop(0.8, 0.8)(np.ascontiguousarray(f[:, ::-1])),
        "pillarbox 16:9 854x480": wr.letterbox(854, 480),
        "pillarbox 1:1 720x720": wr.letterbox(720, 720),
        "letterbox 720x1600": wr.letterbox(720, 1600),
        "scale 0.25x": wr.scale(0.25),
        "scale 0.5x": wr.scale(0.5),
        "scale 2x": wr.scale(2.0),
    }
    prompts = wr.PROMPTS + EXTRA_PROMPTS
    names: list[str] = []
    indexed = []
    copies: list[tuple[int, str, list[fingerprints.CopyFrame]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for number in range(args.videos):  # one at a time: a video's frames are ~0.5 GB
            if number % 3 == 2:
                name = wr.PHOTOS[(number // 3) % len(wr.PHOTOS)]
                names.append(f"photo {name}")
                frames = render("the camera slowly pushes in", 5000 + number, wr.photo(name))
            else:
                prompt = prompts[(number - number // 3) % len(prompts)]
                names.append(f"render {prompt}")
                frames = render(prompt, 4000 + 37 * number)
            entries = fingerprints.video_fingerprints(frames, wr.FPS)
            indexed.append(
                (
                    np.array([entry.fingerprint for entry in entries]).reshape(-1, fingerprint_index.DIM),
                    np.array([entry.second for entry in entries], dtype=np.float32),
                    np.array([entry.detail for entry in entries]).reshape(len(entries), -1),
                )
            )
            trimmed = frames[2 * wr.FPS :]
            for attack, edit in attacks.items():
                path = Path(tmp) / "copy.mp4"
                rate = 200_000 if "200 kb/s" in attack else 400_000
                wr.encode([edit(frame) for frame in trimmed], wr.FPS, rate, path)
                copies.append((number, attack, video_read(path).fingerprints))
            del frames, trimmed
            print(f"[{time.monotonic() - started:5.0f} s] video {number + 1} copied", file=sys.stderr, flush=True)

    recall = {attack: 0 for attack in attacks}
    proposed_wrong = agreed_wrong = named_wrong = pairs = 0
    worst: list[tuple[float, str, str, str]] = []
    true_scores: list[float] = []
    check_cpu: list[float] = []
    for number, attack, copy in copies:
        for other, (vectors, seconds, details) in enumerate(indexed):
            has = [frame for frame in copy if len(frame.queries)]
            near = sum(
                1
                for frame in has
                if len(vectors)
                and np.linalg.norm(frame.queries[:, None] - vectors[None], axis=2).min()
                <= fingerprint_index.MATCH_DISTANCE
            )
            proposed = bool(has) and near >= -(-len(has) // 2)
            cpu = time.process_time()
            score = fingerprints.agreement(copy, seconds, fingerprints.detail_edges(details))
            check_cpu.append(time.process_time() - cpu)
            named = proposed and score >= fingerprints.AGREEMENT
            if other == number:
                recall[attack] += named
                true_scores.append(score)
                continue
            pairs += 1
            proposed_wrong += proposed
            agreed_wrong += score >= fingerprints.AGREEMENT
            named_wrong += named
            worst.append((score, names[number], attack, names[other]))
    worst.sort(reverse=True)
    print(f"\n{len(names)} videos x {len(attacks)} attacks = {len(copies)} copies; {pairs} unrelated pairs")
    print("\n| copy (first 2 s trimmed, 400 kb/s) | right video named |\n|---|---:|")
    for attack, count in recall.items():
        print(f"| {attack} | {count}/{len(names)} |")
    print(f"\nunrelated pairs the coarse search would propose: {proposed_wrong} of {pairs}")
    print(f"unrelated pairs at agreement >= {fingerprints.AGREEMENT} (even unproposed): {agreed_wrong} of {pairs}")
    print(f"unrelated videos named (proposed and agreeing): {named_wrong} of {pairs}")
    print(f"true copies' agreement: min {min(true_scores):.3f}, 5th percentile {np.percentile(true_scores, 5):.3f}")
    print("highest unrelated agreements:")
    for score, copy_of, attack, index_of in worst[:5]:
        print(f"  {score:.3f}  copy of {copy_of} ({attack}) vs {index_of}")
    mean, p95 = np.mean(check_cpu) * 1000, np.percentile(check_cpu, 95) * 1000
    print(f"check CPU per candidate: mean {mean:.2f} ms, p95 {p95:.2f} ms")
    grey = np.zeros((wr.HEIGHT, wr.WIDTH), np.uint8)
    grey[:] = np.random.default_rng(1).integers(0, 255, (wr.HEIGHT, wr.WIDTH), dtype=np.uint8)
    cpu = time.process_time()
    for _ in range(50):
        fingerprints.copy_frame(grey, 0.0)
    print(f"reader: copy_frame per frame (720x1280 grey): {(time.process_time() - cpu) / 50 * 1000:.2f} ms CPU")
    print(f"total CPU {time.process_time() - cpu_started:.0f} s, wall {time.monotonic() - started:.0f} s")
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
