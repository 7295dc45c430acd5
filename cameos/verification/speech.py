"""The spoken digits of the liveness challenge, heard by pocketsphinx 5 and the en-us model in its wheel.

Open recognition of short digit strings is poor with this model (FINDINGS.md: 2-3 of 4 digits), so
the recogniser is asked a narrower question: with a grammar that allows only the challenge's digit
sequence (as one unit) or a few filler words ("my code is", "uh"), does the decoder find the
sequence? Speech that says other digits (a recording replayed from another challenge) is decoded as
fillers and fails. Without pocketsphinx installed the check is reported "not_checked", never passed.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sora_site.loading import model_loader

RATE = 16_000
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_FILLERS = "my | code | is | the | number | and | uh | um | okay"
_lock = threading.Lock()

Transcriber = Callable[[np.ndarray, int, str], str]  # (audio, rate, expected digits) -> transcript


@model_loader("pocketsphinx")
def _decoder() -> Any:
    from pocketsphinx import Decoder, get_model_path

    models = Path(get_model_path()) / "en-us"
    return Decoder(hmm=str(models / "en-us"), dict=str(models / "cmudict-en-us.dict"), loglevel="FATAL")


def decoder_load() -> None:
    """Load the recogniser now (a worker does at start: sora_site.celery), not on the first challenge."""
    if importlib.util.find_spec("pocketsphinx") is None:
        return
    with _lock:
        _decoder()


def _grammar(digits: str) -> str:
    sequence = " ".join(DIGIT_WORDS[int(d)] for d in digits)
    return f"#JSGF V1.0;\ngrammar challenge;\npublic <utterance> = ( {_FILLERS} | {sequence} )+ ;\n"


# A recording that stops (or starts) in the middle of a word leaves the grammar no final state, and the
# decoder then hears nothing at all: retry without up to 2 s at the end, then at the start.
_TRIMS_S = [(0.0, 0.0)] + [(0.0, k / 2) for k in range(1, 5)] + [(k / 2, 0.0) for k in range(1, 5)]


def digits_heard(audio: np.ndarray, rate: int, digits: str) -> str:
    """What the decoder hears in mono (or the first channel of) float audio at `rate` Hz, when it may
    hear only the `digits` sequence and filler words."""
    mono = audio if audio.ndim == 1 else audio[:, 0]
    if rate != RATE:
        from scipy.signal import resample_poly  # here, not at import: scipy.signal costs every process ~1 s at start

        mono = resample_poly(mono, RATE, rate)
    pcm = (np.clip(mono, -1.0, 1.0) * 32767).astype(np.int16)
    with _lock:
        decoder = _decoder()
        decoder.add_jsgf_string("challenge", _grammar(digits))
        decoder.activate_search("challenge")
        for head_s, tail_s in _TRIMS_S:
            part = pcm[round(head_s * RATE) : len(pcm) - round(tail_s * RATE)]
            if len(part) < RATE:
                break
            decoder.start_utt()
            decoder.process_raw(part.tobytes(), full_utt=True)
            decoder.end_utt()
            hypothesis = decoder.hyp()
            if hypothesis is not None and hypothesis.hypstr:
                return str(hypothesis.hypstr)
    return ""


def digits_transcriber() -> Transcriber | None:
    """The recogniser when pocketsphinx is installed, else None (digits then stay "not_checked")."""
    return digits_heard if importlib.util.find_spec("pocketsphinx") is not None else None
