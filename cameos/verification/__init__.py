"""Cameo recording verification: one live person, following the head-move challenge, speaking.

Django-free. Entry point: `verify_recording(path, Challenge(...))`. Matching helpers for comparing a
new cameo against other accounts' cameos or a public-figure registry live in `matching`.
"""

from .matching import best_face_match, face_distance_min, voice_similarity
from .pipeline import (
    DEFAULT_SETTINGS,
    MESSAGES,
    MOVES,
    Challenge,
    VerificationFailure,
    VerificationReport,
    VerificationSettings,
    digits_spoken,
    verify_recording,
)
from .voice import VoiceProfile

__all__ = [
    "DEFAULT_SETTINGS",
    "MESSAGES",
    "MOVES",
    "Challenge",
    "VerificationFailure",
    "VerificationReport",
    "VerificationSettings",
    "VoiceProfile",
    "best_face_match",
    "digits_spoken",
    "face_distance_min",
    "verify_recording",
    "voice_similarity",
]
