"""The voice-cloning TTS: a tiny random-weight CSM saved with save_pretrained and loaded through the
production loader at GENERATION_TTS_MODEL_PATH, and its speech reaching the LTX-2 audio conditioning
in a real cameo job. What reaches the models is seen with forward hooks on their own encoders."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cameos.models import Cameo, _random_name
from cameos.services import access
from feed.models import User
from generation import services, worker
from generation.audio import DEFAULT_VOICE, cameo_voices, dialogue, speak, speech_source
from generation.backends import get_backend
from generation.backends.base import Shot, VoiceProfile, VoiceSample
from generation.backends.loading import clear_pipeline_cache
from generation.backends.ltx2_backend import LTX2Backend
from generation.backends.ltx2_dialogue import log_mel
from generation.models import GenerationJob
from generation.voice_tts import VoiceCloner, voice_cloner
from sora_site.errors import DomainError
from tests.builders.cameos import active_cameo
from tests.builders.tiny_ltx2 import AUDIO_SAMPLE_RATE, inputs_of
from tests.builders.tiny_tts import build_tiny_csm

pytestmark = pytest.mark.slow

PROMPT_RATE = 16_000  # what the cameo's kept sample is stored at
LINE = "we have liftoff"


def sample_of(pitch_hz: float, text: str = "four seven one nine") -> VoiceSample:
    """A stand-in for a kept recording: espeak reading the digits at a given pitch, 16 kHz."""
    audio = speak(text, VoiceProfile(pitch_hz=pitch_hz, espeak_voice="en-us"), sample_rate=PROMPT_RATE)
    return VoiceSample(audio=audio, sample_rate=PROMPT_RATE, text=text)


@pytest.fixture(scope="module")
def tiny_csm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_csm(tmp_path_factory.mktemp("csm") / "tiny-csm")


@pytest.fixture
def tts(settings: Any, tiny_csm: Path) -> VoiceCloner:
    settings.GENERATION_TTS_MODEL_PATH = tiny_csm
    cloner = voice_cloner()
    assert cloner is not None
    return cloner


def test_the_loader_reads_the_saved_model_and_speaks_in_the_prompts_voice(tts: VoiceCloner, settings: Any) -> None:
    assert voice_cloner() is tts  # loaded once per process
    assert type(tts.model).__name__ == "CsmForConditionalGeneration" and tts.sample_rate == 24_000
    low, high = sample_of(90.0), sample_of(220.0)
    with inputs_of(tts.model.codec_model.encoder) as prompts:
        a = tts.speak(LINE, low, seed=3, max_seconds=5.0)
    # The prompt reached the codec: the 16 kHz sample at the model's 24 kHz.
    assert len(prompts) == 1 and abs(prompts[0].shape[-1] - low.audio.size * 24_000 / PROMPT_RATE) <= 2
    per_frame = tts.sample_rate / tts.frame_rate  # 1920 samples: Mimi's 12.5 Hz frames
    assert a.dtype == np.float32 and 0 < a.size <= 5.0 * tts.sample_rate and a.size % per_frame == 0
    assert np.isfinite(a).all() and np.abs(a).max() > 0
    assert np.array_equal(a, tts.speak(LINE, low, seed=3, max_seconds=5.0))  # the seed says it the same way
    assert not np.array_equal(a[: a.size], tts.speak(LINE, high, seed=3, max_seconds=5.0)[: a.size])  # other voice
    short = tts.speak(LINE, low, seed=3, max_seconds=0.5)
    assert 0 < short.size <= 0.5 * tts.sample_rate  # the room left in the shot bounds the line
    settings.GENERATION_TTS_MODEL_PATH = Path("/nonexistent/csm")
    with pytest.raises(DomainError) as error:
        voice_cloner()
    assert error.value.code == "tts_model_missing"


def test_dialogue_clones_only_voices_with_a_sample(tts: VoiceCloner) -> None:
    shots = (Shot(f'alice says "{LINE}" and bob says "good luck"', 4.0),)
    voices = [VoiceProfile(pitch_hz=180.0, espeak_voice="en-us+f3"), DEFAULT_VOICE]
    espeak_only = dialogue(shots, voices, 24_000).tracks[0]
    with inputs_of(tts.model.codec_model.encoder) as prompts:
        cloned = dialogue(shots, voices, 24_000, samples=[sample_of(180.0), None], seed=5).tracks[0]
    assert len(prompts) == 1  # alice's line is cloned; bob (no sample) keeps espeak
    assert speech_source([sample_of(180.0), None]).startswith("voice-cloning TTS")
    assert speech_source([None, None]).startswith("espeak-ng")
    assert cloned.shape == espeak_only.shape and not np.allclose(cloned, espeak_only)


def test_without_a_model_the_sample_is_ignored_and_espeak_speaks(settings: Any) -> None:
    settings.GENERATION_TTS_MODEL_PATH = None
    shots = (Shot(f'she says "{LINE}"', 2.0),)
    voices = [VoiceProfile(pitch_hz=180.0, espeak_voice="en-us+f3")]
    with_sample = dialogue(shots, voices, 24_000, samples=[sample_of(180.0)], seed=1).tracks[0]
    assert np.array_equal(with_sample, dialogue(shots, voices, 24_000).tracks[0])


# --- end to end: a cameo job on tiny LTX-2 + tiny CSM -------------------------------------------


@pytest.fixture
def ltx2(settings: Any, tiny_ltx2: Path, tts: VoiceCloner) -> Iterator[LTX2Backend]:
    settings.GENERATION_BACKEND = "diffusers"
    settings.MODEL_PATHS = {"sora-2": tiny_ltx2, "sora-2-pro": None}
    settings.LTX2_MODES = {"sora-2": "distilled", "sora-2-pro": "two_stage"}
    settings.LTX2_DISTILLED_STEPS = 2
    settings.LTX2_MAX_AREA = 64 * 96
    settings.LTX2_MAX_FRAMES = 17
    settings.LTX2_MAX_SEQUENCE_LENGTH = 16
    get_backend.cache_clear()
    backend = get_backend()
    assert isinstance(backend, LTX2Backend)
    yield backend
    get_backend.cache_clear()
    clear_pipeline_cache()


def alice_with_sample(alice: User, *, keep: bool, access: str = Cameo.Access.EVERYONE) -> Cameo:
    """alice's active cameo; with `keep`, a kept voice sample file as verification writes it."""
    cameo = active_cameo(alice, access=access, keep_voice_sample=keep)
    if keep:
        sample = sample_of(180.0)
        out = io.BytesIO()
        sf.write(out, sample.audio, PROMPT_RATE, format="WAV", subtype="PCM_16")
        cameo.voice_sample.name = default_storage.save(_random_name("voices", ".wav"), ContentFile(out.getvalue()))
        cameo.voice_sample_text = sample.text
        cameo.save()
    return cameo


