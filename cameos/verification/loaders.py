"""Lazily loaded, process-wide model handles (dlib, resemblyzer, silero VAD).

The handles are typed `Any`: dlib and resemblyzer ship no type information.

Every model here ships inside a wheel; nothing is downloaded. Loading is done once per process under
a lock, so a worker can call `warm_up()` at start and requests never pay for it.
"""

from __future__ import annotations

import threading
import warnings
from functools import cache
from typing import Any

_lock = threading.Lock()


@cache
def _dlib_models() -> tuple[Any, Any, Any]:
    import dlib

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # face_recognition_models imports pkg_resources
        import face_recognition_models as frm

    return (
        dlib.get_frontal_face_detector(),
        dlib.shape_predictor(frm.pose_predictor_model_location()),
        dlib.face_recognition_model_v1(frm.face_recognition_model_location()),
    )


def face_detector() -> Any:
    with _lock:
        return _dlib_models()[0]


def landmark_predictor() -> Any:
    with _lock:
        return _dlib_models()[1]


def face_encoder() -> Any:
    with _lock:
        return _dlib_models()[2]


@cache
def _voice_encoder() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # resemblyzer imports scipy.ndimage.morphology
        from resemblyzer import VoiceEncoder

    return VoiceEncoder("cpu", verbose=False)


def voice_encoder() -> Any:
    with _lock:
        return _voice_encoder()


@cache
def _vad() -> Any:
    from silero_vad import load_silero_vad

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # importlib.resources.path
        return load_silero_vad(onnx=True)


def vad_model() -> Any:
    with _lock:
        return _vad()


def warm_up() -> None:
    """Load every model and run each once (first calls compile/allocate: ~2 s) when a worker starts."""
    import numpy as np

    from . import faces, voice

    faces.detect_faces(np.zeros((120, 160, 3), np.uint8))
    t = np.arange(16_000, dtype=np.float32) / 16_000
    tone = (0.3 * np.sin(2 * np.pi * 120 * t) * (1 + np.sin(2 * np.pi * 3 * t))).astype(np.float32)
    voice.speech_segments(tone)
    voice.voice_embedding(tone)
    voice.median_pitch(tone)
