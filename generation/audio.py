"""Soundtracks for clips whose backend made no audio: speech for quoted dialogue + an ambient bed.

Used by the preview backend and by the worker when a real video model returns `audio=None`, and
(`dialogue`) by the LTX-2 backend to condition the model's audio. A line of a cameo whose owner keeps a
voice sample is spoken by the voice-cloning TTS (`generation.voice_tts`, when a model is configured),
prompted with that sample; every other line by espeak-ng (a Debian package, no weights to download) in
the owner's pitch-matched voice profile. The bed is seeded noise and a soft drone shaped by words in
each shot's prompt. The same shots + seed + voices always give the same samples.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import soundfile as sf
from django.utils.translation import gettext

from cameos.verification.voice import VoiceProfile
from generation.backends.base import CameoReference, Cue, Shot, VoiceSample
from generation.voice_tts import voice_cloner
from sora_site import japanese
from sora_site.errors import DomainError
from sora_site.media import resample

DEFAULT_VOICE = VoiceProfile(pitch_hz=110.0, espeak_voice="en-us")
# Straight and curly double quotes, and the Japanese corner brackets 「」 and white corner brackets 『』.
_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”|「([^」]+)」|『([^』]+)』')
_VOICE_NAME = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*(\+[a-z0-9]{1,12})?$", re.IGNORECASE)
_MAX_LINE_CHARS = 280
_FADE_S = 0.02  # edges of every piece, so nothing clicks at a cut
_SPEECH_PEAK = 0.8
_BED_RMS = 0.025  # about -32 dBFS: under the speech, audible on its own
_LIMIT = 0.98

# Measured median F0 of espeak-ng 1.51 "en-us" against -p (0, 25, 50, 75, 99), as ratios of the
# value at -p 50 (107 Hz; the "+f" variants sit near 210 Hz at -p 50 and scale the same way).
_P_POINTS = np.array([0.0, 25.0, 50.0, 75.0, 99.0])
_P_RATIOS = np.array([75.0, 86.5, 107.0, 137.0, 176.0]) / 107.0


def quoted_lines(prompt: str) -> list[str]:
    """Text inside "double quotes", “curly quotes”, 「」 or 『』, in order, whitespace squeezed."""
    lines = []
    for match in _QUOTED.finditer(prompt):
        text = " ".join(next((group for group in match.groups() if group), "").split())
        if text:
            lines.append(text[:_MAX_LINE_CHARS])
    return lines


def espeak_pitch(voice: VoiceProfile) -> int:
    """Map a speaking pitch in Hz to espeak-ng's -p 0..99 for that voice."""
    base = 210.0 if "+f" in voice.espeak_voice.lower() else 107.0
    ratio = max(voice.pitch_hz or base, 1.0) / base
    return int(round(float(np.interp(ratio, _P_RATIOS, _P_POINTS))))


def speak(text: str, voice: VoiceProfile, *, sample_rate: int = 48_000, words_per_minute: int = 165) -> np.ndarray:
    """Mono float32 speech for `text` at `sample_rate`. Raises DomainError("tts_unavailable")."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise DomainError(
            "tts_unavailable", gettext("Speech synthesis is not available: install espeak-ng."), status=503
        )
    name = voice.espeak_voice if _VOICE_NAME.match(voice.espeak_voice or "") else DEFAULT_VOICE.espeak_voice
    if japanese.has_japanese(text):
        # espeak-ng's Japanese voice reads kana only (kanji come out as "Chinese letter"): speak the
        # reading, in "ja" with the profile's register variant (+f1 ...), so the owner's pitch is kept.
        name, text = "ja" + name[name.index("+") :] if "+" in name else "ja", japanese.reading(text)
    wav = _run_espeak(binary, name, espeak_pitch(voice), words_per_minute, text)
    if wav is None and name != DEFAULT_VOICE.espeak_voice:  # an unknown voice: keep the pitch, use en-us
        wav = _run_espeak(binary, DEFAULT_VOICE.espeak_voice, espeak_pitch(voice), words_per_minute, text)
    if wav is None:
        raise DomainError(
            "tts_unavailable", gettext("Speech synthesis failed (espeak-ng returned an error)."), status=503
        )
    samples, rate = sf.read(io.BytesIO(wav), dtype="float32", always_2d=True)
    return resample(samples[:, 0], rate, sample_rate)


def _run_espeak(binary: str, voice: str, pitch: int, wpm: int, text: str) -> bytes | None:
    # Text goes through stdin, so a line starting with "-" is never read as an option.
    result = subprocess.run(
        [binary, "-v", voice, "-p", str(pitch), "-s", str(wpm), "--stdout"],
        input=text.encode("utf-8"),
        capture_output=True,
        timeout=30,
        check=False,
    )
    if result.returncode != 0 or len(result.stdout) <= 44:
        return None
    return result.stdout


def cameo_voices(cameos: Sequence[CameoReference]) -> tuple[list[VoiceProfile], list[VoiceSample | None]]:
    """The speaking cameos' voice profiles and, at the same positions, their kept voice samples."""
    speaking = [cameo for cameo in cameos if cameo.voice is not None]
    return [cameo.voice for cameo in speaking if cameo.voice], [cameo.voice_sample for cameo in speaking]


