"""The opt-in voice sample: kept from the verified recording only with consent, never served, erased
when the owner stops it, deletes the cameo, or a moderator rejects it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from django.core.files.storage import default_storage
from django.test import Client

import tests.builders.cameo_recordings as F
from cameos.models import Cameo
from cameos.services import ledger, recording
from feed.accounts.models import User
from sora_site.storage import local_path, media_url_signature
from tests.builders.cameo_recordings import submit


@pytest.fixture
def left_then_right(monkeypatch) -> None:
    monkeypatch.setattr(recording, "random_moves", lambda: ("left", "right"))
    monkeypatch.setattr(recording, "random_digits", lambda: F.DIGITS)  # what the clip says


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return F.live(tmp_path_factory.mktemp("voice_sample_clip"))


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.slow
def test_off_by_default_nothing_of_the_voice_is_kept_but_the_profile(clip, alice, left_then_right) -> None:
    cameo = submit(alice, clip)
    assert cameo.status == "active", cameo.report
    assert not cameo.keep_voice_sample and cameo.voice_sample.name == "" and cameo.voice_sample_text == ""
    assert cameo.voice_pitch_hz  # the espeak fallback still has the owner's pitch
    page = signed_in(alice).get(f"/cameos/@{cameo.handle}/")
    assert "Off: your lines are spoken by a synthetic voice" in page.content.decode()


@pytest.mark.slow
def test_with_consent_the_speech_is_kept_with_its_digits_and_never_served(
    clip, alice, bob, mod, left_then_right, settings
) -> None:
    cameo = submit(alice, clip, keep_voice_sample=True)
    assert cameo.status == "active", cameo.report
    name = cameo.voice_sample.name
    assert name.startswith("cameos/voices/") and default_storage.exists(name)
    with local_path(name) as path:
        samples, rate = sf.read(path, dtype="float32")
    assert rate == 16_000 and 1.5 <= samples.size / rate <= 10.0  # the VAD's speech, at most 10 s
    assert np.abs(samples).max() > 0.05  # speech, not silence
    assert cameo.voice_sample_text == "four seven one nine"  # the challenge's digits, heard by the recogniser
    assert "voice_sample" not in str(cameo.report)
    # No media URL serves it, to anyone: not to a stranger, not to the owner, not to a moderator.
    for user in (bob, alice, mod):
        response = signed_in(user).get(f"{settings.MEDIA_URL}{name}?sig={media_url_signature(name)}")
        assert response.status_code == 404
    assert "On: we keep a few seconds" in signed_in(alice).get(f"/cameos/@{cameo.handle}/").content.decode()


@pytest.mark.slow
def test_stopping_deletes_the_file_at_once(clip, alice, bob, left_then_right) -> None:
    cameo = submit(alice, clip, keep_voice_sample=True)
    name = cameo.voice_sample.name
    assert default_storage.exists(name)
    assert signed_in(bob).post(f"/cameos/@{cameo.handle}/voice-sample/stop/").status_code == 404  # not bob's
    assert default_storage.exists(name)
    response = signed_in(alice).post(f"/cameos/@{cameo.handle}/voice-sample/stop/")
    assert response.status_code == 302
    cameo.refresh_from_db()
    assert not cameo.keep_voice_sample and cameo.voice_sample.name == "" and cameo.voice_sample_text == ""
    assert not default_storage.exists(name)
    assert cameo.status == "active" and cameo.voice_pitch_hz  # the cameo itself stays


@pytest.mark.slow
def test_deleting_the_cameo_erases_the_sample(clip, alice, left_then_right) -> None:
    cameo = submit(alice, clip, keep_voice_sample=True)
    name = cameo.voice_sample.name
    ledger.cameo_delete(cameo=cameo, by=alice)
    assert not Cameo.objects.filter(pk=cameo.pk).exists()
    assert not default_storage.exists(name)


@pytest.mark.slow
def test_a_rejected_cameo_keeps_no_sample(tmp_path, alice, left_then_right) -> None:
    cameo = submit(alice, F.silent(tmp_path), keep_voice_sample=True)  # no speech: not verified
    assert cameo.status == "rejected"
    assert cameo.voice_sample.name == "" and cameo.voice_sample_text == ""
