"""Recording a cameo in Chromium whose fake camera shows a real face turning its head, and whose fake
microphone speaks (espeak-ng): upload, verification on a real Celery worker, the result pushed live."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import soundfile as sf
from django.core.files.storage import default_storage
from playwright.sync_api import Page, expect

from cameos.models import Cameo
from cameos.services import recording
from feed.models import User
from tests.builders import synthetic_face as synthetic
from tests.conftest import CHROMIUM

from .test_create_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTH, HEIGHT, FPS, SECONDS = 640, 480, 10, 16
# File time (the fake camera starts with the preview; recording begins ~1 s later and lasts 12 s,
# prompting "left" at 2 s, "right" at 4.5 s and the digits at 7 s).
KEYFRAMES = (
    (0.0, 0.0),
    (2.6, 0.0),
    (3.4, 25.0),
    (4.4, 25.0),
    (5.1, 0.0),
    (5.7, 0.0),
    (6.5, -25.0),
    (7.4, -25.0),
    (8.1, 0.0),
    (99.0, 0.0),
)


def write_y4m(path: Path) -> Path:
    """The astronaut turning her head to her left, then her right, as raw YUV 4:2:0 frames."""
    turner = synthetic.head_turner(WIDTH, HEIGHT)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for i in range(SECONDS * FPS):
            frame = turner.frame(synthetic.yaw_at(KEYFRAMES, i / FPS))
            out.write(b"FRAME\n" + np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420)).tobytes())
    return path


@pytest.fixture(scope="module")
def fake_media(tmp_path_factory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("fake_media")
    wav = d / "speech.wav"
    sf.write(wav, synthetic.soundtrack(SECONDS, digits="4719", start_s=7.6), synthetic.AUDIO_RATE, subtype="PCM_16")
    return write_y4m(d / "face.y4m"), wav


@pytest.fixture
def page(playwright, fake_media) -> Page:
    """A dedicated Chromium whose camera and microphone play the files above."""
    video, audio = fake_media
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
            f"--use-file-for-fake-audio-capture={audio}",
        ],
    )
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()
    browser.close()


@pytest.fixture
def server(monkeypatch, request) -> str:
    """The app server, forked after pinning the challenge to left-then-right (the order the fake camera
    turns). Production challenges stay random."""
    monkeypatch.setattr(recording, "random_moves", lambda: ("left", "right"))
    monkeypatch.setattr(recording, "random_digits", lambda: "4719")  # what the clip says
    return request.getfixturevalue("live_server_url")


def test_record_verify_and_manage_a_cameo(server: str, page: Page, alice: User, start_worker, screenshot) -> None:
    start_worker()
    log_in(page, server, "alice")
    page.goto(f"{server}/cameos/")
    page.get_by_role("link", name="Record my cameo").click()
    expect(page.get_by_text("turn your head to your left, then to your right")).to_be_visible()
    screenshot("cameo-record-intro")
    page.get_by_role("button", name="Turn on camera and microphone").click()
    page.get_by_role("button", name="Start recording").click()
    expect(page.locator("#step-prompt")).to_have_text("Turn your head to your left", timeout=5000)
    screenshot("cameo-recording")
    expect(page.get_by_role("button", name="Use this recording")).to_be_visible(timeout=20_000)
    duration = page.locator("#playback").evaluate(
        "v => new Promise(r => { v.currentTime = 1e9; v.ontimeupdate = () => r(v.duration); })"
    )
    assert 11 < duration < 13.5
    voice_consent = page.get_by_label("Use my own voice for my lines in videos")
    expect(voice_consent).not_to_be_checked()  # off unless the owner opts in
    voice_consent.check()
    screenshot("cameo-review")
    page.get_by_role("button", name="Use this recording").click()
    result = page.locator("[data-testid=verify-result]:visible")
    expect(result).to_be_visible(timeout=120_000)
    screenshot("cameo-result")
    cameo = Cameo.objects.get(owner=alice)
    assert cameo.status == "active", cameo.report
    expect(result).to_have_text("Verified. Your cameo @alice is ready.")
    # The spoken-digit check's own outcome, whichever it was on this server.
    heard = {"passed": "heard.", "failed": "not heard.", "not_checked": "not checked."}[cameo.report["digits_check"]]
    expect(page.locator("[data-digits-check]:visible")).to_have_text(f"Digits read aloud: {heard}")
    assert not cameo.recording  # deleted after the check (not kept)
    kept = cameo.voice_sample.name
    assert cameo.keep_voice_sample and default_storage.exists(kept)  # the owner opted in

    page.get_by_role("link", name="Choose who can use it").click()
    expect(page.get_by_role("img", name="Portrait 1")).to_be_visible()
    page.get_by_label("People I approve").check()
    page.get_by_label("Restrictions").fill("nothing political")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    cameo.refresh_from_db()
    assert (cameo.access, cameo.restrictions) == ("approved", "nothing political")
    screenshot("cameo-manage")

    expect(page.get_by_text("On: we keep a few seconds of your verified recording")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("heading", name="Your voice").scroll_into_view_if_needed()
    screenshot("cameo-voice-sample-phone")
    page.get_by_role("button", name="Stop and delete my voice sample").click()
    expect(page.get_by_text("Your voice sample is deleted.")).to_be_visible()
    expect(page.get_by_text("Off: your lines are spoken by a synthetic voice")).to_be_visible()
    cameo.refresh_from_db()
    assert not cameo.keep_voice_sample and not cameo.voice_sample and not default_storage.exists(kept)
