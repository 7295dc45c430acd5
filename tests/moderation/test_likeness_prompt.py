"""Likeness and nudity at the prompt stage: reference images and names without the @, real models
(dlib face detection and encodings, NudeNet)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from skimage import data

from cameos.models import Cameo, CameoUsage
from cameos.services.public_figures import public_figure_create
from feed.graph.services import follow_create
from feed.models import User
from generation import services
from generation.models import GenerationJob
from sora_site.errors import DomainError
from tests.builders.cameo_recordings import GROUP_PHOTO
from tests.builders.cameos import active_cameo
from tests.builders.explicit_drawing import torso_drawing
from tests.builders.placed_face import hand_over
from tests.conftest import make_user


def png(pixels: np.ndarray) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    return SimpleUploadedFile("ref.png", out.getvalue(), content_type="image/png")


def stored_inputs() -> list[Path]:
    inputs = Path(settings.MEDIA_ROOT) / "inputs"
    return sorted(inputs.rglob("*")) if inputs.exists() else []


def group_face(index: int) -> np.ndarray:
    """One person of the six in the group photo, with some margin around the face."""
    boxes = [(1118, 283, 1226, 390), (67, 283, 175, 390)]
    left, top, right, bottom = boxes[index]
    photo = np.asarray(Image.open(GROUP_PHOTO).convert("RGB"))
    return photo[max(0, top - 80) : bottom + 80, max(0, left - 60) : right + 60]


def refused(owner: User, image: np.ndarray, prompt: str = "she waves at the camera") -> DomainError:
    before = stored_inputs()
    with pytest.raises(DomainError) as error:
        services.job_create(owner=owner, prompt=prompt, input_image=png(image))
    assert not GenerationJob.objects.filter(owner=owner).exists()
    assert stored_inputs() == before  # the image was not kept
    return error.value


def test_a_photo_of_someone_elses_cameo_face_is_refused_and_not_stored(alice: User, charlie: User) -> None:
    active_cameo(alice, real_face=True)  # alice's registered face is the astronaut's
    error = refused(charlie, data.astronaut())
    assert (error.code, error.field) == ("likeness_blocked", "input_reference")
    assert "alice" not in error.message  # a face is never identified to a stranger


def test_a_photo_of_a_cameo_the_requester_may_use_counts_as_using_it(alice: User, bob: User) -> None:
    cameo = active_cameo(alice, real_face=True, access=Cameo.Access.MUTUALS)
    follow_create(follower=alice, followee=bob)
    follow_create(follower=bob, followee=alice)
    job, _ = services.job_create(owner=bob, prompt="she waves at the camera", input_image=png(data.astronaut()))
    assert job.input_image
    assert CameoUsage.objects.filter(cameo=cameo, job=job).exists()  # in alice's ledger, like an @mention


def test_a_photo_of_a_public_figure_is_refused(alice: User, mod: User) -> None:
    public_figure_create(by=mod, name="Famous Person", photos=[png(group_face(0))])
    error = refused(alice, group_face(0))
    assert error.code == "likeness_blocked" and "public figure" in error.message
    services.job_create(owner=alice, prompt="he waves", input_image=png(group_face(1)))  # someone else: fine


def test_a_public_figure_named_in_the_prompt_is_refused(alice: User, mod: User) -> None:
    public_figure_create(by=mod, name="Famous Person", photos=[png(group_face(0))])
    with pytest.raises(DomainError) as error:
        services.job_create(owner=alice, prompt="famous person selling a miracle cure")
    assert error.value.code == "prompt_blocked"


def test_an_explicit_reference_image_is_refused_and_a_covered_one_passes(alice: User) -> None:
    error = refused(alice, torso_drawing())
    assert (error.code, error.field) == ("image_blocked", "input_reference")
    services.job_create(owner=alice, prompt="a person at the beach", input_image=png(torso_drawing(covered=True)))


def test_a_display_name_mention_goes_through_the_consent_check(alice: User, charlie: User) -> None:
    active_cameo(alice)  # alice's display name is "Alice Liddell"
    with pytest.raises(DomainError) as error:
        services.job_create(owner=charlie, prompt="alice liddell robbing a bank")
    assert error.value.code == "cameo_permission_denied"
    services.job_create(owner=charlie, prompt="a girl called alice chases a rabbit")  # a first name alone


def test_a_distinctive_handle_without_the_at_counts(charlie: User) -> None:
    owner = make_user("zoe_k99", display_name="Zoe")
    active_cameo(owner, access=Cameo.Access.ONLY_ME)
    with pytest.raises(DomainError) as error:
        services.job_create(owner=charlie, prompt="zoe_k99 dancing on a table")
    assert error.value.code == "cameo_permission_denied"


def test_a_photo_of_someone_elses_cameo_face_with_a_hand_over_the_mouth_is_refused(alice: User, charlie: User) -> None:
    active_cameo(alice, real_face=True)
    error = refused(charlie, hand_over(data.astronaut(), (222, 160), 90))
    assert error.code == "likeness_blocked"
