"""Recording upload checks, verification as a service, impersonation guards, non-human cameos.

Clips are real WebM files made at test time (tests/builders/synthetic_face.py); verification runs the
real pipeline (dlib, silero VAD, resemblyzer). The Celery task is the same service call.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from skimage import data

import tests.builders.cameo_recordings as F
from cameos import restrictions
from cameos.models import Cameo, CameoChallenge, PublicFigure
from cameos.services import access, characters, public_figures, recording, usage
from feed.models import User
from moderation.cases import case_act
from moderation.models import ModerationCase
from sora_site.errors import DomainError
from tests.builders import synthetic_face as synthetic
from tests.builders.cameo_recordings import submit
from tests.builders.cameos import active_cameo
from tests.conftest import PASSWORD


@pytest.fixture
def left_then_right(monkeypatch) -> None:
    """Challenges ask for left, then right: the order the test clips turn in."""
    monkeypatch.setattr(recording, "random_moves", lambda: ("left", "right"))
    monkeypatch.setattr(recording, "random_digits", lambda: "4719")  # what the clip says


def jpeg(array: np.ndarray, name: str = "photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.fromarray(array).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cameo_service_clips")
    man = synthetic.HeadTurner(F.other_person_frame(F.WIDTH, F.HEIGHT))
    man_clip = synthetic.write_webm(
        d / "man.webm",
        lambda t: man.frame(synthetic.yaw_at(synthetic.LEFT_THEN_RIGHT, t)),
        duration_s=F.DURATION,
        fps=F.FPS,
        width=F.WIDTH,
        height=F.HEIGHT,
        audio=synthetic.soundtrack(F.DURATION, digits=F.DIGITS),
    )
    return {
        "live": F.live(d),
        "two_faces": F.two_faces(d),
        "no_face": F.no_face(d),
        "silent": F.silent(d),
        "man": man_clip,
    }


# --- upload checks (fast) -------------------------------------------------------------------------


def post_recording(client: Client, nonce: str, upload: SimpleUploadedFile) -> HttpResponse:
    return client.post(reverse("cameo_upload"), {"nonce": nonce, "recording": upload}, HTTP_ACCEPT="application/json")


@pytest.fixture
def alice_client(alice: User) -> Client:
    client = Client()
    client.login(username="alice", password=PASSWORD)
    return client


FAKE_WEBM = b"\x1a\x45\xdf\xa3" + b"\0" * 2000


def test_the_record_page_issues_a_challenge(alice_client, alice) -> None:
    page = alice_client.get(reverse("cameo_record")).content.decode()
    challenge = CameoChallenge.objects.get(owner=alice)
    assert sorted(challenge.moves) == ["left", "right"] and len(challenge.digits) == 4
    assert f'data-nonce="{challenge.nonce}"' in page and " ".join(challenge.digits) in page
    assert challenge.expires_at > timezone.now() + dt.timedelta(minutes=9)


def test_upload_queues_verification_and_uses_up_the_nonce(alice_client, alice) -> None:
    nonce = recording.challenge_issue(owner=alice).nonce
    response = post_recording(alice_client, nonce, SimpleUploadedFile("c.webm", FAKE_WEBM, "video/webm"))
    assert response.status_code == 202 and response.json()["status"] == "queued"
    cameo = Cameo.objects.get(owner=alice)
    assert default_storage.exists(cameo.recording.name)
    Cameo.objects.filter(pk=cameo.pk).update(status="rejected")  # as if checked
    again = post_recording(alice_client, nonce, SimpleUploadedFile("c.webm", FAKE_WEBM, "video/webm"))
    assert (again.status_code, again.json()["error"]["code"]) == (409, "challenge_used")


def test_an_expired_challenge_is_refused(alice_client, alice) -> None:
    challenge = recording.challenge_issue(owner=alice)
    CameoChallenge.objects.filter(pk=challenge.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = post_recording(alice_client, challenge.nonce, SimpleUploadedFile("c.webm", FAKE_WEBM, "video/webm"))
    assert (response.status_code, response.json()["error"]["code"]) == (409, "challenge_expired")


def test_someone_elses_nonce_is_refused(alice_client, bob) -> None:
    nonce = recording.challenge_issue(owner=bob).nonce
    response = post_recording(alice_client, nonce, SimpleUploadedFile("c.webm", FAKE_WEBM, "video/webm"))
    assert response.json()["error"]["code"] == "challenge_used"


def test_type_and_size_are_checked(alice_client, alice, monkeypatch) -> None:
    nonce = recording.challenge_issue(owner=alice).nonce
    text = post_recording(alice_client, nonce, SimpleUploadedFile("c.webm", b"hello, not a video", "video/webm"))
    assert (text.status_code, text.json()["error"]["code"]) == (415, "recording_bad_type")
    image = post_recording(alice_client, nonce, SimpleUploadedFile("c.png", FAKE_WEBM, "image/png"))
    assert image.json()["error"]["code"] == "recording_bad_type"
    monkeypatch.setattr(recording, "RECORDING_MAX_BYTES", 1000)
    big = post_recording(alice_client, nonce, SimpleUploadedFile("c.webm", FAKE_WEBM, "video/webm"))
    assert (big.status_code, big.json()["error"]["code"]) == (413, "recording_too_large")
    assert not CameoChallenge.objects.get(nonce=nonce).used_at  # refused uploads don't use up the challenge


# --- verification (slow: the real pipeline) -----------------------------------------------------


@pytest.mark.slow
def test_a_live_recording_becomes_an_active_cameo_and_the_recording_is_deleted(clips, alice, left_then_right) -> None:
    cameo = submit(alice, clips["live"])
    assert cameo.status == "active", cameo.report
    assert cameo.report["digits_check"] == "passed"  # pocketsphinx heard the challenge's digits
    assert 3 <= len(cameo.face_encodings) <= 5 and len(cameo.face_encodings[0]) == 128
    assert len(cameo.voice_embedding) == 256 and 70 < cameo.voice_pitch_hz < 130
    assert 3 <= cameo.portraits.count() <= 5
    assert all(default_storage.exists(p.image.name) for p in cameo.portraits.all())
    assert cameo.recording.name == "" and not default_storage.exists(cameo.uploaded_as)
    assert "reference_encodings" not in cameo.report and "face_encodings" not in str(cameo.report)
    client = Client()
    client.force_login(alice)
    assert "Digits read aloud: heard." in client.get(reverse("cameo_detail", args=[cameo.handle])).content.decode()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("clip", "code"), [("two_faces", "multiple_faces"), ("no_face", "no_face"), ("silent", "no_speech")]
)
def test_refusals_say_what_to_fix_and_keep_nothing_biometric(clips, alice, left_then_right, clip, code) -> None:
    cameo = submit(alice, clips[clip], keep_recording=True)
    assert cameo.status == "rejected"
    failures = {f["code"]: f["message"] for f in cameo.report["failures"]}
    assert code in failures and failures[code]
    assert cameo.face_encodings == [] and cameo.voice_embedding is None and not cameo.portraits.exists()
    assert default_storage.exists(cameo.recording.name)  # the owner asked to keep it


@pytest.mark.slow
def test_a_face_registered_by_another_account_is_refused_and_routed_to_moderators(
    clips, alice, bob, left_then_right
) -> None:
    theirs = active_cameo(alice, real_face=True)  # alice registered the astronaut's face first
    cameo = submit(bob, clips["live"])
    assert cameo.status == "in_review"
    assert cameo.report["failures"][0]["code"] == "likeness_registered"
    case = ModerationCase.objects.get(subject_type="cameo", subject_id=str(cameo.pk))
    assert (case.category, case.status) == ("likeness_match", "open")
    event = case.events.get()
    assert event.action == "flagged" and event.actor is None and event.detail["matched_cameo"] == theirs.pk
    with pytest.raises(DomainError):  # not usable, not even by bob
        usage.cameos_for_new_job(owner=bob, texts=["@bob dances"])


@pytest.mark.slow
def test_a_public_figure_is_refused(clips, alice, mod, left_then_right) -> None:
    group = np.asarray(Image.open(F.GROUP_PHOTO).convert("RGB"))
    # Registry: three people from the group photo, the man in the clip among them.
    crops = {
        "The man": group[240:460, 400:610],
        "First woman": group[230:450, 20:220],
        "Other": group[230:450, 1070:1270],
    }
    for name, crop in crops.items():
        public_figures.public_figure_create(by=mod, name=name, photos=[jpeg(np.ascontiguousarray(crop))])
    assert PublicFigure.objects.count() == 3
    cameo = submit(alice, clips["man"])
    assert cameo.status == "in_review", cameo.report
    assert cameo.report["failures"][0]["code"] == "public_figure"
    case = ModerationCase.objects.get(subject_id=str(cameo.pk))
    assert case.category == "public_figure"
    assert case.events.get().detail["public_figure"] == PublicFigure.objects.get(name="The man").pk
    # A moderator settles it: rejecting erases the held biometrics.
    case_act(case_id=case.pk, by=mod, action="take_down")
    cameo.refresh_from_db()
    assert cameo.status == "rejected" and cameo.face_encodings == [] and not cameo.portraits.exists()


def test_a_registry_photo_without_a_face_is_refused(mod) -> None:
    with pytest.raises(DomainError) as error:
        public_figures.public_figure_create(by=mod, name="Nobody", photos=[jpeg(data.coffee(), "coffee.jpg")])
    assert error.value.code == "figure_photo_no_face"
    assert not PublicFigure.objects.exists()


def test_only_moderators_maintain_the_registry(alice) -> None:
    with pytest.raises(DomainError) as error:
        public_figures.public_figure_create(by=alice, name="X", photos=[jpeg(data.astronaut())])
    assert error.value.code == "not_moderator"


# --- non-human cameos ---------------------------------------------------------------------------


def test_a_pet_cameo_from_photos_is_active_without_a_face_check(alice, bob) -> None:
    pet = characters.character_create(
        owner=alice, handle="Mittens", name="Mittens the cat", kind="pet", photos=[jpeg(data.chelsea(), "cat.jpg")]
    )
    assert (pet.handle, pet.status, pet.kind, pet.face_encodings) == ("mittens", "active", "pet", [])
    assert pet.portraits.count() == 1
    access.cameo_settings_update(cameo=pet, by=alice, access="everyone", preferences="", restrictions_text="")
    assert usage.cameos_for_new_job(owner=bob, texts=["@mittens chases a laser"]) == [pet]


def test_a_character_photo_with_a_human_face_is_refused(alice) -> None:
    with pytest.raises(DomainError) as error:
        characters.character_create(
            owner=alice, handle="spaceman", name="Spaceman", kind="character", photos=[jpeg(data.astronaut())]
        )
    assert error.value.code == "cameo_photo_has_person"
    with pytest.raises(DomainError) as taken:
        characters.character_create(owner=alice, handle="alice", name="Me", kind="pet", photos=[jpeg(data.chelsea())])
    assert taken.value.code == "cameo_handle_taken"


# --- restrictions by meaning (loads the sentence model once: slow) --------------------------------


@pytest.mark.slow
def test_restrictions_by_meaning_not_only_keywords() -> None:
    rules = "nothing political; never shirtless; don't make me dance"
    assert [r.topic for r in restrictions.rules_from(rules)] == ["political", "shirtless", "dance"]
    assert restrictions.violated_rule(rules, "@alice debates tax reform on a TV panel").text == "nothing political"
    assert restrictions.violated_rule(rules, "@alice does the tango in the rain").text == "don't make me dance"
    for fine in ["@alice walks a dog in the park", "@alice bakes a cake", "@alice reads in a library"]:
        assert restrictions.violated_rule(rules, fine) is None, fine
