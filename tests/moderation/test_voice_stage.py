"""Stage 2, voice: a job's soundtrack through silero VAD and resemblyzer, compared with every active
cameo's registered voice (real models, the real worker pipeline).

A cameo's registered voice comes from the same path as at verification (VAD, then resemblyzer) over
espeak-ng speaking in a given voice and pitch: exactly what the soundtrack step says a quoted line in.
A job with no cameo speaks its dialogue in the default voice (generation.audio.DEFAULT_VOICE).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from cameos.models import Cameo
from cameos.verification.voice import VoiceProfile, speech_audio, speech_segments, voice_embedding
from feed.models import User
from generation import services, worker
from generation.audio import DEFAULT_VOICE, speak
from generation.models import GenerationJob
from moderation.models import ModerationCase
from tests.builders.cameos import active_cameo

pytestmark = pytest.mark.slow

HIGH_VOICE = VoiceProfile(pitch_hz=190.0, espeak_voice="en-us+f3")
DIALOGUE = 'a person on a park bench says "hello everyone, welcome back to my channel, today we cook"'


def registered_voice(voice: VoiceProfile) -> list[float]:
    """The voice embedding verification would store for someone speaking in `voice`."""
    line = "seven three nine one. this is my voice, and I am recording my cameo today."
    audio = speak(line, voice, sample_rate=16_000)
    embedding = voice_embedding(speech_audio(audio, speech_segments(audio)))
    assert embedding is not None
    return embedding.round(6).tolist()


def voiced_cameo(owner: User, voice: VoiceProfile, **fields: object) -> Cameo:
    return active_cameo(
        owner,
        voice_embedding=registered_voice(voice),
        voice_pitch_hz=voice.pitch_hz,
        espeak_voice=voice.espeak_voice,
        **fields,
    )


def rendered(owner: User, prompt: str) -> GenerationJob:
    job, _ = services.job_create(owner=owner, prompt=prompt)
    worker.job_execute(job.pk)
    job.refresh_from_db()
    return job


def stored(job: GenerationJob) -> list[Path]:
    drafts = Path(settings.MEDIA_ROOT) / "drafts"
    return [p for p in drafts.rglob("*") if job.public_id in p.name] if drafts.exists() else []


def test_speech_in_the_voice_of_a_cameo_the_job_may_not_use_is_blocked(alice: User, charlie: User) -> None:
    cameo = voiced_cameo(alice, DEFAULT_VOICE)  # alice's registered voice is the one charlie's dialogue gets
    job = rendered(charlie, DIALOGUE)
    assert (job.state, job.error_code) == ("failed", "likeness_blocked")
    assert "voice" in job.error_message and "alice" not in job.error_message
    assert not job.video and not job.poster and not stored(job)
    case = ModerationCase.objects.get(subject_type="job", subject_id=str(job.pk))
    event = case.events.get()
    assert case.category == "likeness_blocked" and case.stage == "frames"
    assert (event.detail["what"], event.detail["key"]) == ("voice", cameo.pk) and event.detail["similarity"] >= 0.75
    assert "voice_check" in job.timings


def test_speech_in_another_voice_passes(alice: User, charlie: User) -> None:
    voiced_cameo(alice, HIGH_VOICE)
    job = rendered(charlie, DIALOGUE)
    assert job.state == "completed", job.error_message
    assert job.video and "voice_check" in job.timings


def test_the_voice_of_a_cameo_the_job_uses_with_permission_passes(alice: User, bob: User) -> None:
    voiced_cameo(alice, HIGH_VOICE, access=Cameo.Access.EVERYONE)
    job = rendered(bob, f"@alice {DIALOGUE}")  # spoken in alice's voice profile, as her cameo allows
    assert job.state == "completed", job.error_message


def test_the_requesters_own_voice_passes(alice: User) -> None:
    voiced_cameo(alice, DEFAULT_VOICE)
    job = rendered(alice, DIALOGUE)
    assert job.state == "completed", job.error_message


def test_a_silent_or_wordless_soundtrack_is_not_compared(alice: User, charlie: User) -> None:
    voiced_cameo(alice, DEFAULT_VOICE)
    job = rendered(charlie, "waves rolling onto a pebble beach at dusk")  # ambient bed, no dialogue
    assert job.state == "completed", job.error_message
    assert not ModerationCase.objects.filter(subject_type="job").exists()
