"""Voice-cloning TTS: a cameo's lines spoken in its owner's own voice, from a local model folder.

The model is Sesame CSM (`CsmForConditionalGeneration` + its `AutoProcessor`, transformers >= 4.52),
read from `GENERATION_TTS_MODEL_PATH`. CSM is a conversational model: its input is a conversation of
turns, each "[speaker]text" plus that turn's audio, and it continues with the audio of a last text-only
turn. A speaker prompt is therefore one turn (the owner's kept speech and what it says) followed by the
line, all for speaker 0: the documented way to prompt it with a voice. (Dia, the other option in
transformers, takes an audio prompt only as a prefix of the output's codes, so the prompt must be cut
back out of the result and its text must be written with Dia's [S1]/[S2] tags; CSM keeps them apart.)

Loaded once per worker process, bf16 on CUDA (float32 on CPU). With no path configured `voice_cloner()`
is None and `generation.audio` speaks with espeak-ng.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.utils.translation import gettext

from generation.backends.base import VoiceSample
from sora_site.errors import DomainError
from sora_site.media import resample

_SECONDS_PER_CHAR = 0.075  # about 13 characters a second: conversational English, with a margin
_LEAD_S = 0.6  # room for a breath before and after the line


class VoiceCloner:
    """`speak(text, sample, ...)`: mono float32 speech in the voice of `sample`, at `sample_rate`."""

    def __init__(self, path: Path) -> None:
        import torch
        from transformers import AutoProcessor, CsmForConditionalGeneration

        if not (path / "config.json").is_file():
            raise DomainError(
                "tts_model_missing",
                gettext("GENERATION_TTS_MODEL_PATH (%(path)s) has no config.json: point it at a CSM model folder.")
                % {"path": path},
                status=503,
            )
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        dtype = torch.bfloat16 if self.device.type == "cuda" else torch.float32
        self.processor: Any = AutoProcessor.from_pretrained(path)
        self.model: Any = CsmForConditionalGeneration.from_pretrained(path, dtype=dtype).to(self.device).eval()
        self.sample_rate = int(self.processor.feature_extractor.sampling_rate)
        self.frame_rate = float(self.model.config.codec_config.frame_rate)  # audio frames a second
        self._lock = threading.Lock()  # one generation at a time on a shared model

    def speak(self, text: str, sample: VoiceSample, *, seed: int, max_seconds: float) -> np.ndarray:
        """The line in the sample's voice, at most `max_seconds` long; the same seed says it the same way."""
        import torch

        prompt = resample(np.asarray(sample.audio, dtype=np.float32), sample.sample_rate, self.sample_rate)
        conversation = [
            {"role": "0", "content": [{"type": "text", "text": sample.text}, {"type": "audio"}]},
            {"role": "0", "content": [{"type": "text", "text": text}]},
        ]
        rendered = self.processor.apply_chat_template(conversation, tokenize=False)
        inputs = self.processor(text=rendered, audio=[prompt], return_tensors="pt").to(self.device)
        if "input_values" in inputs:
            inputs["input_values"] = inputs["input_values"].to(self.model.dtype)
        seconds = min(max_seconds, _LEAD_S + _SECONDS_PER_CHAR * len(text))
        frames = max(1, int(seconds * self.frame_rate))
        with self._lock, torch.inference_mode():
            torch.manual_seed(abs(int(seed)))
            audio = self.model.generate(**inputs, output_audio=True, max_new_tokens=frames, do_sample=True)
        speech: np.ndarray = np.clip(audio[0].float().cpu().numpy(), -1.0, 1.0).astype(np.float32)
        return speech


def voice_cloner() -> VoiceCloner | None:
    """The configured cloner, loaded on first use in this process; None when no model is configured."""
    path = settings.GENERATION_TTS_MODEL_PATH
    return _load(Path(path)) if path else None


@functools.cache
def _load(path: Path) -> VoiceCloner:
    return VoiceCloner(path)
