"""Who may ask for a video: one check (`generation.services.job_create_check`) met by every door that
makes a job, a retry included (a retry is a new request), and the worker's re-check of a remix's source."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from cameos.models import Cameo
from cameos.services import access
from feed.graph.services import block_create
from feed.models import Post, User
from feed.posts.services import post_take_down
from generation import services, worker
from generation.models import GenerationJob
from moderation.cases import case_act
from moderation.reports import report_create
from sora_site.errors import DomainError
from tests.builders.cameos import active_cameo
from tests.generation.test_job_create import create, finished
from tests.moderation.test_queue import client_for


def sanction(user: User, *, action: str, reporter: User, mod: User) -> None:
    """A moderator suspends (3 days) or bans `user` from a report of their profile."""
    case = report_create(reporter=reporter, subject_type="profile", subject_id=str(user.pk), category="spam")
    days = {"days": 3} if action == "suspend" else {}
    case_act(case_id=case.case_id, by=mod, action=action, reason="spam accounts", **days)


@pytest.fixture
def alices_post(alice: User) -> Post:
    """A public post of alice's finished video: anyone who may see it may remix it."""
    return Post.objects.create(author=alice, job=finished(create(alice)), video="x.mp4", visibility="public")


@pytest.fixture
def cancelled_remix(alices_post: Post, charlie: User) -> GenerationJob:
    assert alices_post.job is not None
    remix = create(charlie, prompt="the fox, now in rain", remix_of=alices_post.job)
    return services.job_cancel(job=remix, by=charlie)


SOURCE_WITHDRAWN: dict[str, Callable[[Post, User], object]] = {
    "made private": lambda post, _: Post.objects.filter(pk=post.pk).update(visibility="private"),
    "its author blocked the remixer": lambda post, remixer: block_create(blocker=post.author, blocked=remixer),
    "taken down": lambda post, _: post_take_down(post=post, reason="Removed by a moderator"),
}


@pytest.mark.parametrize("withdraw", SOURCE_WITHDRAWN.values(), ids=SOURCE_WITHDRAWN.keys())
def test_retrying_a_remix_meets_the_remix_check_again(
    withdraw: Callable[[Post, User], object], alices_post: Post, cancelled_remix: GenerationJob, charlie: User
) -> None:
    withdraw(alices_post, charlie)
    response = client_for(charlie).post(reverse("job_retry", args=[cancelled_remix.public_id]))
    assert response.status_code == 404
    assert "You can only remix public posts or your own videos." in response.content.decode()
    assert GenerationJob.objects.filter(owner=charlie).count() == 1  # nothing queued


def test_a_remix_whose_source_is_withdrawn_while_queued_fails_on_the_worker(
    alices_post: Post, alice: User, charlie: User
) -> None:
    assert alices_post.job is not None
    remix = create(charlie, prompt="the fox, now in rain", remix_of=alices_post.job)
    block_create(blocker=alice, blocked=charlie)
    worker.job_execute(remix.pk)
    remix.refresh_from_db()
    assert (remix.state, remix.error_code) == ("failed", "remix_not_allowed")


@pytest.mark.parametrize(("action", "code"), [("suspend", "account_suspended"), ("ban", "account_banned")])
def test_suspended_and_banned_accounts_cannot_retry(action: str, code: str, alice: User, bob: User, mod: User) -> None:
    job = services.job_cancel(job=create(alice), by=alice)
    sanction(alice, action=action, reporter=bob, mod=mod)
    response = client_for(alice).post(reverse("job_retry", args=[job.public_id]), HTTP_ACCEPT="application/json")
    assert (response.status_code, response.json()["error"]["code"]) == (403, code)
    assert GenerationJob.objects.filter(owner=alice).count() == 1


def test_a_retry_still_needs_consent_to_the_cameos_the_api_asked_for_by_name(alice: User, bob: User) -> None:
    """The API's `characters` may be named in the prompt without an @: the retry asks for the same
    cameos (from the first job's ledger) and meets their consent check again."""
    cameo = active_cameo(alice, access=Cameo.Access.APPROVED)
    access.cameo_approve_access(cameo=cameo, by=alice, user=bob)
    job = services.job_cancel(job=create(bob, prompt="a fox meets her", cameo_handles=["alice"]), by=bob)
    access.cameo_revoke_access(cameo=cameo, by=alice, user=bob)
    with pytest.raises(DomainError) as error:
        services.job_retry(job=job, by=bob)
    assert error.value.code == "cameo_permission_denied"


def test_an_author_cannot_remix_their_own_video_while_a_moderator_holds_or_removed_its_post(
    alices_post: Post, alice: User
) -> None:
    assert alices_post.job is not None
    post_take_down(post=alices_post, reason="Removed by a moderator: hateful caption")
    with pytest.raises(DomainError) as error:
        create(alice, prompt="the same fox, again", remix_of=alices_post.job)
    assert (error.value.code, error.value.status) == ("remix_not_allowed", 403)
    assert "in review or taken down" in error.value.message
    Post.objects.filter(pk=alices_post.pk).update(taken_down_at=None, taken_down_reason="")
    create(alice, prompt="the same fox, again", remix_of=alices_post.job)  # back up: theirs to remix
