"""Stage 3, publish: a posted draft's stored video (real PyAV decode, real NudeNet) and its caption +
prompt (real MiniLM) are checked again at the feed's bars, after the commit.

A borderline video is made the way a video model could make it: the preview renderer's draft, marked
as not a preview, with its stored MP4 replaced by an H.264 encoding of a frame NudeNet reads as exposed
breasts at ~0.70 (over the feed bar 0.6, under the frames stage's refusal at 0.8).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from feed.graph.services import follow_create
from feed.models import Post, User
from feed.posts.selectors import post_get_for_viewer, posts_visible_to, profile_posts, remix_ancestors
from feed.posts.services import post_publish, post_publish_check, post_update
from feed.ranking.cursor import Cursor
from feed.ranking.pipeline import following_page, for_you_page
from generation import services, worker
from generation.models import GenerationJob
from moderation.cases import case_act
from moderation.models import ModerationCase
from sora_site import media
from sora_site.errors import DomainError
from sora_site.storage import local_path
from tests.builders.explicit_drawing import torso_in_frame
from tests.builders.posts import post_published

pytestmark = pytest.mark.slow

CommitCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def draft(
    owner: User, prompt: str = "a quiet harbour at dawn", *, remix_of: GenerationJob | None = None
) -> GenerationJob:
    job, _ = services.job_create(owner=owner, prompt=prompt, remix_of=remix_of)
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert job.state == "completed", job.error_message
    return job


def borderline_draft(owner: User) -> GenerationJob:
    """A draft as a video model could have made it (preview renders skip the frames' feed bars)."""
    job = draft(owner)
    with local_path(job.video.name, job.video.storage) as path:
        media.encode_mp4([torso_in_frame(0.8)] * 48, 12, None, 48_000, path)  # 4 s at 12 fps
    GenerationJob.objects.filter(pk=job.pk).update(is_preview=False)
    job.refresh_from_db()
    return job


def ids(items: list[Any]) -> list[int]:
    return [item.post.pk for item in items]


def test_a_new_post_is_in_review_until_its_check_runs_after_commit(
    alice: User, charlie: User, django_capture_on_commit_callbacks: CommitCallbacks
) -> None:
    job = draft(alice)
    with django_capture_on_commit_callbacks() as callbacks:
        post = post_publish(job=job, by=alice, caption="Kite day", visibility="public", show_prompt=True)
    # The check's task is sent once the post is committed.
    assert [c.__qualname__ for c in callbacks].count("post_publish.<locals>.<lambda>") == 1
    assert post.review == Post.Review.CHECKING
    assert post not in posts_visible_to(charlie) and post in profile_posts(alice, alice)
    with pytest.raises(DomainError) as error:
        post_get_for_viewer(post.pk, charlie)
    assert error.value.code == "post_not_found"

    checked = post_publish_check(post_id=post.pk)
    assert checked is not None and (checked.review, checked.teen_suitable) == (Post.Review.CLEAR, True)
    assert post_get_for_viewer(post.pk, charlie) == checked and checked in posts_visible_to(charlie)
    assert post_publish_check(post_id=post.pk) is None  # a second delivery changes nothing
    assert not ModerationCase.objects.filter(subject_type="post").exists()


def test_a_borderline_video_is_held_for_a_moderator_who_approves_it(alice: User, charlie: User, mod: User) -> None:
    post = post_published(job=borderline_draft(alice), by=alice, caption="Kite day")
    assert post.review == Post.Review.HELD and post.teen_suitable is False
    case = ModerationCase.objects.get(subject_type="post", subject_id=str(post.pk))
    assert (case.stage, case.category, case.visibility, case.status) == ("publish", "nudity", "hidden", "open")
    event = case.events.get()
    assert event.action == "held" and event.detail["scores"]["frames_best"] >= 0.6
    frames = list(case.frames.all())
    assert frames and frames[0].finding.startswith("FEMALE_BREAST_EXPOSED") and frames[0].image.name

    # Nobody but its creator sees it: not in feeds, profile, nor at its address.
    follow_create(follower=charlie, followee=alice)
    assert post.pk not in ids(for_you_page(charlie, Cursor()).items)
    assert post.pk not in ids(following_page(charlie, Cursor(tab="following")).items)
    client = Client()
    client.force_login(charlie)
    assert client.get(reverse("post_detail", args=[post.pk])).status_code == 404
    assert reverse("post_detail", args=[post.pk]) not in client.get(reverse("profile", args=["alice"])).content.decode()
    # Its creator sees it labelled "In review" on the post page, the profile and the drafts.
    client.force_login(alice)
    for url in (reverse("post_detail", args=[post.pk]), reverse("profile", args=["alice"]), reverse("jobs")):
        assert "In review" in client.get(url).content.decode(), url

    case_act(case_id=case.pk, by=mod, action="approve")
    post.refresh_from_db()
    assert (post.review, post.taken_down_at) == (Post.Review.CLEAR, None)
    assert post.teen_suitable is False  # approved for the feed, still not for teens
    assert post.pk in ids(following_page(charlie, Cursor(tab="following")).items)
    client.force_login(charlie)
    assert client.get(reverse("post_detail", args=[post.pk])).status_code == 200


def test_a_moderator_removes_a_held_post(alice: User, charlie: User, mod: User) -> None:
    post = post_published(job=borderline_draft(alice), by=alice)
    case = ModerationCase.objects.get(subject_type="post", subject_id=str(post.pk))
    case_act(case_id=case.pk, by=mod, action="remove", reason="Nudity")
    post.refresh_from_db()
    assert post.review == Post.Review.CLEAR and post.taken_down_reason == "Removed by a moderator: Nudity"
    with pytest.raises(DomainError) as error:
        post_get_for_viewer(post.pk, charlie)
    assert error.value.code == "post_taken_down"
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("post_detail", args=[post.pk])).content.decode()
    # Said once, by the moderator's action (with its appeal link), not again by the take-down line.
    assert "Removed by a moderator. Reason: Nudity" in page and "In review" not in page
    assert page.count("Nudity") == 1