def speech_source(samples: Sequence[VoiceSample | None]) -> str:
    """How `dialogue` will speak these voices, in words (for job metadata)."""
    if any(sample is not None for sample in samples) and voice_cloner() is not None:
        return "voice-cloning TTS (CSM) prompted with each consenting owner's voice sample; espeak-ng for the rest"
    return "espeak-ng, pitch-matched to each cameo's voice profile"


@dataclass(frozen=True)
class Soundtrack:
    audio: np.ndarray  # samples x 2 float32 in [-1, 1]
    cues: list[Cue]  # the dialogue's lines as they are heard


def render_soundtrack(
    *,
    prompt_shots: Sequence[Shot],
    seed: int,
    voices: Sequence[VoiceProfile],
    samples: Sequence[VoiceSample | None] = (),
    sample_rate: int = 48_000,
) -> Soundtrack:
    """The soundtrack, exactly as long as the shots together, and its subtitles.

    Each shot gets an ambient bed from its prompt's words; its quoted lines are spoken one after
    another from the start of the shot (voices taken in turn, across the whole clip) and cut with a
    fade at the shot's end. The bed ducks under speech.
    """
    pieces = []
    spoken = dialogue(prompt_shots, voices, sample_rate, samples=samples, seed=seed)
    for index, (shot, speech) in enumerate(zip(prompt_shots, spoken.tracks, strict=True)):
        rng = np.random.default_rng([abs(int(seed)), index])
        bed = ambient_bed(shot.prompt, speech.size, rng, sample_rate)
        if speech.any():
            bed *= _duck(speech, sample_rate)[:, None]
        mixed = bed + speech[:, None] * np.array([[0.97, 0.97]], dtype=np.float32)
        pieces.append(_fade(mixed, sample_rate))
    out = np.concatenate(pieces) if pieces else np.zeros((0, 2), np.float32)
    peak = float(np.abs(out).max()) if out.size else 0.0
    if peak > _LIMIT:
        out *= _LIMIT / peak
    return Soundtrack(out.astype(np.float32, copy=False), spoken.cues)


@dataclass(frozen=True)
class Spoken:
    tracks: list[np.ndarray]  # per shot, mono float32, exactly as long as the shot
    cues: list[Cue]


