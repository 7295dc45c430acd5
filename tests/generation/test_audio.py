"""The soundtrack: espeak-ng speech for quoted dialogue over a seeded ambient bed."""

from __future__ import annotations

import numpy as np
import pytest

from generation import audio
from generation.audio import espeak_pitch, mood, quoted_lines, render_soundtrack, speak
from generation.backends.base import Shot, VoiceProfile
from sora_site.errors import DomainError

RATE = 48_000


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0


def _f0(samples: np.ndarray, rate: int) -> float:
    """Median pitch of the loud frames, by autocorrelation (good enough for a synthetic voice)."""
    size = int(0.04 * rate)
    lo, hi = rate // 400, rate // 60
    frames = [samples[i : i + size] for i in range(0, len(samples) - size, size // 2)]
    loud = max(_rms(f) for f in frames) * 0.3
    pitches = []
    for frame in frames:
        if _rms(frame) < loud:
            continue
        frame = frame - frame.mean()
        ac = np.correlate(frame, frame, mode="full")[size - 1 :]
        lag = lo + int(np.argmax(ac[lo:hi]))
        pitches.append(rate / lag)
    return float(np.median(pitches))


def test_quoted_lines_straight_and_curly() -> None:
    prompt = 'She smiles: "Hello   there!" then “See you soon.” and it\'s over. ""'
    assert quoted_lines(prompt) == ["Hello there!", "See you soon."]
    assert quoted_lines("no dialogue here") == []


def test_pitch_maps_into_espeak_range_monotonically() -> None:
    values = [espeak_pitch(VoiceProfile(pitch_hz=hz)) for hz in (40, 80, 107, 130, 170, 400)]
    assert values == sorted(values)
    assert values[0] == 0 and values[-1] == 99
    assert espeak_pitch(VoiceProfile(pitch_hz=107)) == 50
    assert espeak_pitch(VoiceProfile(pitch_hz=210, espeak_voice="en-us+f3")) == 50


def test_voice_profile_pitch_is_heard() -> None:
    low = speak("one two three four", VoiceProfile(pitch_hz=85), sample_rate=16_000)
    high = speak("one two three four", VoiceProfile(pitch_hz=160), sample_rate=16_000)
    assert _f0(high, 16_000) > 1.4 * _f0(low, 16_000)


def test_unknown_or_hostile_voice_names_fall_back_to_en_us() -> None:
    for name in ("xx-nope", "--help", "en; rm -rf /"):
        said = speak("hello", VoiceProfile(pitch_hz=120, espeak_voice=name), sample_rate=16_000)
        assert _rms(said) > 0.01


def test_soundtrack_shape_determinism_and_headroom() -> None:
    shots = [Shot('rain on the roof, he whispers "it is late"', 2.0), Shot("deep space, silence", 1.5)]
    voices = [VoiceProfile(pitch_hz=100)]
    a = render_soundtrack(prompt_shots=shots, seed=11, voices=voices).audio
    b = render_soundtrack(prompt_shots=shots, seed=11, voices=voices).audio
    c = render_soundtrack(prompt_shots=shots, seed=12, voices=voices).audio
    assert a.shape == (int(3.5 * RATE), 2) and a.dtype == np.float32
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert float(np.abs(a).max()) <= 0.99
    assert _rms(a[-RATE:]) > 0.005  # the ambient bed is there even without speech


def test_dialogue_is_placed_at_the_start_of_its_shot() -> None:
    forest = Shot("a calm forest", 2.0)
    said, unsaid = Shot('the ocean; "look at the waves"', 2.0), Shot("the ocean; look at the waves", 2.0)
    spoken = render_soundtrack(prompt_shots=[forest, said], seed=1, voices=[]).audio
    quiet = render_soundtrack(prompt_shots=[forest, unsaid], seed=1, voices=[]).audio
    assert np.array_equal(spoken[: 2 * RATE], quiet[: 2 * RATE])  # shot 1 has no dialogue
    window = slice(2 * RATE, int(3.5 * RATE))  # the first 1.5 s of shot 2
    assert _rms(spoken[window]) > 2.5 * _rms(quiet[window])


def test_speech_is_cut_at_the_shot_end_without_clipping() -> None:
    long_line = '"' + "this is a very long sentence that cannot possibly fit " * 3 + '"'
    track = render_soundtrack(prompt_shots=[Shot(long_line, 1.0)], seed=0, voices=[VoiceProfile(180)]).audio
    assert track.shape == (RATE, 2)
    assert float(np.abs(track).max()) <= 0.99
    assert float(np.abs(track[-10:]).max()) < 0.05  # faded, no click at the cut


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("rain on glass", "rain"),
        ("Waves at the beach", "ocean"),
        ("a busy city street", "city"),
        ("birds in the forest", "forest"),
        ("an astronaut in orbit", "space"),
        ("a cup of tea", "calm"),
    ],
)
def test_ambience_follows_prompt_words(prompt, expected) -> None:
    assert mood(prompt) == expected


def test_ambience_differs_by_mood() -> None:
    rain = render_soundtrack(prompt_shots=[Shot("heavy rain", 1.0)], seed=5, voices=[]).audio
    space = render_soundtrack(prompt_shots=[Shot("deep space", 1.0)], seed=5, voices=[]).audio
    spectrum = lambda x: np.abs(np.fft.rfft(x[:, 0]))  # noqa: E731
    freqs = np.fft.rfftfreq(RATE, 1 / RATE)
    centroid_rain = float((spectrum(rain) * freqs).sum() / spectrum(rain).sum())
    centroid_space = float((spectrum(space) * freqs).sum() / spectrum(space).sum())
    assert centroid_rain > 2 * centroid_space


def test_missing_espeak_is_a_clear_domain_error(monkeypatch) -> None:
    monkeypatch.setattr(audio.shutil, "which", lambda _name: None)
    with pytest.raises(DomainError) as caught:
        render_soundtrack(prompt_shots=[Shot('"hi"', 1.0)], seed=0, voices=[])
    assert caught.value.code == "tts_unavailable"
    # without dialogue, no speech is needed
    assert render_soundtrack(prompt_shots=[Shot("no words", 0.5)], seed=0, voices=[]).audio.shape == (RATE // 2, 2)
