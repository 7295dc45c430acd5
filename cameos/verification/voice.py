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
    """resemblyzer's 256-d, L2-normalised speaker embedding of speech-only audio (None if < 0.5 s).

    resemblyzer's `embed_utterance` with its mel features computed here (`_mel_frames`) rather than by
    librosa, whose import compiles numba functions into a cache shared by every process (issue 19)."""
    import torch

    speech = _to_16k(speech, sample_rate)
    if len(speech) < SAMPLE_RATE // 2:
        return None
    encoder = loaders.voice_encoder()  # imports resemblyzer quietly
    from resemblyzer.audio import normalize_volume

    wav = normalize_volume(speech.astype(np.float32), -30, increase_only=True)
    wav_slices, mel_slices = encoder.compute_partial_slices(len(wav), rate=1.3, min_coverage=0.75)
    if wav_slices[-1].stop >= len(wav):
        wav = np.pad(wav, (0, wav_slices[-1].stop - len(wav)))
    mel = _mel_frames(wav)
    partials = np.array([mel[s] for s in mel_slices])
    with torch.no_grad():
        embeds = encoder(torch.from_numpy(partials).to(encoder.device)).cpu().numpy()
    mean = embeds.mean(axis=0)
    return np.asarray(mean / np.linalg.norm(mean), dtype=np.float32)


# resemblyzer's features: 25 ms Hann windows every 10 ms at 16 kHz, 40 mel bands (Slaney scale and norm).
_MEL_FFT = 400
_MEL_HOP = 160
_MEL_BANDS = 40


def _mel_frames(wav: np.ndarray) -> np.ndarray:
    """The power mel spectrogram, one row per frame: `librosa.feature.melspectrogram(y=wav, sr=16000,
    n_fft=400, hop_length=160, n_mels=40).T` (centred frames, zero padding), in NumPy."""
    padded = np.pad(wav.astype(np.float64), _MEL_FFT // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, _MEL_FFT)[::_MEL_HOP]
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(_MEL_FFT) / _MEL_FFT)  # periodic Hann
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    mel: np.ndarray = (power @ _mel_filters().T).astype(np.float32)
    return mel


def _mel_filters() -> np.ndarray:
    """Slaney-style triangular mel filters from 0 Hz to Nyquist, each normalised to unit area."""

    def hz_to_mel(hz: np.ndarray) -> np.ndarray:
        linear = hz / (200.0 / 3)
        return np.where(hz >= 1000, 15 + np.log(np.maximum(hz, 1e-10) / 1000) / (np.log(6.4) / 27), linear)

    def mel_to_hz(mel: np.ndarray) -> np.ndarray:
        return np.where(mel >= 15, 1000 * np.exp((np.log(6.4) / 27) * (mel - 15)), mel * (200.0 / 3))

    bins = np.linspace(0, SAMPLE_RATE / 2, 1 + _MEL_FFT // 2)
    edges = mel_to_hz(np.linspace(0.0, float(hz_to_mel(np.array(SAMPLE_RATE / 2))), _MEL_BANDS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - bins[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    filters: np.ndarray = np.maximum(0, np.minimum(rising, falling)) * (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return filters


# Pitch search range and YIN settings (de Cheveigné & Kawahara 2002): a 64 ms frame every 16 ms, and a
# frame counts as voiced when its normalised difference dips below the threshold.
PITCH_MIN_HZ = 60.0
PITCH_MAX_HZ = 450.0
_YIN_FRAME = 1024
_YIN_HOP = 256
_YIN_THRESHOLD = 0.15


def median_pitch(speech: np.ndarray, sample_rate: int = SAMPLE_RATE, *, max_seconds: float = 6.0) -> float | None:
    """Median F0 in Hz of the voiced frames, over at most `max_seconds` of speech.

    Plain NumPy YIN, not librosa's pYIN: pYIN is compiled by numba into an on-disk cache beside the
    library, and two processes compiling it at once left that cache corrupt (every later voice check
    crashed with SIGSEGV, issue 19). On espeak-ng's voices this agrees with pYIN within 3 %
    (tests/cameos/verification/test_voice_pitch.py keeps the registers measured with pYIN) in ~10 ms a second."""
    speech = _to_16k(speech, sample_rate)[: round(max_seconds * SAMPLE_RATE)]
    if len(speech) < SAMPLE_RATE // 4:
        return None
    f0 = yin_f0(speech.astype(np.float64))
    f0 = f0[np.isfinite(f0)]
    if len(f0) < 5:
        return None
    return float(np.median(f0))


def yin_f0(audio: np.ndarray) -> np.ndarray:
    """F0 in Hz of each frame of 16 kHz `audio` (NaN where unvoiced), by YIN."""
    if len(audio) < _YIN_FRAME:
        return np.zeros(0)
    window = _YIN_FRAME // 2  # the difference function sums over this many samples
    min_lag = int(SAMPLE_RATE // PITCH_MAX_HZ)
    max_lag = min(int(np.ceil(SAMPLE_RATE / PITCH_MIN_HZ)), _YIN_FRAME - window - 1)
    frames = np.lib.stride_tricks.sliding_window_view(audio, _YIN_FRAME)[::_YIN_HOP]
    # d(lag) = sum_j (x_j - x_{j+lag})^2 over j < window = energy(0) + energy(lag) - 2 * correlation(lag)
    n_fft = 1 << int(np.ceil(np.log2(_YIN_FRAME + window)))
    spectrum = np.fft.rfft(frames, n_fft)
    head = np.fft.rfft(frames[:, :window], n_fft)
    correlation = np.fft.irfft(np.conj(head) * spectrum, n_fft)[:, : max_lag + 2]
    power = np.concatenate([np.zeros((len(frames), 1)), np.cumsum(frames**2, axis=1)], axis=1)
    lags = np.arange(max_lag + 2)
    energy = power[:, lags + window] - power[:, lags]
    difference = np.maximum(energy[:, :1] + energy - 2 * correlation, 0.0)
    # Cumulative mean normalised difference: d'(0) = 1, d'(lag) = d(lag) * lag / sum of d(1..lag).
    running = np.cumsum(difference[:, 1:], axis=1)
    normalised = np.ones_like(difference)
    with np.errstate(divide="ignore", invalid="ignore"):
        normalised[:, 1:] = np.where(running > 0, difference[:, 1:] * lags[1:] / running, 1.0)
    # The first dip below the threshold, at its local minimum; none: unvoiced.
    search = normalised[:, min_lag : max_lag + 1]
    following = normalised[:, min_lag + 1 : max_lag + 2]
    candidates = (search < _YIN_THRESHOLD) & (search <= following)
    voiced = candidates.any(axis=1)
    lag = min_lag + np.argmax(candidates, axis=1)
    rows = np.arange(len(frames))
    # Parabolic interpolation around the chosen lag, for a pitch between whole-sample lags.
    before, at, after = (normalised[rows, lag - 1], normalised[rows, lag], normalised[rows, lag + 1])
    curvature = before - 2 * at + after
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(np.abs(curvature) > 1e-12, (before - after) / (2 * curvature), 0.0)
    f0 = SAMPLE_RATE / (lag + np.clip(shift, -1.0, 1.0))
    return np.where(voiced, f0, np.nan)


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
