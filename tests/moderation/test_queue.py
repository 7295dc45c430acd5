"""The moderator queue: who may use it (one moderator check everywhere), deciding a held cameo through
the subject registry, closed cases staying closed, and the append-only event log."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from cameos.models import Cameo
from cameos.services import recording as cameo_recording
from feed.accounts.models import User
from moderation.cases import case_act, case_open, moderator_check
from moderation.models import ModerationCase, ModerationEvent
from moderation.registry import subject_type_get
from sora_site.errors import DomainError
from tests.builders.cameo_recordings import submit
from tests.builders.cameos import active_cameo
from tests.conftest import PASSWORD, make_user


def client_for(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def hold_for_review(owner: User, impostor: User, recording: Path, monkeypatch: pytest.MonkeyPatch) -> Cameo:
    """The impostor uploads a recording of the owner's face (already the owner's active cameo): the real
    verification task holds the impostor's cameo for review."""
    active_cameo(owner, real_face=True)
    monkeypatch.setattr(cameo_recording, "random_moves", lambda: ("left", "right"))  # the clip's order
    monkeypatch.setattr(cameo_recording, "random_digits", lambda: "4719")  # what the clip says
    cameo = submit(impostor, recording)
    assert cameo.status == Cameo.Status.IN_REVIEW, cameo.report
    return cameo


@pytest.fixture
def held(alice: User, bob: User, astronaut_recording: Path, monkeypatch: pytest.MonkeyPatch) -> Cameo:
    return hold_for_review(alice, bob, astronaut_recording, monkeypatch)


@pytest.fixture
def case(held: Cameo) -> ModerationCase:
    return ModerationCase.objects.get(subject_type="cameo", subject_id=str(held.pk))


def decide_url(case: ModerationCase) -> str:
    return reverse("moderation_case_act", args=[case.pk])


def test_a_non_moderator_is_refused_the_queue_and_decisions(charlie: User, held: Cameo, case: ModerationCase) -> None:
    client = client_for(charlie)
    response = client.get(reverse("moderation_queue"))
    assert response.status_code == 403
    assert 'data-error-code="not_moderator"' in response.content.decode()
    assert held.handle not in response.content.decode()  # nothing of the queue leaks
    assert client.post(decide_url(case), {"action": "approve"}).status_code == 403
    assert client.get(reverse("public_figures")).status_code == 403
    # Nothing changed: the case is open with only its flag, the cameo still held.
    case.refresh_from_db()
    held.refresh_from_db()
    assert case.status == "open" and list(case.events.values_list("action", flat=True)) == ["flagged"]
    assert held.status == "in_review"
    with pytest.raises(DomainError) as error:
        case_act(case_id=case.pk, by=charlie, action="approve")
    assert (error.value.code, error.value.status) == ("not_moderator", 403)