def run_job(owner: User, prompt: str) -> GenerationJob:
    job, _ = services.job_create(owner=owner, prompt=prompt, seconds=4)
    worker.job_execute(job.pk)
    job.refresh_from_db()
    return job


def dialogue_mel(job: GenerationJob) -> np.ndarray:
    """What `dialogue` makes for the job's request as the worker builds it, as the audio VAE's input."""
    with contextlib.ExitStack() as files:
        request = worker.job_request_build(job, files)
    voices, samples = cameo_voices(request.cameos)
    assert samples and samples[0] is not None
    speech = dialogue(request.shots, voices, AUDIO_SAMPLE_RATE, samples=samples, seed=request.seed).tracks[0]
    return log_mel(speech, AUDIO_SAMPLE_RATE, 160, 8)


PROMPT = f'@alice looks at the camera and says "{LINE}"'


def test_an_opted_in_owners_cloned_voice_conditions_the_video_audio(
    alice: User, bob: User, ltx2: LTX2Backend, tts: VoiceCloner, tiny_ltx2: Path
) -> None:
    cameo = alice_with_sample(alice, keep=True)
    condition, _ = ltx2.loader.pipeline(tiny_ltx2 / "condition", "condition")
    with inputs_of(tts.model.codec_model.encoder) as prompts, inputs_of(condition.audio_vae.encoder) as mels:
        job = run_job(bob, PROMPT)
    assert job.state == "completed", job.error_message
    # alice's kept sample was the TTS prompt ...
    with cameo.voice_sample.open("rb") as handle:
        kept, _ = sf.read(handle, dtype="float32")
    assert len(prompts) == 1 and abs(prompts[0].shape[-1] - kept.size * 24_000 / PROMPT_RATE) <= 2
    # ... and the cloned line is what the audio VAE encoded for the audio conditioning.
    expected, given = dialogue_mel(job), mels[0][0, 0].numpy()
    n = min(len(expected), len(given)) - 4  # the STFT's last frames see the cut
    assert n > 50 and np.allclose(given[:n], expected[:n], atol=1e-3)
    espeak = log_mel(
        dialogue((Shot(PROMPT, 4.0),), [VoiceProfile(180.0, "en-us+f3")], AUDIO_SAMPLE_RATE).tracks[0],
        AUDIO_SAMPLE_RATE,
        160,
        8,
    )
    assert not np.allclose(given[:n], espeak[:n], atol=1e-2)  # not the espeak line


def test_with_the_option_off_the_espeak_voice_speaks(
    alice: User, bob: User, ltx2: LTX2Backend, tts: VoiceCloner, tiny_ltx2: Path
) -> None:
    alice_with_sample(alice, keep=False)
    condition, _ = ltx2.loader.pipeline(tiny_ltx2 / "condition", "condition")
    with inputs_of(tts.model.codec_model.encoder) as prompts, inputs_of(condition.audio_vae.encoder) as mels:
        job = run_job(bob, PROMPT)
    assert job.state == "completed", job.error_message
    assert prompts == []  # the TTS never ran
    espeak = dialogue((Shot(PROMPT, 4.0),), [VoiceProfile(180.0, "en-us+f3")], AUDIO_SAMPLE_RATE).tracks[0]
    expected, given = log_mel(espeak, AUDIO_SAMPLE_RATE, 160, 8), mels[0][0, 0].numpy()
    n = min(len(expected), len(given)) - 4
    assert n > 50 and np.allclose(given[:n], expected[:n], atol=1e-3)


def test_a_person_not_allowed_never_gets_the_sample(
    alice: User, bob: User, charlie: User, ltx2: LTX2Backend, tts: VoiceCloner
) -> None:
    cameo = alice_with_sample(alice, keep=True, access=Cameo.Access.APPROVED)
    access.cameo_approve_access(cameo=cameo, by=alice, user=bob)
    with pytest.raises(DomainError):  # charlie is refused before anything is queued
        services.job_create(owner=charlie, prompt=PROMPT, seconds=4)
    # bob is allowed when he queues, revoked before the worker starts: the worker's re-check stops the
    # job before the sample is read, so neither the TTS nor the video model sees alice's voice.
    job, _ = services.job_create(owner=bob, prompt=PROMPT, seconds=4)
    access.cameo_revoke_access(cameo=cameo, by=alice, user=bob)
    with inputs_of(tts.model.codec_model.encoder) as prompts:
        worker.job_execute(job.pk)
    job.refresh_from_db()
    assert (job.state, job.error_code) == ("failed", "cameo_permission_revoked")
    assert prompts == []
