"""One decision path: the queue's quick buttons ("Keep", "Take down") are `case_act`'s approve and
take_down, the same function as the case page's actions; take_down settles the case as removed with
no sanction on the owner (remove adds one). A post whose files were erased for consent is removed
through that path like any other, and cannot be approved back."""

from __future__ import annotations

from django.urls import reverse

from cameos.models import Cameo
from cameos.services import ledger as cameo_ledger
from feed.models import Post, User
from feed.notifications.models import Notification
from generation.models import GenerationJob
from moderation.cases import case_act, case_open
from moderation.models import ModerationCase, ModerationEvent, Sanction
from moderation.reports import report_create
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_make, post_published
from tests.cameos.test_cameo_lifecycle import as_draft, job_with
from tests.moderation.test_queue import client_for


def erased_post_reported(alice: User, bob: User, charlie: User) -> tuple[Post, ModerationCase]:
    """Bob's post of alice's cameo (held at publish), reported by charlie, then erased: alice deleted her cameo."""
    cameo = active_cameo(alice, access=Cameo.Access.EVERYONE)
    post = post_published(job=as_draft(job_with(bob, "@alice waves from a boat")), by=bob)
    case = report_create(reporter=charlie, subject_type="post", subject_id=str(post.pk), category="spam").case
    cameo_ledger.cameo_delete(cameo=cameo, by=alice)
    post.refresh_from_db()
    assert post.video.name == "" and post.taken_down_at is not None
    return post, case


def events(case: ModerationCase) -> list[str]:
    return list(ModerationEvent.objects.filter(case=case).order_by("pk").values_list("action", flat=True))


def test_the_queue_buttons_post_to_the_one_action_path(alice: User, bob: User, mod: User) -> None:
    post = post_make(alice, "a kite over the dunes")
    case = report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="spam").case
    page = client_for(mod).get(reverse("moderation_queue")).content.decode()
    act_url = reverse("moderation_case_act", args=[case.pk])
    assert f'action="{act_url}"' in page
    assert 'name="action" value="approve"' in page and 'name="action" value="take_down"' in page
    assert "Keep post" in page and "Take down" in page


def test_take_down_removes_and_settles_without_a_sanction(alice: User, bob: User, mod: User) -> None:
    post = post_make(alice, "a kite over the dunes")
    case = report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="spam").case
    response = client_for(mod).post(reverse("moderation_case_act", args=[case.pk]), {"action": "take_down"})
    assert response.status_code == 302 and response["Location"] == reverse("moderation_queue")
    post.refresh_from_db()
    case.refresh_from_db()
    assert post.taken_down_at is not None and post.taken_down_reason == "Removed by a moderator"
    assert (case.status, case.visibility) == ("closed", "removed") and case.reports.filter(
        resolved_at=None
    ).count() == 0
    assert events(case) == ["reported", "take_down"]
    assert not Sanction.objects.exists() and not Notification.objects.filter(kind="moderation_action").exists()


def test_a_take_down_with_a_reason_shows_it_to_the_author(alice: User, bob: User, mod: User) -> None:
    post = post_make(alice, "a kite over the dunes")
    case = report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="spam").case
    case_act(case_id=case.pk, by=mod, action="take_down", reason="scam link")
    post.refresh_from_db()
    assert post.taken_down_reason == "Removed by a moderator: scam link" and not Sanction.objects.exists()


def test_an_erased_post_is_taken_down_from_the_queue(alice: User, bob: User, charlie: User, mod: User) -> None:
    post, case = erased_post_reported(alice, bob, charlie)
    response = client_for(mod).post(reverse("moderation_case_act", args=[case.pk]), {"action": "take_down"})
    assert response.status_code == 302
    post.refresh_from_db()
    case.refresh_from_db()
    assert post.taken_down_at is not None and post.taken_down_reason == "Removed by a moderator"
    assert (case.status, case.visibility) == ("closed", "removed") and events(case)[-1] == "take_down"


def test_an_erased_post_is_removed_with_a_sanction(alice: User, bob: User, charlie: User, mod: User) -> None:
    post, case = erased_post_reported(alice, bob, charlie)
    case_act(case_id=case.pk, by=mod, action="remove", reason="spam")
    case.refresh_from_db()
    assert (case.status, case.visibility) == ("closed", "removed") and events(case)[-1] == "remove"
    assert Sanction.objects.get().user == bob
    assert Notification.objects.filter(recipient=bob, kind="moderation_action").count() == 1


def test_an_erased_post_cannot_be_kept(alice: User, bob: User, charlie: User, mod: User) -> None:
    # "Keep" would show the post again, but its files are gone: refused on the case page, nothing changes.
    post, case = erased_post_reported(alice, bob, charlie)
    before = events(case)
    response = client_for(mod).post(reverse("moderation_case_act", args=[case.pk]), {"action": "approve"})
    assert response.status_code == 400 and 'data-error-code="post_media_erased"' in response.content.decode()
    post.refresh_from_db()
    case.refresh_from_db()
    assert post.taken_down_at is not None and case.status == "open" and events(case) == before


def test_take_down_on_a_job_deletes_the_draft_and_approve_keeps_it(alice: User, bob: User, mod: User) -> None:
    kept, removed = as_draft(job_with(bob, "a quiet harbour at dawn")), as_draft(job_with(bob, "gulls over a pier"))
    cases = {
        job.pk: case_open(
            subject_type="job",
            subject_id=str(job.pk),
            category=ModerationCase.Category.LIKENESS_WITHOUT_CONSENT,
            summary="@alice reports a video",
            actor=alice,
            action="reported",
        )
        for job in (kept, removed)
    }
    client = client_for(mod)
    client.post(reverse("moderation_case_act", args=[cases[kept.pk].pk]), {"action": "approve"})
    client.post(reverse("moderation_case_act", args=[cases[removed.pk].pk]), {"action": "take_down"})
    assert (
        GenerationJob.objects.filter(pk=kept.pk).exists() and not GenerationJob.objects.filter(pk=removed.pk).exists()
    )
    for job, visibility in ((kept, "visible"), (removed, "removed")):
        case = ModerationCase.objects.get(pk=cases[job.pk].pk)
        assert (case.status, case.visibility) == ("closed", visibility)
    assert not Sanction.objects.exists()


def test_take_down_on_a_profile_hides_it_and_keep_shows_it_again(alice: User, bob: User, mod: User) -> None:
    client = client_for(mod)
    case = report_create(reporter=bob, subject_type="profile", subject_id=str(alice.pk), category="spam").case
    client.post(reverse("moderation_case_act", args=[case.pk]), {"action": "take_down"})
    alice.refresh_from_db()
    assert alice.profile_hidden_at is not None and alice.profile_hidden_reason == "Removed by a moderator"
    again = report_create(reporter=bob, subject_type="profile", subject_id=str(alice.pk), category="spam").case
    assert again.visibility == "removed"  # a new case starts where the last one left the subject
    client.post(reverse("moderation_case_act", args=[again.pk]), {"action": "approve"})
    alice.refresh_from_db()
    assert alice.profile_hidden_at is None and not Sanction.objects.exists()
