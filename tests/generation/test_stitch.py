"""Stitching drafts: one check (`generation.services.stitch_create_check`) for the form and a retry, the
worker's re-check, and one finishing pass over the joined video (real PyAV and C2PA)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cameos.models import Cameo
from cameos.services import access
from feed.models import Post, User
from feed.posts.selectors import post_get_for_viewer
from feed.posts.services import post_publish, post_publish_check, post_take_down
from generation import services, worker
from generation.audio import webvtt_read
from generation.models import GenerationJob
from generation.provenance.invisible import frames_decode
from generation.provenance.signing import COMPOSITE, manifest_read
from moderation.cases import case_act, case_open
from moderation.models import ModerationCase
from sora_site import media
from sora_site.errors import DomainError
from tests.builders.cameos import active_cameo
from tests.builders.finished_jobs import finished_job
from tests.moderation.test_prompt_stage import TURN


def draft(owner: User, prompt: str = "a red fox in snow", seconds: int = 4) -> GenerationJob:
    """A finished draft without rendering (a stored name, no file): the checks never read the video."""
    job, _ = services.job_create(owner=owner, prompt=prompt, seconds=seconds)
    GenerationJob.objects.filter(pk=job.pk).update(state="completed", video=f"drafts/{job.public_id}.mp4")
    job.refresh_from_db()
    return job


def parts(*jobs: GenerationJob, start: Any = 0, end: Any = 2) -> list[dict[str, Any]]:
    return [{"id": job.public_id, "start": start, "end": end} for job in jobs]


def refusal(owner: User, request: list[dict[str, Any]]) -> DomainError:
    with pytest.raises(DomainError) as error:
        services.stitch_create(owner=owner, parts=request)
    assert not GenerationJob.objects.filter(kind="stitch").exists()  # nothing queued, nothing charged
    return error.value


@pytest.mark.slow
def test_drafts_are_joined_trimmed_and_finished_once_as_a_new_video(alice: User) -> None:
    spoken = finished_job(alice, 'A robot waves at the camera. It says "hello there".')
    lake = finished_job(alice, "a lantern floating on a lake")
    assert spoken.subtitles
    request = [{"id": lake.public_id, "start": 1, "end": 3}, {"id": spoken.public_id, "start": 0.5, "end": 4}]
    stitch = services.stitch_create(owner=alice, parts=request)
    assert (stitch.kind, stitch.seconds, stitch.charged_seconds) == ("stitch", 6, 0)  # 5.5 s rounded up; no charge
    worker.job_execute(stitch.pk)
    stitch.refresh_from_db()
    assert stitch.state == "completed", stitch.error_message
    assert stitch.poster and stitch.spritesheet and stitch.sprite_layout["tiles"] > 1 and stitch.frame_hashes
    path = Path(stitch.video.path)
    probe = media.probe(path)
    assert abs(probe.duration_s - 5.5) < 0.2 and (probe.width, probe.height) == (720, 1280)
    assert probe.audio_codec == "aac"

    manifest = manifest_read(path)
    assert manifest.state == "Trusted", manifest.errors
    assert manifest.actions == ["c2pa.created", "c2pa.placed"] and manifest.digital_source_type == COMPOSITE
    assert manifest.generation["job"] == stitch.public_id
    assert manifest.generation["stitched_from"] == [lake.public_id, spoken.public_id]
    assert manifest.ingredients == [
        {"title": f"{source.public_id}.mp4", "relationship": "componentOf", "job": source.public_id}
        for source in (lake, spoken)
    ]
    # The drafts' own marks were taken out: the one mark a reader finds is the stitch's.
    assert frames_decode(media.decode_video(path, sample_fps=8, with_audio=False).frames) == stitch.pk
    # The spoken draft's line, moved by the 2 s of the lake before it and cut to its trim.
    with spoken.subtitles.open("rb") as handle:
        said = webvtt_read(handle.read().decode())
    with stitch.subtitles.open("rb") as handle:
        joined = webvtt_read(handle.read().decode())
    assert [cue.text for cue in joined] == [cue.text for cue in said if cue.end_s > 0.5]
    for before, after in zip([cue for cue in said if cue.end_s > 0.5], joined, strict=True):
        assert after.start_s == pytest.approx(2 + max(before.start_s, 0.5) - 0.5, abs=0.01)


def test_bad_picks_are_refused_with_what_to_fix(alice: User, bob: User) -> None:
    mine = [draft(alice) for _ in range(7)]
    assert refusal(alice, parts(mine[0])).code == "stitch_parts"
    assert refusal(alice, parts(*mine)).code == "stitch_parts"
    assert refusal(alice, []).code == "stitch_parts"
    error = refusal(alice, parts(mine[0], draft(bob)))  # someone else's is as good as missing
    assert (error.code, error.status) == ("stitch_source_not_found", 404)
    missing = {"id": "video_nope", "start": 0, "end": 1}
    assert refusal(alice, [*parts(mine[0]), missing]).code == "stitch_source_not_found"
    running, _ = services.job_create(owner=alice, prompt="a kite", seconds=4)
    assert refusal(alice, parts(mine[0], running)).code == "stitch_source_not_ready"
    for start, end in [(3, 2), (-1, 2), (0, 0.2), ("soon", 2), (0, "nan"), (None, 1)]:
        error = refusal(alice, parts(mine[0], mine[1], start=start, end=end))
        assert (error.code, error.field) == ("stitch_trim", "part-1")
    error = refusal(alice, parts(mine[0]) + parts(mine[1], end=4.5))  # past the end of a 4 s draft
    assert (error.code, error.field) == ("stitch_trim", "part-2") and "4 s" in error.message
    twelve = [draft(alice, seconds=12) for _ in range(6)]
    assert refusal(alice, parts(*twelve, end=12)).code == "stitch_too_long"  # 72 s


def test_a_draft_withheld_or_removed_cannot_be_stitched(alice: User) -> None:
    first, second = draft(alice), draft(alice)
    post = Post.objects.create(author=alice, job=second, video=second.video.name, visibility="public")
    post_take_down(post=post, reason="Removed by a moderator: spam")
    error = refusal(alice, parts(first, second))
    assert (error.code, error.status) == ("stitch_source_withheld", 403)
    GenerationJob.objects.filter(pk=second.pk).update(video="")
    Post.objects.filter(pk=post.pk).delete()
    assert refusal(alice, parts(first, second)).code == "stitch_source_removed"


def test_every_cameo_in_any_draft_must_still_allow_the_stitcher(alice: User, bob: User, charlie: User) -> None:
    cameo = active_cameo(bob, access=Cameo.Access.APPROVED)
    access.cameo_approve_access(cameo=cameo, by=bob, user=alice)
    plain, with_bob = draft(alice), draft(alice, "@bob juggling oranges in the park")
    stitch = services.stitch_create(owner=alice, parts=parts(plain, with_bob))
    assert list(stitch.cameo_usages.values_list("cameo__handle", flat=True)) == ["bob"]  # its own ledger row
    # Charlie can't pass alice's drafts off as his.
    assert refusal_by(charlie, parts(plain, with_bob)).code == "stitch_source_not_found"

    # Bob revokes alice: the queued stitch stops at once and a new one is refused, saying why.
    access.cameo_revoke_access(cameo=cameo, by=bob, user=alice)
    stitch.refresh_from_db()
    assert (stitch.state, stitch.error_code) == ("failed", "cameo_permission_revoked")
    GenerationJob.objects.filter(pk=stitch.pk).delete()
    error = refusal(alice, parts(plain, with_bob))
    assert error.code == "cameo_permission_denied" and "@bob has not allowed you" in error.message


def refusal_by(owner: User, request: list[dict[str, Any]]) -> DomainError:
    with pytest.raises(DomainError) as error:
        services.stitch_create(owner=owner, parts=request)
    return error.value


def test_the_drafts_prompts_are_judged_together(alice: User) -> None:
    drafts = [draft(alice, prompt) for prompt in TURN]  # each allowed alone
    error = refusal(alice, parts(*drafts))
    assert (error.code, error.field) == ("prompt_blocked", "part-1") and "texts together" in error.message


def test_a_stitch_costs_no_seconds_but_counts_as_a_job_in_progress(alice: User, settings) -> None:
    first, second = draft(alice, seconds=12), draft(alice, seconds=12)
    settings.GENERATION_DAILY_SECONDS = 24  # all used by the two drafts
    stitch = services.stitch_create(owner=alice, parts=parts(first, second, end=12))
    assert stitch.charged_seconds == 0
    settings.GENERATION_MAX_CONCURRENT = 1
    assert refusal_by(alice, parts(first, second)).code == "too_many_active_jobs"


def test_a_failed_stitch_is_retried_with_the_same_drafts_checked_again(alice: User) -> None:
    first, second = draft(alice), draft(alice)
    stitch = services.stitch_create(owner=alice, parts=parts(second, first, start=0.5, end=3))
    worker.job_execute(stitch.pk)  # the drafts have no files: it fails, and says so
    stitch.refresh_from_db()
    assert stitch.state == "failed" and stitch.error_message
    again = services.job_retry(job=stitch, by=alice)
    assert again.is_stitch and [(p.source_id, p.start_s, p.end_s) for p in again.stitch_parts.all()] == [
        (second.pk, 0.5, 3),
        (first.pk, 0.5, 3),
    ]
    GenerationJob.objects.filter(pk=again.pk).update(state="failed")
    again.refresh_from_db()
    services.job_delete(job=first, by=alice)
    with pytest.raises(DomainError) as error:
        services.job_retry(job=again, by=alice)
    assert error.value.code == "stitch_source_not_found"


def test_the_stitch_form_keeps_the_picks_on_a_refusal_in_japanese(client: Client, alice: User) -> None:
    first = draft(alice, "a paper boat")
    alice.language = "ja"
    alice.save(update_fields=["language"])
    client.force_login(alice)
    page = client.post(reverse("stitch"), {"part": [first.public_id], f"start-{first.public_id}": "1"})
    html = page.content.decode()
    assert page.status_code == 400
    assert "つなげる下書きを2〜6本選んでください（いま1本）" in html
    assert f'value="{first.public_id}" checked' in html and 'value="1"' in html
    second = draft(alice, "a kite")
    data = {"part": [second.public_id, first.public_id]}
    for job, end in ((second, "3"), (first, "4")):
        data |= {f"start-{job.public_id}": "0", f"end-{job.public_id}": end}
    response = client.post(reverse("stitch"), data)
    assert response.status_code == 302
    stitch = GenerationJob.objects.get(kind="stitch")
    assert [p.source_id for p in stitch.stitch_parts.all()] == [second.pk, first.pk]
    assert stitch.prompt == "a kite / a paper boat"


def test_a_draft_deleted_while_the_stitch_waits_fails_it_in_the_owners_words(alice: User) -> None:
    first, second = draft(alice), draft(alice)
    stitch = services.stitch_create(owner=alice, parts=parts(first, second))
    services.job_delete(job=second, by=alice)
    worker.job_execute(stitch.pk)  # the worker checks each draft again before reading it
    stitch.refresh_from_db()
    assert (stitch.state, stitch.error_code, stitch.charged_seconds) == ("failed", "stitch_source_not_found", 0)
    assert "not one of your drafts" in stitch.error_message
    with translation.override("ja"):
        assert "あなたの下書きではなくなったもの" in stitch.error_text


def test_a_moderator_removing_a_draft_removes_the_stitches_that_show_it(alice: User, mod: User) -> None:
    removed, kept = draft(alice, "gulls over a pier"), draft(alice, "a quiet harbour at dawn")
    stitch = services.stitch_create(owner=alice, parts=parts(removed, kept))
    other = services.stitch_create(owner=alice, parts=parts(kept, draft(alice)))
    GenerationJob.objects.filter(pk__in=[stitch.pk, other.pk]).update(state="completed", video="drafts/stitch.mp4")
    stitch_of_stitch = services.stitch_create(owner=alice, parts=parts(kept, stitch))
    case = case_open(
        subject_type="job",
        subject_id=str(removed.pk),
        category=ModerationCase.Category.LIKENESS_WITHOUT_CONSENT,
        summary="a report",
        actor=mod,
        action="reported",
    )
    case_act(case_id=case.pk, by=mod, action="take_down")
    left = set(GenerationJob.objects.filter(owner=alice).values_list("pk", flat=True))
    assert removed.pk not in left and stitch.pk not in left
    stopped = GenerationJob.objects.get(pk=stitch_of_stitch.pk)  # still queued: failed, not deleted
    assert (stopped.state, stopped.error_code) == ("failed", "moderation_removed")
    assert {kept.pk, other.pk} <= left  # a stitch of the kept drafts alone stays


def test_a_moderator_hiding_a_post_hides_the_stitches_that_show_it_until_it_is_shown_again(
    alice: User, charlie: User, mod: User
) -> None:
    hidden, kept = draft(alice, "gulls over a pier"), draft(alice, "a quiet harbour at dawn")
    stitch = services.stitch_create(owner=alice, parts=parts(hidden, kept))
    own_reason = services.stitch_create(owner=alice, parts=parts(kept, hidden))
    GenerationJob.objects.filter(pk__in=[stitch.pk, own_reason.pk]).update(state="completed", video="drafts/s.mp4")
    stitch_of_stitch = services.stitch_create(owner=alice, parts=parts(kept, stitch))
    GenerationJob.objects.filter(pk=stitch_of_stitch.pk).update(state="completed", video="drafts/s2.mp4")
    elsewhere = services.stitch_create(owner=alice, parts=parts(kept, draft(alice)))
    GenerationJob.objects.filter(pk=elsewhere.pk).update(state="completed", video="drafts/s3.mp4")
    posts = {job.pk: shown(job, alice) for job in (hidden, stitch, own_reason, stitch_of_stitch, elsewhere)}
    post_take_down(post=posts[own_reason.pk], reason="down for its own sake")

    moderate(posts[hidden.pk], mod, "hide")
    for job in (hidden, stitch, stitch_of_stitch, own_reason):
        with pytest.raises(DomainError):
            post_get_for_viewer(posts[job.pk].pk, charlie)
    assert Post.objects.get(pk=posts[stitch.pk].pk).taken_down_sentence["code"] == "stitch_part_down"
    assert post_get_for_viewer(posts[elsewhere.pk].pk, charlie)  # it does not show the hidden draft

    moderate(posts[hidden.pk], mod, "approve")
    for job in (hidden, stitch, stitch_of_stitch):
        assert post_get_for_viewer(posts[job.pk].pk, charlie)
    assert Post.objects.get(pk=posts[own_reason.pk].pk).taken_down_reason == "down for its own sake"


def test_a_stitch_whose_part_is_hidden_during_its_publish_check_stays_down_until_the_part_is_shown(
    alice: User, charlie: User, mod: User
) -> None:
    hidden, kept = draft(alice, "gulls over a pier"), draft(alice, "a quiet harbour at dawn")
    part_post, _ = shown(hidden, alice), shown(kept, alice)
    stitch = services.stitch_create(owner=alice, parts=parts(hidden, kept))
    # A preview's frames are not read again at publish: the draft needs no file for its check to pass.
    GenerationJob.objects.filter(pk=stitch.pk).update(state="completed", video="drafts/s.mp4", is_preview=True)
    checking = post_publish(job=stitch, by=alice, caption="", visibility="public", show_prompt=True)
    assert checking.review == Post.Review.CHECKING

    moderate(part_post, mod, "hide")
    checked = post_publish_check(post_id=checking.pk)
    assert checked is not None and checked.review == Post.Review.CLEAR  # it passed its own check
    with pytest.raises(DomainError):
        post_get_for_viewer(checking.pk, charlie)
    assert checked.taken_down_sentence["code"] == "stitch_part_down"

    moderate(part_post, mod, "approve")
    assert post_get_for_viewer(checking.pk, charlie)


def shown(job: GenerationJob, by: User) -> Post:
    """A public post whose publish check passed (the drafts here have no file to check)."""
    post = post_publish(job=job, by=by, caption="", visibility="public", show_prompt=True)
    Post.objects.filter(pk=post.pk).update(
        review=Post.Review.CLEAR, taken_down_at=None, taken_down_reason="", taken_down_sentence={}
    )
    return post


def moderate(post: Post, mod: User, action: str) -> None:
    case = case_open(subject_type="post", subject_id=str(post.pk), category="spam", summary="a report", actor=mod)
    case_act(case_id=case.pk, by=mod, action=action, reason="spam")
