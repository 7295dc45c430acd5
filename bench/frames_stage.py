"""CPU cost of moderation's frames stage per generated second, at 720x1280.

Renders a 4 s clip with the CPU preview renderer (one cameo whose portrait is a real face, so the
likeness check encodes a face in every sample), then runs what `generation.safety.frames_check`
runs on each sampled frame: NudeNet, and on MODERATION_FACE_FRAMES_PER_SECOND of them
`cameos.likeness.faces_find` (with NudeNet's face boxes) + encoding, matching against a registry of
--registry random identities plus the real one; then what `generation.safety.voice_check` runs on
the soundtrack (the clip's quoted line spoken by espeak-ng over its ambient bed): silero VAD, a
resemblyzer embedding per speech segment, cosine against --registry registered voices. Prints process
CPU seconds (and wall) per generated second, best of --repeat, for each part and together. No
database: the registries are built in memory. Usage:

    DJANGO_SETTINGS_MODULE=sora_site.settings .venv/bin/python bench/frames_stage.py [--per-second 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")

import django

django.setup()

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from skimage import data  # noqa: E402

from cameos.likeness import FaceRegistry, faces_find, likeness_matches  # noqa: E402
from cameos.verification.faces import encode_image_faces  # noqa: E402
from cameos.verification.voice import speech_segments, voice_embedding  # noqa: E402
from generation.backends.base import CameoReference, GenerationRequest, Shot  # noqa: E402
from generation.backends.preview import PreviewBackend  # noqa: E402
from generation.finishing import soundtrack_for  # noqa: E402
from generation.safety import face_sample_indices, sample_indices  # noqa: E402
from moderation.nudity import detections, explicit_findings, face_boxes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-second", type=int, default=2)
    parser.add_argument("--registry", type=int, default=1000, help="registered identities to match against")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    portrait = Image.fromarray(data.astronaut()[60:316, 100:356])
    prompt = '@astro waves from a boat and says "hello from the sea, the water is calm and warm today"'
    request = GenerationRequest(
        prompt=prompt,
        model="sora-2",
        width=720,
        height=1280,
        seed=7,
        shots=(Shot(prompt, 4.0),),
        cameos=(CameoReference("astro", True, (portrait,), None),),
    )
    result = PreviewBackend().generate(request, on_progress=lambda f: None, should_cancel=lambda: False)
    rng = np.random.default_rng(0)
    entries = [("cameo", i, f"@c{i}", rng.random((3, 128)) * 0.2) for i in range(args.registry)]
    entries.append(("cameo", -1, "@astro", np.asarray(encode_image_faces(data.astronaut())[:1])))
    registry = FaceRegistry(cameos={}, entries=entries)
    indices = sample_indices(len(result.frames), result.fps, args.per_second)
    face_indices = face_sample_indices(indices, len(result.frames), result.fps)
    faces_find(result.frames[0], hints=face_boxes(detections(result.frames[0])))  # load the models untimed
    best_cpu, best_wall, faces = float("inf"), float("inf"), 0
    for _ in range(args.repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        faces = 0
        for index in indices:
            frame = np.asarray(result.frames[index])
            found = detections(frame)
            explicit_findings(frame, stage="frames", found=found)
            if index in face_indices:
                in_frame = faces_find(frame, hints=face_boxes(found))
                faces += len(in_frame)
                [m for m in likeness_matches(registry, in_frame) if m.key == -1]  # the check's match step
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    audio = soundtrack_for(request).audio.mean(axis=1)  # 48 kHz, as the frame steps get it
    voices = rng.random((args.registry, 256)) - 0.5
    voices /= np.linalg.norm(voices, axis=1, keepdims=True)
    voice_embedding(audio[:48_000], 48_000)  # load silero and resemblyzer outside the timing
    voice_cpu, voice_wall, segments = float("inf"), float("inf"), 0
    for _ in range(args.repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        found = speech_segments(audio, 48_000)
        heard = [e for a, b in found if (e := voice_embedding(audio[a:b], 48_000)) is not None]
        if heard:
            (np.asarray(heard) @ voices.T).max(axis=0)  # the check's match step
        segments = len(found)
        voice_cpu = min(voice_cpu, time.process_time() - cpu)
        voice_wall = min(voice_wall, time.perf_counter() - wall)
    seconds = request.seconds
    sampled = f"{len(indices)} sampled frames ({args.per_second}/s), {len(face_indices)} of them for faces"
    print(f"720x1280, {seconds:.0f} s clip, {sampled}; {faces} faces found")
    print(f"registry: {len(entries)} identities, {len(voices)} voices; {segments} speech segments heard")
    print(f"frames part: {best_cpu / seconds:.3f} CPU-s and {best_wall / seconds:.3f} wall-s per generated second")
    print(f"voice part: {voice_cpu / seconds:.3f} CPU-s and {voice_wall / seconds:.3f} wall-s per generated second")
    total_cpu, total_wall = (best_cpu + voice_cpu) / seconds, (best_wall + voice_wall) / seconds
    print(f"frames stage: {total_cpu:.3f} CPU-s and {total_wall:.3f} wall-s per generated second")


if __name__ == "__main__":
    main()