def dialogue(
    shots: Sequence[Shot],
    voices: Sequence[VoiceProfile],
    sample_rate: int = 48_000,
    *,
    samples: Sequence[VoiceSample | None] = (),
    seed: int = 0,
) -> Spoken:
    """The speech of each shot and the cue of each line as it was said (cut lines end at the cut).

    `samples[i]`, when given, is the kept voice sample of `voices[i]`'s owner: with a TTS model
    configured, that voice's lines are cloned from it (seeded by `seed` and the line's position).

    Each shot's quoted lines are spoken one after another from the start of the shot (voices taken
    in turn, across the whole clip), cut with a fade at the shot's end, normalised to _SPEECH_PEAK.
    The soundtrack of a silent clip is built on it, and the LTX-2 backend conditions the model's
    audio on it, so both say the same lines in the same voices at the same times.
    """
    tracks = []
    cues: list[Cue] = []
    line_index = 0
    shot_start = 0
    for shot in shots:
        n = max(0, int(round(shot.seconds * sample_rate)))
        speech = np.zeros(n, dtype=np.float32)
        at = int(0.25 * sample_rate) if n > sample_rate else 0
        for line in quoted_lines(shot.prompt):
            if at >= n:
                break
            turn = line_index % len(voices) if voices else None
            voice = voices[turn] if turn is not None else DEFAULT_VOICE
            sample = samples[turn] if turn is not None and turn < len(samples) else None
            cloner = voice_cloner() if sample is not None else None
            if cloner is not None and sample is not None:
                cloned = cloner.speak(line, sample, seed=seed + line_index, max_seconds=(n - at) / sample_rate)
                spoken = resample(cloned, cloner.sample_rate, sample_rate)
            else:
                spoken = speak(line, voice, sample_rate=sample_rate)
            line_index += 1
            said = _fit(spoken, n - at, sample_rate)
            speech[at : at + said.size] += said
            if said.size:
                cues.append(Cue((shot_start + at) / sample_rate, (shot_start + at + said.size) / sample_rate, line))
            at += said.size + int(0.3 * sample_rate)
        peak = float(np.abs(speech).max()) if n else 0.0
        if peak > 0:
            speech *= _SPEECH_PEAK / peak
        tracks.append(speech)
        shot_start += n
    return Spoken(tracks, cues)


def webvtt(cues: Sequence[Cue]) -> str:
    """The cues as a WebVTT file (what a browser's <track> reads)."""

    def clock(seconds: float) -> str:
        ms = int(round(seconds * 1000))
        return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"

    # A cue's text may not hold "-->" or a blank line (it would end the cue); a line is one line already.
    # line:70%: above the bottom fifth, where a vertical player puts its caption, names and buttons.
    blocks = [f"{clock(c.start_s)} --> {clock(c.end_s)} line:70%\n{c.text.replace('-->', '→')}" for c in cues]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


_VTT_TIMING = re.compile(r"^(\d+):(\d\d):(\d\d)\.(\d{3}) --> (\d+):(\d\d):(\d\d)\.(\d{3})")


def webvtt_read(text: str) -> list[Cue]:
    """The cues of a WebVTT file `webvtt` wrote (a timing line, then one line of text)."""
    cues = []
    lines = text.splitlines()
    for index, line in enumerate(lines[:-1]):
        timing = _VTT_TIMING.match(line)
        if timing is not None:
            h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(part) for part in timing.groups())
            start = h1 * 3600 + m1 * 60 + s1 + ms1 / 1000
            cues.append(Cue(start, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000, lines[index + 1]))
    return cues


