"""The owner's ledger actions, deleting a cameo (nothing biometric left anywhere), and revocation
while a real worker is generating."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from cameos.models import Cameo, CameoAccess, CameoPortrait, CameoUsage
from cameos.services import access, ledger
from feed.models import Notification, Post, User
from generation import services as generation_services
from generation.models import GenerationJob
from moderation.models import ModerationCase
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_published
from tests.conftest import wait_for


def job_with(owner: User, prompt: str = "@alice plays chess in a park") -> GenerationJob:
    job, _ = generation_services.job_create(owner=owner, prompt=prompt)
    return job


def as_draft(job: GenerationJob) -> GenerationJob:
    """As if the worker finished it: a video and a poster in storage."""
    video = default_storage.save(f"drafts/test/{job.public_id}.mp4", ContentFile(b"video"))
    poster = default_storage.save(f"drafts/test/{job.public_id}.jpg", ContentFile(b"poster"))
    GenerationJob.objects.filter(pk=job.pk).update(state="completed", progress=100, video=video, poster=poster)
    job.refresh_from_db()
    return job


@pytest.fixture
def cameo(alice: User, bob: User, charlie: User) -> Cameo:
    cameo = active_cameo(alice, access=Cameo.Access.EVERYONE, keep_recording=True)
    cameo.recording.name = default_storage.save("cameos/recordings/kept-by-alice.webm", ContentFile(b"webm"))
    cameo.save()
    return cameo


def test_the_owner_removes_other_peoples_drafts_and_posts_and_reports(cameo, alice, bob, charlie) -> None:
    draft = as_draft(job_with(bob))
    posted = as_draft(job_with(charlie))
    post = post_published(job=posted, by=charlie, caption="", visibility="public", show_prompt=True)
    usages = {u.job_id: u.pk for u in CameoUsage.objects.filter(cameo=cameo)}

    assert ledger.usage_remove(cameo=cameo, by=alice, usage_id=usages[draft.pk]) == "deleted"
    assert not GenerationJob.objects.filter(pk=draft.pk).exists() and not default_storage.exists(draft.video.name)
    assert ledger.usage_remove(cameo=cameo, by=alice, usage_id=usages[posted.pk]) == "taken_down"
    post.refresh_from_db()
    assert post.taken_down_at is not None and "@alice" in post.taken_down_reason
    case = ledger.usage_report(cameo=cameo, by=alice, usage_id=usages[posted.pk], note="not me")
    assert (case.category, case.subject_id, case.events.get().actor) == (
        "likeness_without_consent",
        str(posted.pk),
        alice,
    )


def test_someone_else_cannot_touch_my_ledger(cameo, alice, bob) -> None:
    usage = CameoUsage.objects.get(job=job_with(bob))
    with pytest.raises(Exception) as error:
        ledger.usage_remove(cameo=cameo, by=bob, usage_id=usage.pk)
    assert error.value.code == "cameo_not_found"


def test_deleting_a_cameo_leaves_no_row_file_or_embedding(cameo, alice, bob, charlie) -> None:
    access.cameo_approve_access(cameo=cameo, by=alice, user=charlie)  # an access row
    draft = as_draft(job_with(bob))
    posted = as_draft(job_with(charlie))
    post = post_published(job=posted, by=charlie, caption="", visibility="public", show_prompt=True)
    running = job_with(bob, "@alice juggles")
    own = as_draft(job_with(alice, "@alice at the seaside"))
    files = [p.image.name for p in cameo.portraits.all()] + [cameo.recording.name]
    assert all(default_storage.exists(name) for name in files)
    cameo_id = cameo.pk

    done = ledger.cameo_delete(cameo=cameo, by=alice)

    assert done == {"deleted": 2, "taken_down": 1, "stopped": 1}
    # Rows: the cameo and everything hanging off it.
    assert not Cameo.objects.filter(pk=cameo_id).exists()
    for model in (CameoPortrait, CameoUsage, CameoAccess):
        assert not model.objects.filter(cameo_id=cameo_id).exists(), model
    assert not Notification.objects.filter(subject=f"cameo:{cameo_id}").exists()
    # Files: portraits and the kept recording.
    assert not any(default_storage.exists(name) for name in files)
    # Embeddings: no 128-d or 256-d vector of it anywhere in the database.
    with connection.cursor() as cursor:
        cursor.execute("SELECT face_encodings, voice_embedding FROM cameos_cameo")
        assert cursor.fetchall() == []
    # Drafts that used it are gone with their files; the post is taken down; the running job failed.
    assert not GenerationJob.objects.filter(pk__in=[draft.pk, own.pk]).exists()
    assert not default_storage.exists(draft.video.name) and not default_storage.exists(own.poster.name)
    post.refresh_from_db()
    assert (
        post.taken_down_at is not None and post.taken_down_reason == "A cameo in this video was deleted by its owner."
    )
    running.refresh_from_db()
    assert (running.state, running.error_code) == ("failed", "cameo_permission_revoked")
    # Moderation records never held biometrics, and the handle is free again.
    assert not ModerationCase.objects.filter(subject_type="cameo", subject_id=str(cameo_id)).exists()
    assert not Post.objects.filter(pk=post.pk, taken_down_at=None).exists()


@pytest.mark.slow
def test_revoking_access_mid_job_fails_it_on_the_worker(alice: User, bob: User, start_worker) -> None:
    cameo = active_cameo(alice, access=Cameo.Access.APPROVED)
    access.cameo_approve_access(cameo=cameo, by=alice, user=bob)
    shots = [{"prompt": f"@alice walks through scene {i}, slowly", "seconds": 5} for i in range(4)]
    job, _ = generation_services.job_create(owner=bob, prompt="", shots=shots, size="1792x1024")
    start_worker()
    wait_for(job, lambda j: j.state == "in_progress" and j.progress > 0, timeout=90)
    access.cameo_revoke_access(cameo=cameo, by=alice, user=bob)
    job = wait_for(job, lambda j: not j.is_active, timeout=60)
    assert (job.state, job.error_code, job.charged_seconds) == ("failed", "cameo_permission_revoked", 0)
    assert "@alice withdrew permission" in job.error_message
    assert not job.video