def test_anonymous_visitors_are_sent_to_log_in(case: ModerationCase) -> None:
    response = Client().get(reverse("moderation_queue"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_superuser_is_a_moderator_in_views_and_services_alike(db, held: Cameo, case: ModerationCase) -> None:
    # Why: the old queue view asked `is_moderator` while the services accepted superusers too.
    root = make_user("root", is_superuser=True)
    assert not root.is_moderator
    moderator_check(root)  # no error
    client = client_for(root)
    queue = client.get(reverse("moderation_queue"))
    assert queue.status_code == 200 and f'data-case-id="{case.pk}"' in queue.content.decode()
    assert client.get(reverse("public_figures")).status_code == 200
    assert reverse("moderation_queue") in client.get(reverse("cameos")).content.decode()  # the dashboard link
    case_act(case_id=case.pk, by=root, action="approve")
    held.refresh_from_db()
    assert held.status == "active"


def test_the_dashboard_links_the_queue_for_moderators_only(mod: User, charlie: User) -> None:
    assert reverse("moderation_queue") in client_for(mod).get(reverse("cameos")).content.decode()
    assert reverse("moderation_queue") not in client_for(charlie).get(reverse("cameos")).content.decode()


def test_mod_sees_the_held_cameo_and_approving_activates_it(
    mod: User, alice: User, held: Cameo, case: ModerationCase
) -> None:
    client = client_for(mod)
    page = client.get(reverse("moderation_queue")).content.decode()
    assert f'data-case-id="{case.pk}"' in page
    assert "New cameo @bob: Face matches another account&#x27;s cameo" in page
    assert "Flagged (automatic)" in page  # the log in the reader's words
    for portrait in held.portraits.all():  # the registered partial shows every kept portrait
        assert reverse("cameo_portrait", args=[held.handle, portrait.pk]) in page
    assert "Approve cameo" in page and "Reject and erase" in page
    assert reverse("public_figures") in page

    response = client.post(decide_url(case), {"action": "approve"})
    assert response.status_code == 302 and response["Location"] == reverse("moderation_queue")
    held.refresh_from_db()
    case.refresh_from_db()
    assert held.status == "active" and held.verified_at is not None and held.face_encodings
    assert case.status == "closed"
    assert "Nothing to review." in client.get(reverse("moderation_queue")).content.decode()


def test_rejecting_a_held_cameo_erases_its_biometrics(mod: User, held: Cameo, case: ModerationCase) -> None:
    portrait_files = [portrait.image.name for portrait in held.portraits.all()]
    assert portrait_files and all(default_storage.exists(name) for name in portrait_files)
    assert held.voice_embedding is not None  # the recording's voice was kept while held
    client_for(mod).post(decide_url(case), {"action": "take_down"})
    held.refresh_from_db()
    assert held.status == "rejected"
    assert held.face_encodings == [] and held.voice_embedding is None and held.voice_pitch_hz is None
    assert not held.portraits.exists() and not any(default_storage.exists(name) for name in portrait_files)
    assert ModerationCase.objects.get(pk=case.pk).status == "closed"


def test_a_decided_case_cannot_be_decided_again(mod: User, held: Cameo, case: ModerationCase) -> None:
    case_act(case_id=case.pk, by=mod, action="take_down")
    with pytest.raises(DomainError) as error:
        case_act(case_id=case.pk, by=mod, action="approve")
    assert error.value.code == "case_closed"
    response = client_for(mod).post(decide_url(case), {"action": "approve"})
    assert response.status_code == 400 and 'data-error-code="case_closed"' in response.content.decode()
    held.refresh_from_db()
    assert held.status == "rejected"  # the second decision did nothing
    assert list(case.events.values_list("action", flat=True)) == ["flagged", "take_down"]


def test_an_unknown_case_is_not_found(mod: User) -> None:
    response = client_for(mod).post(reverse("moderation_case_act", args=[999999]), {"action": "approve"})
    assert response.status_code == 404 and 'data-error-code="case_not_found"' in response.content.decode()


def test_events_are_append_only_and_record_actor_and_action(mod: User, held: Cameo, case: ModerationCase) -> None:
    case_act(case_id=case.pk, by=mod, action="approve")
    events = list(case.events.order_by("created_at", "pk"))
    assert [(e.actor, e.action) for e in events] == [(None, "flagged"), (mod, "approve")]
    alices = Cameo.objects.get(owner__username="alice")
    assert events[0].detail["matched_cameo"] == alices.pk and events[0].detail["owner"] == "bob"
    events[1].action = "take_down"
    with pytest.raises(ValueError, match="append-only"):
        events[1].save()
    assert ModerationEvent.objects.get(pk=events[1].pk).action == "approve"


def test_an_unregistered_subject_is_shown_by_summary_and_closed_on_decision(mod: User, alice: User) -> None:
    # A subject type nobody registered (no app answers for "cameo_use" reports yet).
    assert subject_type_get("cameo_use") is None
    case = case_open(
        subject_type="cameo_use",
        subject_id="video_abc",
        category=ModerationCase.Category.LIKENESS_WITHOUT_CONSENT,
        summary="@alice reports @bob's video with cameo @alice",
        actor=alice,
        action="reported",
        detail={"note": "I never allowed this"},
    )
    client = client_for(mod)
    page = client.get(reverse("moderation_queue")).content.decode()
    assert "@alice reports @bob&#x27;s video with cameo @alice" in page
    assert "Reported by @alice" in page and "· I never allowed this" in page
    assert "Close case" in page and "Approve cameo" not in page
    client.post(decide_url(case), {"action": "approve"})
    case.refresh_from_db()
    assert case.status == "closed"
    assert [(e.actor, e.action) for e in case.events.order_by("created_at", "pk")] == [
        (alice, "reported"),
        (mod, "approve"),
    ]


def test_the_cameo_subject_type_is_registered_by_cameos() -> None:
    subject_type = subject_type_get("cameo")
    assert subject_type is not None
    assert subject_type.show is cameo_recording.cameo_review_decide
    assert subject_type.template == "cameos/_moderation_subject.html"


def test_the_public_figure_registry_has_its_own_moderator_page(mod: User) -> None:
    client = client_for(mod)
    page = client.get(reverse("public_figures")).content.decode()
    assert "Add a public figure" in page and "None yet." in page
    assert reverse("moderation_queue") in page
    response = client.post(reverse("public_figures"), {"name": " ", "notes": "x"})
    assert response.status_code == 400 and 'data-error-code="figure_name_missing"' in response.content.decode()
