"""The consent leaks found on main, closed: a held attempt at someone else's face, a post taken down
because its cameo was deleted, and evidence frames of a blocked video, after the face's cameo is deleted."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from skimage import data

from cameos.models import Cameo
from cameos.services import ledger
from feed.models import Post, User
from generation import services, worker
from moderation.models import CaseFrame, ModerationCase
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_published
from tests.moderation.test_likeness_prompt import png
from tests.moderation.test_queue import client_for, hold_for_review

pytestmark = pytest.mark.slow


def test_a_held_attempt_at_someone_elses_face_is_theirs_to_erase(
    alice: User, bob: User, mod: User, astronaut_recording: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = hold_for_review(alice, bob, astronaut_recording, monkeypatch)  # bob filmed alice's face
    portrait = held.portraits.first()
    assert portrait is not None
    url = reverse("cameo_portrait", args=[held.handle, portrait.pk])
    assert client_for(bob).get(url).status_code == 404  # the crops show alice: not bob's to fetch
    assert client_for(mod).get(url).status_code == 200
    files = [p.image.name for p in held.portraits.all()]

    ledger.cameo_delete(cameo=Cameo.objects.get(owner=alice), by=alice)

    held.refresh_from_db()
    assert held.status == "rejected"
    assert held.face_encodings == [] and held.voice_embedding is None
    assert not held.portraits.exists() and not any(default_storage.exists(name) for name in files)
    case = ModerationCase.objects.get(subject_type="cameo", subject_id=str(held.pk))
    assert "evidence_erased" in case.events.values_list("action", flat=True)


def test_a_post_taken_down_because_its_cameo_was_deleted_cannot_be_played(alice: User, bob: User) -> None:
    cameo = active_cameo(alice, access=Cameo.Access.EVERYONE)
    job, _ = services.job_create(owner=bob, prompt="@alice waves from a boat")
    worker.job_execute(job.pk)
    job.refresh_from_db()
    post = post_published(job=job, by=bob, caption="", visibility="public", show_prompt=True)
    video_url, sprite_url = post.video.url, job.spritesheet.url  # signed links, as the pages hand them out
    assert client_for(bob).get(video_url).status_code == 200
    sprite_name = job.spritesheet.name

    ledger.cameo_delete(cameo=cameo, by=alice)

    post.refresh_from_db()
    assert post.taken_down_at is not None
    assert not post.video and not default_storage.exists(job.video.name)
    assert client_for(bob).get(video_url).status_code == 404  # not even its author
    job.refresh_from_db()  # the spritesheet showed the same frames, and the frame hashes came from them
    assert not job.spritesheet and not default_storage.exists(sprite_name) and job.frame_hashes == []
    assert client_for(bob).get(sprite_url).status_code == 404
    page = client_for(bob).get(reverse("post_detail", args=[post.pk]))
    assert page.status_code == 200 and "Removed: your cameo's owner withdrew consent" in page.content.decode()
    assert Post.objects.filter(pk=post.pk).exists()  # the author still sees why


def test_deleting_a_cameo_erases_the_evidence_frames_that_show_its_face(alice: User, charlie: User) -> None:
    job, _ = services.job_create(owner=charlie, prompt="she smiles", input_image=png(data.astronaut()))
    input_name = job.input_image.name
    cameo = active_cameo(alice, real_face=True)
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert job.error_code == "likeness_blocked"
    assert not job.input_image and not default_storage.exists(input_name)  # charlie's photo of alice is gone
    frames = list(CaseFrame.objects.all())
    assert frames and all(default_storage.exists(f.image.name) for f in frames)

    ledger.cameo_delete(cameo=cameo, by=alice)

    assert not CaseFrame.objects.exists()
    assert not any(default_storage.exists(f.image.name) for f in frames)
