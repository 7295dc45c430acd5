"""The public-figure registry: moderators add someone with several reference photos (each face-encoded
on upload, so the likeness checks match them at once), see the photos, and remove them; both changes
are audited. Everyone else is refused, and the photos are moderators-only media."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from cameos.likeness import face_registry
from cameos.models import PublicFigure, PublicFigurePhoto
from feed.models import User
from moderation.models import ModerationEvent
from tests.moderation.test_likeness_prompt import group_face, png
from tests.moderation.test_queue import client_for

pytestmark = pytest.mark.slow  # face encoding with dlib


def test_a_moderator_adds_and_removes_a_public_figure_audited(
    mod: User, charlie: User, django_capture_on_commit_callbacks
) -> None:
    client = client_for(mod)
    photos = [png(group_face(0)), png(group_face(0)[10:-10, 10:-10])]
    response = client.post(reverse("public_figures"), {"name": "Famous Person", "notes": "actor", "photos": photos})
    assert response.status_code == 302
    figure = PublicFigure.objects.get()
    stored = list(PublicFigurePhoto.objects.filter(figure=figure))
    assert len(stored) == 2 and all(len(photo.encoding) == 128 for photo in stored)
    assert any(entry[0] == "public_figure" and entry[1] == figure.pk for entry in face_registry().entries)
    added = ModerationEvent.objects.get(action="public_figure_added")
    assert (added.actor, added.detail) == (mod, {"figure": figure.pk, "name": "Famous Person", "photos": 2})

    page = client.get(reverse("public_figures")).content.decode()
    assert "2 photos" in page and all(photo.image.url in page for photo in stored)
    assert client.get(stored[0].image.url).status_code == 200
    assert client_for(charlie).get(stored[0].image.url).status_code == 404  # reference photos: moderators only

    remove = reverse("public_figure_remove", args=[figure.pk])
    assert client_for(charlie).post(remove).status_code == 403
    assert PublicFigure.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the removal commits
        assert client.post(remove).status_code == 302
    assert not PublicFigure.objects.exists() and not PublicFigurePhoto.objects.exists()
    assert not any(default_storage.exists(photo.image.name) for photo in stored)
    removed = ModerationEvent.objects.get(action="public_figure_removed")
    assert (removed.actor, removed.detail["name"], removed.detail["photos"]) == (mod, "Famous Person", 2)
    assert client.post(remove).status_code == 404


def test_a_photo_without_one_face_is_refused_and_nothing_is_kept(mod: User) -> None:
    blank = png(np.full((200, 200, 3), 128, dtype=np.uint8))
    response = client_for(mod).post(
        reverse("public_figures"), {"name": "Nobody", "photos": [png(group_face(0)), blank]}
    )
    assert response.status_code == 400 and 'data-error-code="figure_photo_no_face"' in response.content.decode()
    assert not PublicFigure.objects.exists() and not ModerationEvent.objects.exists()