def _fit(samples: np.ndarray, room: int, rate: int) -> np.ndarray:
    """Cut speech that runs past the shot's end, fading the last 80 ms."""
    if samples.size <= room:
        return samples
    cut = samples[:room].copy()
    fade = min(room, int(0.08 * rate))
    if fade:
        cut[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return cut


def _duck(speech: np.ndarray, rate: int) -> np.ndarray:
    """Gain for the bed: 0.4 where speech is loud, 1 elsewhere, smoothed over ~100 ms."""
    env = np.abs(speech)
    win = max(1, int(0.1 * rate))
    env = np.convolve(env, np.ones(win, dtype=np.float32) / win, mode="same")
    level: np.ndarray = np.clip(env / (env.max() + 1e-9) * 4.0, 0.0, 1.0)
    return (1.0 - 0.6 * level).astype(np.float32)


def _fade(x: np.ndarray, rate: int) -> np.ndarray:
    n = min(len(x) // 2, int(_FADE_S * rate))
    if n:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)[:, None]
        x[:n] *= ramp
        x[-n:] *= ramp[::-1]
    return x


# --- Ambient beds ------------------------------------------------------------------------------

# English words, then Japanese base forms (janome splits 宇宙飛行士 into 宇宙 / 飛行 / 士).
_MOODS = {
    "rain": ("rain", "storm", "drizzle", "thunder", "umbrella", "wet", "雨", "嵐", "雷", "霧雨", "梅雨", "傘", "夕立"),
    "ocean": (
        ("ocean", "sea", "beach", "wave", "waves", "surf", "shore", "underwater", "boat")
        + ("海", "海辺", "浜辺", "海岸", "波", "ビーチ", "水中", "船", "サーフィン")
    ),
    "city": (
        ("city", "street", "traffic", "cafe", "café", "subway", "market", "downtown", "neon", "crowd")
        + ("街", "都会", "通り", "交通", "カフェ", "地下鉄", "市場", "繁華街", "ネオン", "人混み", "東京")
    ),
    "forest": (
        ("forest", "woods", "jungle", "garden", "bird", "birds", "meadow", "park", "tree", "trees")
        + ("森", "林", "ジャングル", "庭", "庭園", "鳥", "草原", "公園", "木", "木々")
    ),
    "space": (
        ("space", "galaxy", "star", "stars", "planet", "moon", "astronaut", "orbit", "cosmic", "nebula")
        + ("宇宙", "銀河", "星", "星空", "惑星", "月", "軌道", "星雲")
    ),
}


def mood(prompt: str) -> str:
    """The ambience a prompt asks for; "calm" when no keyword matches."""
    words = japanese.words(prompt)
    for name, keys in _MOODS.items():
        if words.intersection(keys):
            return name
    return "calm"


def ambient_bed(prompt: str, n: int, rng: np.random.Generator, rate: int = 48_000) -> np.ndarray:
    """n x 2 float32 ambience at about _BED_RMS, decorrelated left/right."""
    if n == 0:
        return np.zeros((0, 2), np.float32)
    kind = mood(prompt)
    t = np.arange(n, dtype=np.float64) / rate
    noise = rng.standard_normal((n, 2))
    root = float(rng.choice([55.0, 61.7, 65.4, 73.4, 82.4]))  # A1 .. E2: a seeded key
    if kind == "rain":
        bed = _band(noise, 800, 9000, rate) * (0.8 + 0.2 * rng.random((n, 1)))
        bed += 0.3 * _band(rng.standard_normal((n, 2)), 40, 200, rate)
    elif kind == "ocean":
        swell = 0.55 + 0.45 * np.sin(2 * np.pi * t / rng.uniform(5.0, 8.0) + rng.uniform(0, 6.3))
        bed = _band(noise, 150, 1800, rate) * swell[:, None]
    elif kind == "city":
        bed = _band(noise, 60, 700, rate) + 0.5 * _drone(t, root * 2, (1.0, 2.0), 0.15)[:, None]
    elif kind == "forest":
        bed = 0.6 * _band(noise, 300, 3000, rate) + _chirps(n, rng, rate)[:, None]
    elif kind == "space":
        bed = 0.25 * _band(noise, 30, 300, rate) + _drone(t, root, (1.0, 1.5, 2.0, 3.0), 0.05)[:, None]
    else:
        bed = 0.3 * _band(noise, 100, 1200, rate) + _drone(t, root * 2, (1.0, 1.25, 1.5), 0.08)[:, None]
    bed -= bed.mean(axis=0)
    rms = float(np.sqrt(np.mean(bed**2))) or 1.0
    return (bed * (_BED_RMS / rms)).astype(np.float32)


def _band(x: np.ndarray, low: float, high: float, rate: int) -> np.ndarray:
    from scipy.signal import butter, sosfilt  # here, not at import: scipy.signal costs every process ~1 s

    sos = butter(2, [low, min(high, rate * 0.45)], btype="bandpass", fs=rate, output="sos")
    filtered: np.ndarray = sosfilt(sos, x, axis=0)
    return filtered


def _drone(t: np.ndarray, root: float, partials: tuple[float, ...], wobble: float) -> np.ndarray:
    """A soft chord with a slow tremolo."""
    tone = sum(np.sin(2 * np.pi * root * p * t + p) / (i + 1) for i, p in enumerate(partials))
    return tone * (1.0 + wobble * np.sin(2 * np.pi * 0.2 * t))


def _chirps(n: int, rng: np.random.Generator, rate: int) -> np.ndarray:
    """A few seeded bird calls: short rising sine sweeps."""
    out = np.zeros(n)
    for _ in range(max(1, n // rate)):
        length = int(rate * rng.uniform(0.06, 0.15))
        start = int(rng.integers(0, max(1, n - length)))
        tt = np.arange(length) / rate
        f0 = rng.uniform(2500, 4500)
        sweep = np.sin(2 * np.pi * (f0 * tt + rng.uniform(2000, 6000) * tt**2))
        out[start : start + length] += 0.8 * sweep * np.hanning(length)
    return out