def test_a_caption_near_the_policy_is_held(alice: User) -> None:
    # Under the caption's refusal bar, over the publish stage's review bar (graphic violence).
    post = post_published(job=draft(alice), by=alice, caption="a boxer with a bloody face after the round")
    assert post.review == Post.Review.HELD and not post.teen_suitable
    case = ModerationCase.objects.get(subject_type="post", subject_id=str(post.pk))
    assert (case.category, case.stage) == ("held_text", "publish")
    assert case.events.get().detail["category"] == "graphic_violence"


def test_a_teen_unsuitable_post_is_hidden_from_teens_on_every_surface(alice: User, bob: User, teen: User) -> None:
    scary = post_published(
        job=draft(alice), by=alice, caption="a scary film scene in a dark house with blood on the walls"
    )
    assert (scary.review, scary.teen_suitable) == (Post.Review.CLEAR, False)  # published, for adults
    calm = post_published(job=draft(alice, "a calm lake at noon"), by=alice, caption="Calm lake")
    assert calm.teen_suitable
    remix = post_published(job=draft(bob, "the same house in daylight", remix_of=scary.job), by=bob)
    assert remix.remix_of == scary and remix.teen_suitable

    follow_create(follower=teen, followee=alice)
    assert scary.pk not in ids(for_you_page(teen, Cursor()).items)
    assert ids(following_page(teen, Cursor(tab="following")).items) == [calm.pk]
    assert scary not in profile_posts(alice, teen) and calm in profile_posts(alice, teen)
    assert scary not in posts_visible_to(teen)
    with pytest.raises(DomainError) as error:
        post_get_for_viewer(scary.pk, teen)
    assert error.value.code == "post_not_for_teens"
    assert remix_ancestors(remix, teen) == []  # the remix chain stops before it
    # Adults get it everywhere.
    follow_create(follower=bob, followee=alice)
    assert scary.pk in ids(following_page(bob, Cursor(tab="following")).items)
    assert remix_ancestors(remix, bob) == [scary]


@pytest.mark.parametrize(
    "caption", ["a knife cutting a tomato", "a boxing match in a crowded arena", "a halloween party with costumes"]
)
def test_benign_look_alikes_are_published_for_everyone(alice: User, caption: str) -> None:
    post = post_published(job=draft(alice), by=alice, caption=caption)
    assert (post.review, post.teen_suitable) == (Post.Review.CLEAR, True)


def test_a_stored_video_that_cannot_be_read_is_held_not_published(alice: User) -> None:
    job = draft(alice)
    with local_path(job.video.name, job.video.storage) as path:
        path.write_bytes(b"not a video at all")
    GenerationJob.objects.filter(pk=job.pk).update(is_preview=False)
    job.refresh_from_db()
    post = post_published(job=job, by=alice, caption="Kite day")
    assert post.review == Post.Review.HELD
    case = ModerationCase.objects.get(subject_type="post", subject_id=str(post.pk))
    assert case.category == "unchecked" and "could not be decoded" in case.events.get().detail["reasons"][0]


def test_an_edited_caption_is_checked_again(alice: User) -> None:
    post = post_published(job=draft(alice), by=alice, caption="Kite day")
    assert post.review == Post.Review.CLEAR and post.taken_down_at is None
    with pytest.raises(DomainError) as refused:
        post_update(post=post, by=alice, caption="a naked woman on the beach", visibility="public")
    assert refused.value.code == "text_blocked"
    post.refresh_from_db()
    assert post.caption == "Kite day" and post.taken_down_at is None  # nothing changed
    # Under the caption's refusal bar, over the publish stage's review bar: held for a moderator again.
    post = post_update(post=post, by=alice, caption="a boxer with a bloody face after the round", visibility="public")
    assert post.review == Post.Review.HELD and post.taken_down_at is not None and not post.teen_suitable
    case = ModerationCase.objects.get(subject_type="post", subject_id=str(post.pk))
    assert (case.category, case.stage) == ("held_text", "publish")
