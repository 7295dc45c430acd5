"""The cameo voice pitch: YIN in NumPy, no numba. librosa's pYIN kept a numba cache beside the library
that two processes compiling at once corrupted; from then on every voice check died with SIGSEGV."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cameos.verification import voice
from generation.audio import speak
from generation.backends.base import VoiceProfile

ROOT = Path(__file__).resolve().parents[3]
SENTENCE = "The quick brown fox jumps over the lazy dog, and then it runs away into the forest."
# librosa.pyin(fmin=60, fmax=450, frame_length=1024) on the voiced speech of SENTENCE, median of voiced
# frames, measured once with librosa 0.11 and espeak-ng 1.51 (the pitch it replaced).
PYIN_MEDIAN_HZ = {
    "en-us+m1": 92.53,
    "en-us": 99.75,
    "en-us+m3": 102.67,
    "en-us+f1": 177.73,
    "en-us+f2": 192.70,
    "en-us+f3": 208.93,
}
TOLERANCE = 0.04  # relative; measured at most 3.3 % (en-us), and 0.3 % on the higher voices


@pytest.mark.parametrize("espeak_voice", sorted(PYIN_MEDIAN_HZ))
def test_pitch_agrees_with_pyin_on_espeak_voices(espeak_voice: str) -> None:
    said = speak(SENTENCE, VoiceProfile(pitch_hz=None, espeak_voice=espeak_voice), sample_rate=16_000)
    speech = voice.speech_audio(said, voice.speech_segments(said))
    pitch = voice.median_pitch(speech)
    assert pitch is not None
    assert abs(pitch - PYIN_MEDIAN_HZ[espeak_voice]) <= TOLERANCE * PYIN_MEDIAN_HZ[espeak_voice]


PITCH_IN_A_PROCESS = """
import sys, time
import numpy as np
from cameos.verification.voice import median_pitch
t = np.arange(3 * 16_000) / 16_000
tone = sum(np.sin(2 * np.pi * 118 * k * t) / k for k in (1, 2, 3)) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))  # every process starts computing at this moment
print(round(median_pitch(tone.astype(np.float32)), 1), "numba" in sys.modules)
"""


def test_processes_computing_pitch_at_once_from_a_clean_state_all_succeed(tmp_path: Path) -> None:
    """Four processes at the same moment with an empty numba cache directory (where a numba cache
    would go), then one more: all exit cleanly with the same pitch, and none loads numba at all."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}

    def start(at: float) -> subprocess.Popen[str]:
        command = [sys.executable, "-c", PITCH_IN_A_PROCESS, str(at)]
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    at_once = time.time() + 8  # time for every interpreter to import NumPy and SciPy first
    runs = [start(at_once) for _ in range(4)]
    outputs = [run.communicate(timeout=180) for run in runs]
    after = start(0)
    outputs.append(after.communicate(timeout=180))
    assert [run.returncode for run in [*runs, after]] == [0] * 5, [err[-2000:] for _out, err in outputs]
    pitches = {out.split()[0] for out, _err in outputs}
    assert len(pitches) == 1 and abs(float(pitches.pop()) - 118) < 3
    assert {out.split()[1] for out, _err in outputs} == {"False"}
    assert list(tmp_path.iterdir()) == []


def test_a_voice_check_never_loads_numba(tmp_path: Path) -> None:
    """The speaker embedding too (resemblyzer with this module's mel features: librosa's equal to 1e-7,
    the same embedding): nothing on the voice path imports librosa's numba-compiled functions."""
    script = (
        "import sys, numpy as np\n"
        "from cameos.verification import voice\n"
        "t = np.arange(2 * 16_000) / 16_000\n"
        "tone = (0.3 * np.sin(2 * np.pi * 140 * t) * (1 + np.sin(2 * np.pi * 3 * t))).astype(np.float32)\n"
        "assert voice.voice_embedding(tone).shape == (256,) and voice.median_pitch(tone)\n"
        "print('numba' in sys.modules)\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", script]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == "False" and list(tmp_path.iterdir()) == []
