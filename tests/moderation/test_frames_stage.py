"""Stage 2, frames: the preview renderer's real output through NudeNet and the likeness check.

The preview renderer composites cameo portraits into the frames and animates an input image, so a
real face reaches the output the way it would from a video model. A face becomes registered after
its job was queued (the race the frames stage exists for): the job must still be blocked.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.test import Client
from PIL import Image
from skimage import data

from cameos.models import Cameo
from cameos.selectors import cameos_of_job
from cameos.services.public_figures import public_figure_create
from cameos.verification.faces import encode_image_faces
from feed.models import User
from generation import services, worker
from generation.backends.base import DRAWN
from generation.finishing import Clip
from generation.models import GenerationJob
from generation.safety import frames_check, sample_indices
from moderation.models import CaseFrame, ModerationCase
from sora_site.errors import DomainError
from tests.builders.cameos import active_cameo
from tests.builders.explicit_drawing import torso_drawing
from tests.builders.placed_face import astronaut_in_frame
from tests.conftest import PASSWORD
from tests.moderation.test_likeness_prompt import group_face, png

pytestmark = pytest.mark.slow


def rendered(job: GenerationJob) -> GenerationJob:
    worker.job_execute(job.pk)
    job.refresh_from_db()
    return job


def drafts_of(job: GenerationJob) -> list[Path]:
    drafts = Path(settings.MEDIA_ROOT) / "drafts"
    return [p for p in drafts.rglob("*") if job.public_id in p.name] if drafts.exists() else []


def test_a_cameo_the_job_may_show_passes(alice: User, bob: User) -> None:
    active_cameo(alice, real_face=True, access=Cameo.Access.EVERYONE)
    job, _ = services.job_create(owner=bob, prompt="@alice waves from a sailing boat")
    job = rendered(job)
    assert job.state == "completed", job.error_message
    assert "frames_check" in job.timings


def test_an_output_showing_a_cameo_face_the_job_may_not_use_is_blocked(alice: User, charlie: User, mod: User) -> None:
    # charlie animates a photo of the astronaut before anyone has registered that face...
    job, _ = services.job_create(owner=charlie, prompt="she smiles", input_image=png(data.astronaut()))
    active_cameo(alice, real_face=True)  # ...then alice registers hers: the video must not be made
    job = rendered(job)
    assert (job.state, job.error_code) == ("failed", "likeness_blocked")
    assert "may not use" in job.error_message and "alice" not in job.error_message
    assert not job.video and not job.poster and not drafts_of(job)
    case = ModerationCase.objects.get(subject_type="job", subject_id=str(job.pk))
    assert case.category == "likeness_blocked" and case.events.get().detail["kind"] == "cameo"
    frames = list(CaseFrame.objects.filter(case=case))
    assert frames and all(f.finding.startswith("face: cameo") for f in frames)
    # The evidence is for moderators only.
    url = frames[0].image.url  # a signed link, as the queue hands it out
    client = Client()
    client.login(username="charlie", password=PASSWORD)
    assert client.get(url).status_code == 404
    client.login(username="mod", password=PASSWORD)
    assert client.get(url).status_code == 200
    with pytest.raises(DomainError):
        services.job_retry(job=job, by=charlie)


def test_an_output_showing_a_public_figure_is_blocked(alice: User, mod: User) -> None:
    job, _ = services.job_create(owner=alice, prompt="he nods", input_image=png(group_face(0)))
    public_figure_create(by=mod, name="Famous Person", photos=[png(group_face(0))])
    job = rendered(job)
    assert (job.state, job.error_code) == ("failed", "likeness_blocked")
    assert "public figure" in job.error_message
    assert not job.video and not drafts_of(job)
    assert ModerationCase.objects.filter(
        subject_type="job", subject_id=str(job.pk), category="likeness_blocked"
    ).exists()


def test_frames_are_sampled_across_the_whole_clip() -> None:
    indices = sample_indices(96, 24, 2)
    assert len(indices) == 8 and indices[0] == 0 and indices[-1] == 95
    assert sample_indices(1, 24, 2) == [0]


def test_frames_of_an_image_with_nobody_registered_pass(alice: User) -> None:
    job, _ = services.job_create(owner=alice, prompt="he nods", input_image=png(group_face(1)))
    assert rendered(job).state == "completed"


def test_explicit_frames_fail_the_step_and_are_kept_as_evidence(alice: User) -> None:
    job, _ = services.job_create(owner=alice, prompt="a quiet harbour at dawn")
    request = worker.job_request_build(job, contextlib.ExitStack())
    frames = [torso_drawing(size=(720, 1280))] * 48  # 2 s at 24 fps of what a model should never emit
    with pytest.raises(DomainError) as error:
        frames_check(Clip(job, request, frames, 24, None, 48_000))
    assert error.value.code == "nudity_blocked"
    case = ModerationCase.objects.get(subject_type="job", subject_id=str(job.pk), category="nudity")
    assert case.frames.count() == 4 and case.frames.first().finding == "FEMALE_BREAST_EXPOSED"  # type: ignore[union-attr]


def test_a_preview_render_is_judged_by_the_pictures_it_shows_not_by_its_drawing(alice: User) -> None:
    """The preview renderer's warm orbs read as skin to NudeNet now and then (this seed's harbour had 4
    sampled frames over the frames stage's bar): its drawing no longer fails a job, while an
    explicit picture it is given to animate still does."""
    harbour, _ = services.job_create(owner=alice, prompt="a quiet harbour at dawn", seed=189)
    assert rendered(harbour).state == "completed", harbour.error_message

    job, _ = services.job_create(owner=alice, prompt="a quiet harbour at dawn", seed=1)
    request = worker.job_request_build(job, contextlib.ExitStack())
    request = replace(request, input_image=Image.fromarray(torso_drawing(size=(720, 1280))))
    frames = [np.full((1280, 720, 3), 90, np.uint8)] * 48  # the drawing shows nothing
    with pytest.raises(DomainError) as error:
        frames_check(Clip(job, request, frames, 24, None, 48_000, metadata={DRAWN: True}))
    assert error.value.code == "nudity_blocked"
    case = ModerationCase.objects.get(subject_type="job", subject_id=str(job.pk), category="nudity")
    assert [frame.finding for frame in case.frames.all()] == ["FEMALE_BREAST_EXPOSED"]  # the picture, once


# A caption this long wraps to four lines in the preview's portrait caption box, which then lies
# across the astronaut's eyes and nose in the animated photo (generation/backends/preview.py).
CAPTION_OVER_THE_EYES = "she smiles and slowly turns toward the window while the morning light moves across the room"


def test_a_preview_of_a_registered_face_with_the_caption_over_her_eyes_is_not_stored(
    alice: User, charlie: User
) -> None:
    job, _ = services.job_create(owner=charlie, prompt=CAPTION_OVER_THE_EYES, input_image=png(data.astronaut()))
    active_cameo(alice, real_face=True)  # registered after the job was queued
    job = rendered(job)
    assert (job.state, job.error_code) == ("failed", "likeness_blocked")
    assert not job.video and not job.poster and not drafts_of(job) and not job.input_image
    case = ModerationCase.objects.get(subject_type="job", subject_id=str(job.pk))
    # The image the video animates shows her face plainly, whatever the frames cover.
    findings = [f.finding for f in CaseFrame.objects.filter(case=case)]
    assert findings[0] == "face: cameo @alice in the input image"


def test_her_own_face_under_the_caption_passes(alice: User) -> None:
    active_cameo(alice, real_face=True)
    job, _ = services.job_create(owner=alice, prompt=CAPTION_OVER_THE_EYES, input_image=png(data.astronaut()))
    job = rendered(job)
    assert job.state == "completed", job.error_message


def clip_of(job: GenerationJob, frame: np.ndarray) -> Clip:
    request = worker.job_request_build(job, contextlib.ExitStack())
    return Clip(job, request, [frame] * 48, 24, None, 48_000)  # 2 s at 24 fps


# A small face with the caption over her eyes: its first encoding lies 0.63 from hers, over the 0.6
# threshold; the second look (cameos.likeness.FoundFace.encoding_steadied) brings it under.
@pytest.mark.parametrize(
    ("face_px", "angle", "caption"),
    [(52, 0.0, ""), (240, 25.0, ""), (240, -28.0, ""), (56, 0.0, CAPTION_OVER_THE_EYES)],
    ids=["small", "tilted", "tilted-other-way", "small-caption-over-the-eyes"],
)
def test_a_small_tilted_or_covered_face_of_a_cameo_the_job_may_not_use_is_found(
    alice: User, charlie: User, face_px: int, angle: float, caption: str
) -> None:
    job, _ = services.job_create(owner=charlie, prompt="a quiet harbour at dawn")
    active_cameo(alice, real_face=True)
    with pytest.raises(DomainError) as error:
        frames_check(clip_of(job, astronaut_in_frame(face_px, angle=angle, caption=caption)))
    assert error.value.code == "likeness_blocked"
    case = ModerationCase.objects.get(subject_type="job", subject_id=str(job.pk), category="likeness_blocked")
    assert case.frames.first().finding == "face: cameo @alice"  # type: ignore[union-attr]


def test_a_small_face_of_a_cameo_the_job_may_use_passes(alice: User, bob: User) -> None:
    cameo = active_cameo(alice, real_face=True, access=Cameo.Access.EVERYONE)
    job, _ = services.job_create(owner=bob, prompt="@alice waves from a quiet harbour at dawn")
    assert cameo in cameos_of_job(job.pk)
    frames_check(clip_of(job, astronaut_in_frame(52)))


@pytest.mark.parametrize("face_px", [56, 120, 240])
def test_someone_else_under_the_caption_is_not_taken_for_a_registered_cameo(
    alice: User, charlie: User, face_px: int
) -> None:
    # alice's registered face is a man of the group photo; the frames show the astronaut, a stranger
    # to the registry, her eyes under the caption: the second look must not make her alice.
    cameo = active_cameo(alice, real_face=True)
    cameo.face_encodings = [encode_image_faces(group_face(0))[0].tolist()]
    cameo.save(update_fields=["face_encodings"])
    job, _ = services.job_create(owner=charlie, prompt="a quiet harbour at dawn")
    frames_check(clip_of(job, astronaut_in_frame(face_px, caption=CAPTION_OVER_THE_EYES)))


def test_a_job_showing_its_own_cameo_still_has_every_other_registered_face_looked_for(
    alice: User, bob: User, charlie: User
) -> None:
    # Faces are looked for only when a registered face is one the job may not show: here alice's is
    # the job's own, but bob's (registered after the job was queued) is not, and it is in the image.
    active_cameo(alice, real_face=True, access=Cameo.Access.EVERYONE)
    job, _ = services.job_create(owner=charlie, prompt="@alice nods", input_image=png(group_face(0)))
    cameo = active_cameo(bob)
    cameo.face_encodings = [encode_image_faces(group_face(0))[0].tolist()]
    cameo.save(update_fields=["face_encodings"])
    job = rendered(job)
    assert (job.state, job.error_code) == ("failed", "likeness_blocked")
