"""Who may use a cameo, on every path: prompt, storyboard, remix, and again on the worker.

alice owns the cameo; bob gets approved; charlie is a stranger; tess is 15. On-commit hooks never run
here (each test's transaction is rolled back), so nothing reaches a worker.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cameos import selectors
from cameos.models import Cameo, CameoAccess, CameoUsage
from cameos.services import access
from feed.graph import services as graph_services
from feed.models import Notification, Post, User
from generation import services as generation_services
from generation import worker
from generation.models import GenerationJob
from sora_site.errors import DomainError
from tests.builders.cameos import active_cameo
from tests.conftest import PASSWORD, make_user
from tests.generation.test_who_may_create import sanction


def create(owner: User, prompt: str = "@alice skates through a neon city", **fields: Any) -> GenerationJob:
    job, _ = generation_services.job_create(owner=owner, prompt=prompt, **fields)
    return job


def refused(code: str, owner: User, **fields: Any) -> DomainError:
    before = GenerationJob.objects.filter(owner=owner).count()
    with pytest.raises(DomainError) as error:
        create(owner, **fields)
    assert error.value.code == code, error.value
    assert GenerationJob.objects.filter(owner=owner).count() == before  # nothing queued
    return error.value


def mutuals(a: User, b: User) -> None:
    graph_services.follow_create(follower=a, followee=b)
    graph_services.follow_create(follower=b, followee=a)


def client_for(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def cameo(alice: User) -> Cameo:
    return active_cameo(alice, access=Cameo.Access.APPROVED, preferences="always wears a red scarf")


@pytest.fixture
def approved_bob(cameo: Cameo, alice: User, bob: User) -> User:
    access.cameo_approve_access(cameo=cameo, by=alice, user=bob)
    return bob


# --- "people I approve" -------------------------------------------------------------------------


def test_the_owner_and_approved_people_may_use_it_and_the_ledger_records_it(cameo, alice, approved_bob) -> None:
    own = create(alice)
    theirs = create(approved_bob)
    assert list(CameoUsage.objects.filter(cameo=cameo).values_list("job", flat=True).order_by("job")) == [
        own.pk,
        theirs.pk,
    ]
    # alice hears about bob's use, not about her own.
    assert list(Notification.objects.filter(recipient=alice).values_list("text", flat=True)) == [
        "@bob is making a video with your cameo @alice."
    ]


def test_a_stranger_is_refused_in_a_prompt(cameo, charlie) -> None:
    error = refused("cameo_permission_denied", charlie)
    assert error.message == "@alice only lets people they approve use their cameo. Ask them for access."


def test_a_stranger_is_refused_in_any_storyboard_shot(cameo, charlie) -> None:
    shots = [{"prompt": "a quiet street at dawn", "seconds": 3}, {"prompt": "@alice waves from a window", "seconds": 3}]
    refused("cameo_permission_denied", charlie, shots=shots)


def test_a_stranger_is_refused_when_remixing_a_post_that_shows_the_cameo(cameo, alice, charlie) -> None:
    job = create(alice)
    GenerationJob.objects.filter(pk=job.pk).update(state="completed")
    job.refresh_from_db()
    post = Post.objects.create(author=alice, job=job, video="posts/x.mp4", prompt=job.prompt)
    # The new prompt does not mention @alice: the parent's cameo still comes along, and is checked.
    refused("cameo_permission_denied", charlie, prompt="make it snow", remix_of=post.job)


def test_remixing_my_own_draft_carries_its_cameos(cameo, alice, approved_bob) -> None:
    draft = create(approved_bob)
    GenerationJob.objects.filter(pk=draft.pk).update(state="completed")
    draft.refresh_from_db()
    remix = create(approved_bob, prompt="now at night", remix_of=draft)
    assert selectors.cameos_of_job(remix.pk) == [cameo]


def test_unknown_mentions_stay_plain_text(alice, charlie) -> None:
    job = create(charlie, prompt="a postcard from @nobody_here and @alice")  # alice has no cameo
    assert not CameoUsage.objects.filter(job=job).exists()


def test_at_most_two_cameos_per_video(cameo, alice, bob, charlie) -> None:
    active_cameo(bob, access=Cameo.Access.EVERYONE)
    active_cameo(charlie, access=Cameo.Access.EVERYONE)
    error = refused("too_many_cameos", alice, prompt="@alice, @bob and @charlie have a picnic")
    assert "at most 2 cameos" in error.message


# --- levels, blocks, revocation, pause ----------------------------------------------------------


def test_only_me_refuses_even_approved_people(cameo, alice, approved_bob) -> None:
    access.cameo_settings_update(cameo=cameo, by=alice, access="only_me", preferences="", restrictions_text="")
    refused("cameo_permission_denied", approved_bob)


def test_mutuals_level(cameo, alice, bob, charlie) -> None:
    access.cameo_settings_update(cameo=cameo, by=alice, access="mutuals", preferences="", restrictions_text="")
    mutuals(alice, bob)
    graph_services.follow_create(follower=charlie, followee=alice)  # one way only
    create(bob)
    refused("cameo_permission_denied", charlie)


def test_a_block_wins_over_everyone(cameo, alice, charlie) -> None:
    access.cameo_settings_update(cameo=cameo, by=alice, access="everyone", preferences="", restrictions_text="")
    create(charlie)
    graph_services.block_create(blocker=charlie, blocked=alice)  # either side blocking is enough
    refused("cameo_permission_denied", charlie)


def test_a_revoked_person_stays_refused_at_every_level(cameo, alice, approved_bob) -> None:
    access.cameo_settings_update(cameo=cameo, by=alice, access="everyone", preferences="", restrictions_text="")
    access.cameo_revoke_access(cameo=cameo, by=alice, user=approved_bob)
    refused("cameo_permission_denied", approved_bob)


def test_a_paused_cameo_is_refused_to_others_but_not_its_owner(cameo, alice, approved_bob) -> None:
    access.cameo_pause(cameo=cameo, by=alice, paused=True)
    refused("cameo_permission_denied", approved_bob)
    create(alice)


def test_revoking_fails_queued_jobs_at_once(cameo, alice, approved_bob) -> None:
    job = create(approved_bob)
    access.cameo_revoke_access(cameo=cameo, by=alice, user=approved_bob)
    job.refresh_from_db()
    assert (job.state, job.error_code, job.charged_seconds) == ("failed", "cameo_permission_revoked", 0)


def test_the_worker_checks_again_before_generating(cameo, alice, approved_bob) -> None:
    job = create(approved_bob)
    graph_services.block_create(blocker=alice, blocked=approved_bob)  # withdrawn without touching the job
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert (job.state, job.error_code) == ("failed", "cameo_permission_revoked")
    assert "withdrew permission" in job.error_message


def test_a_retry_is_checked_and_recorded_like_a_new_job(cameo, alice, approved_bob) -> None:
    job = create(approved_bob)
    generation_services.job_cancel(job=job, by=approved_bob)
    retry = generation_services.job_retry(job=job, by=approved_bob)
    assert CameoUsage.objects.filter(cameo=cameo, job=retry).exists()
    generation_services.job_cancel(job=retry, by=approved_bob)
    access.cameo_revoke_access(cameo=cameo, by=alice, user=approved_bob)
    with pytest.raises(DomainError) as error:
        generation_services.job_retry(job=retry, by=approved_bob)
    assert error.value.code == "cameo_permission_denied"


# --- teens ----------------------------------------------------------------------------------------


def test_a_teens_cameo_is_never_used_by_a_non_mutual_adult(teen, bob) -> None:
    cameo = active_cameo(teen, access=Cameo.Access.MUTUALS)
    Cameo.objects.filter(pk=cameo.pk).update(access=Cameo.Access.EVERYONE)  # even if the row says everyone
    refused("cameo_permission_denied", bob, prompt="@tess rides a bike")
    CameoAccess.objects.create(cameo=cameo, user=bob, state=CameoAccess.State.APPROVED)
    refused("cameo_permission_denied", bob, prompt="@tess rides a bike")  # approval is not enough either
    mutuals(teen, bob)
    create(bob, prompt="@tess rides a bike")


def test_only_a_teens_mutuals_may_ask_for_their_cameo_and_the_teen_hears_of_nobody_else(teen, bob, charlie) -> None:
    active_cameo(teen, access=Cameo.Access.APPROVED)
    mutuals(teen, bob)
    response = client_for(charlie).post(reverse("cameo_request_access", args=["tess"]), HTTP_ACCEPT="application/json")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "cameo_request_not_allowed")
    assert not CameoAccess.objects.filter(user=charlie).exists()
    assert not Notification.objects.filter(recipient=teen, kind="cameo_access_requested").exists()
    assert client_for(bob).post(reverse("cameo_request_access", args=["tess"])).status_code == 302
    asked = Notification.objects.get(recipient=teen, kind="cameo_access_requested")
    assert asked.text == "@bob asked to use your cameo @tess."


def test_a_teen_cannot_open_their_cameo_to_everyone(teen) -> None:
    cameo = active_cameo(teen, access=Cameo.Access.ONLY_ME)
    notices = access.cameo_settings_update(
        cameo=cameo, by=teen, access="everyone", preferences="", restrictions_text=""
    )
    cameo.refresh_from_db()
    assert cameo.access == "mutuals"
    assert "mutual followers at most" in notices[0]


# --- restrictions and preferences -------------------------------------------------------------------


def test_restrictions_refuse_a_prompt_in_the_owners_words(cameo, alice, approved_bob) -> None:
    access.cameo_settings_update(
        cameo=cameo, by=alice, access="approved", preferences="", restrictions_text="nothing political; never shirtless"
    )
    error = refused("cameo_restriction", approved_bob, prompt="@alice campaigns for president at a rally")
    assert error.message == (
        "@alice doesn't allow their cameo in this kind of video: “nothing political”. Change the prompt."
    )
    refused("cameo_restriction", approved_bob, prompt="@alice on the beach, topless")
    create(alice, prompt="@alice campaigns for president")  # the owner's own rules don't bind the owner


def test_preferences_and_portraits_reach_the_backend(cameo, approved_bob) -> None:
    job = create(approved_bob, prompt='@alice says "hello there"')
    with contextlib.ExitStack() as files:
        request = worker.job_request_build(job, files)
    assert request.prompt.endswith("@alice: always wears a red scarf")
    (reference,) = request.cameos
    assert (reference.handle, reference.is_human, reference.voice.pitch_hz) == ("alice", True, 180.0)
    assert reference.portraits[0].mode == "RGB" and reference.portraits[0].size == (256, 256)


# --- pages --------------------------------------------------------------------------------------


def test_autocomplete_lists_only_cameos_i_may_use(cameo, alice, bob, charlie) -> None:
    active_cameo(bob, access=Cameo.Access.EVERYONE)
    response = client_for(charlie).get(reverse("cameo_mentions"), {"q": ""})
    assert [r["handle"] for r in response.json()["results"]] == ["bob"]
    response = client_for(alice).get(reverse("cameo_mentions"), {"q": "al"})
    assert [r["handle"] for r in response.json()["results"]] == ["alice"]


def test_asking_for_access_then_approval_from_the_page(cameo, alice, bob) -> None:
    page = client_for(bob).get(reverse("cameo_detail", args=["alice"]))
    assert b"Ask for access" in page.content
    client_for(bob).post(reverse("cameo_request_access", args=["alice"]))
    assert Notification.objects.get(recipient=alice).text == "@bob asked to use your cameo @alice."
    owner = client_for(alice)
    assert b"Asking for access" in owner.get(reverse("cameo_detail", args=["alice"])).content
    owner.post(reverse("cameo_access", args=["alice", "bob", "approve"]))
    assert selectors.may_use(bob, cameo)


@pytest.mark.parametrize(("action", "code"), [("suspend", "account_suspended"), ("ban", "account_banned")])
def test_suspended_and_banned_accounts_cannot_ask_for_access(cameo, alice, bob, charlie, mod, action, code) -> None:
    sanction(charlie, action=action, reporter=bob, mod=mod)
    standing = selectors.cameo_standing(charlie, cameo)
    assert standing.state == "not_available" and "spam accounts" in standing.reason  # no button: why instead
    response = client_for(charlie).post(reverse("cameo_request_access", args=["alice"]), HTTP_ACCEPT="application/json")
    assert (response.status_code, response.json()["error"]["code"]) == (403, code)
    assert not CameoAccess.objects.filter(user=charlie).exists()
    assert not Notification.objects.filter(recipient=alice, kind="cameo_access_requested").exists()


@pytest.mark.parametrize("level", [Cameo.Access.ONLY_ME, Cameo.Access.MUTUALS, Cameo.Access.EVERYONE])
def test_only_the_approved_level_takes_requests(cameo, alice, charlie, level) -> None:
    """At any other level an approval changes nothing, so a request would only bother the owner."""
    Cameo.objects.filter(pk=cameo.pk).update(access=level)
    cameo.refresh_from_db()
    with pytest.raises(DomainError) as error:
        access.cameo_request_access(cameo=cameo, by=charlie)
    assert error.value.code == "cameo_request_not_allowed"
    assert not Notification.objects.filter(recipient=alice, kind="cameo_access_requested").exists()


def test_portraits_are_for_the_owner_and_moderators_only(cameo, alice, charlie, mod) -> None:
    url = reverse("cameo_portrait", args=["alice", cameo.portraits.get().pk])
    assert client_for(alice).get(url).status_code == 200
    assert client_for(mod).get(url).status_code == 200
    assert client_for(charlie).get(url).status_code == 404
    # The management page (with biometrics) is the owner's; others get the public card.
    assert b"Portrait 1" not in client_for(charlie).get(reverse("cameo_detail", args=["alice"])).content


def test_dashboard_and_owner_page_render(cameo, alice, approved_bob) -> None:
    create(approved_bob)
    owner = client_for(alice)
    assert b"@bob is making a video with your cameo @alice." in owner.get(reverse("cameos")).content
    page = owner.get(reverse("cameo_detail", args=["alice"])).content.decode()
    assert "skates through a neon city" in page and "@bob" in page and "Revoke @bob" in page


def test_a_teens_cameo_page_and_level_form(db) -> None:
    teen = make_user("tina", age=14)
    active_cameo(teen, access=Cameo.Access.MUTUALS)
    page = client_for(teen).get(reverse("cameo_detail", args=["tina"])).content
    assert b"mutual followers at most" in page


def test_an_approved_person_is_told_once_in_their_inbox(cameo, alice, bob) -> None:
    bob.language = "ja"
    bob.save(update_fields=["language"])
    assert client_for(bob).post(reverse("cameo_request_access", args=[cameo.handle])).status_code == 302
    for _ in range(2):  # approving again (the owner clicks twice) tells nobody twice
        response = client_for(alice).post(reverse("cameo_access", args=[cameo.handle, "bob", "approve"]))
        assert response.status_code == 302
    told = Notification.objects.get(recipient=bob, kind="cameo_access_approved")
    assert told.text == f"@alice があなたを承認しました。動画でカメオ @{cameo.handle} を使えます。"
    assert told.actor == alice
    inbox = client_for(bob).get(reverse("inbox"), HTTP_ACCEPT_LANGUAGE="ja")
    assert told.text in inbox.content.decode()
