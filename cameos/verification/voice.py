"""Speech presence (silero VAD), a 256-d speaker embedding (resemblyzer) and a small voice profile.

All functions take mono float32 audio in [-1, 1]; 16 kHz is what the models expect.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from . import loaders

SAMPLE_RATE = 16_000
_vad_lock = threading.Lock()  # the ONNX VAD wrapper keeps recurrent state between chunks


@dataclass(frozen=True)
class VoiceProfile:
    """What the TTS needs to speak in a cameo owner's voice (no raw biometrics)."""

    pitch_hz: float | None  # median fundamental frequency of the voiced speech
    espeak_voice: str = "en-us"  # an espeak-ng voice of a similar register, for previews and placeholders

    def as_dict(self) -> dict:
        return {"pitch_hz": self.pitch_hz, "espeak_voice": self.espeak_voice}


def speech_segments(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> list[tuple[int, int]]:
    """(start, end) sample indices of speech, found by silero VAD."""
    import torch
    from silero_vad import get_speech_timestamps

    if audio is None or len(audio) < sample_rate // 4:
        return []
    audio = _to_16k(audio, sample_rate)
    with _vad_lock:
        stamps = get_speech_timestamps(
            torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32)),
            loaders.vad_model(),
            sampling_rate=SAMPLE_RATE,
        )
    scale = sample_rate / SAMPLE_RATE
    return [(round(s["start"] * scale), round(s["end"] * scale)) for s in stamps]


def speech_audio(audio: np.ndarray, segments: list[tuple[int, int]]) -> np.ndarray:
    """The speech parts of `audio`, concatenated."""
    if not segments:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate([audio[s:e] for s, e in segments]).astype(np.float32)


def voice_embedding(speech: np.ndarray, sample_rate: int = SAMPLE_RATE) -> np.ndarray | None:
    """resemblyzer's 256-d, L2-normalised speaker embedding of speech-only audio (None if < 0.5 s)."""
    speech = _to_16k(speech, sample_rate)
    if len(speech) < SAMPLE_RATE // 2:
        return None
    encoder = loaders.voice_encoder()  # imports resemblyzer quietly
    from resemblyzer.audio import normalize_volume

    wav = normalize_volume(speech.astype(np.float32), -30, increase_only=True)
    emb = encoder.embed_utterance(wav)
    return np.asarray(emb, dtype=np.float32)


def median_pitch(speech: np.ndarray, sample_rate: int = SAMPLE_RATE, *, max_seconds: float = 6.0) -> float | None:
    """Median F0 in Hz of the voiced frames (librosa pYIN), over at most `max_seconds` of speech."""
    import librosa

    speech = _to_16k(speech, sample_rate)[: round(max_seconds * SAMPLE_RATE)]
    if len(speech) < SAMPLE_RATE // 4:
        return None
    f0, voiced, _ = librosa.pyin(speech, fmin=60, fmax=450, sr=SAMPLE_RATE, frame_length=1024)
    f0 = f0[voiced & np.isfinite(f0)]
    if len(f0) < 5:
        return None
    return float(np.median(f0))


def suggest_espeak_voice(pitch_hz: float | None, language: str = "en-us") -> str:
    """An espeak-ng voice in the speaker's register (measured with median_pitch on espeak itself:
    +m1 ~84 Hz, the default ~92 Hz, +f1 ~165 Hz, +f3 ~190 Hz)."""
    if pitch_hz is None:
        return language
    if pitch_hz < 88:
        return f"{language}+m1"
    if pitch_hz < 135:
        return language
    if pitch_hz < 175:
        return f"{language}+f1"
    return f"{language}+f3"


def voice_profile(speech: np.ndarray, sample_rate: int = SAMPLE_RATE) -> VoiceProfile:
    pitch = median_pitch(speech, sample_rate)
    return VoiceProfile(pitch_hz=None if pitch is None else round(pitch, 1), espeak_voice=suggest_espeak_voice(pitch))


def _to_16k(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    if sample_rate == SAMPLE_RATE:
        return audio
    from scipy.signal import resample_poly

    g = np.gcd(int(sample_rate), SAMPLE_RATE)
    resampled: np.ndarray = resample_poly(audio, SAMPLE_RATE // g, int(sample_rate) // g).astype(np.float32)
    return resampled
