"""Subtitles: every video with dialogue carries a WebVTT track of its lines as they are heard, readable by
whoever may see the video, shown in the feed's and the drafts' players, gone with the video's files."""

from __future__ import annotations

import re
from typing import Any

import av
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from feed.models import User
from feed.posts.services import post_delete
from generation import services, worker
from generation.models import GenerationJob
from sora_site import media
from tests.builders.posts import post_published

pytestmark = pytest.mark.slow

CUE = re.compile(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3}) line:70%\n(.+)")


def finished(owner: User, prompt: str, **fields: Any) -> GenerationJob:
    job, _ = services.job_create(owner=owner, prompt=prompt, **fields)
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert job.state == "completed", job.error_message
    return job


def cues(job: GenerationJob) -> list[tuple[float, float, str]]:
    with job.subtitles.open("rb") as handle:
        text = handle.read().decode()
    assert text.startswith("WEBVTT\n\n")
    out = []
    for block in text.removeprefix("WEBVTT\n\n").strip().split("\n\n"):
        match = CUE.fullmatch(block)
        assert match, block
        h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g) for g in match.groups()[:8])
        out.append((h1 * 3600 + m1 * 60 + s1 + ms1 / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000, match[9]))
    return out


def mp4_text_track(job: GenerationJob) -> tuple[str, list[str]] | None:
    """The MP4's own text track (what a download carries): its language and its lines, or None."""
    with av.open(job.video.path) as container:
        if not container.streams.subtitles:
            return None
        stream = container.streams.subtitles[0]
        lines = [sub.dialogue.decode() for packet in container.demux(stream) if packet.size for sub in packet.decode()]
        return stream.metadata.get("language", ""), lines


def test_the_lines_are_subtitled_when_they_are_heard(alice: User) -> None:
    job = finished(alice, 'a lighthouse in a storm, a sailor says "hold fast" and then "we are almost home"')
    said = cues(job)
    assert [text for _, _, text in said] == ["hold fast", "we are almost home"]
    duration = media.probe(job.video.path).duration_s
    for (start, end, _), following in zip(said, [*said[1:], None], strict=True):
        assert 0 <= start < end <= duration + 0.05
        if following is not None:
            assert end <= following[0]  # one after another, as they are spoken
    assert job.subtitles_language == "en"
    assert mp4_text_track(job) == ("eng", ["hold fast", "we are almost home"])  # players that read the MP4
    # The text track is signed with the rest: the file still verifies, its mark still reads.
    with job.video.open("rb") as handle:
        upload = SimpleUploadedFile("video.mp4", handle.read(), content_type="video/mp4")
    body = Client().post("/verify/", {"video": upload}, HTTP_ACCEPT="application/json").json()
    assert body["c2pa"]["state"] == "Trusted" and body["watermark"] == {"found": True, "job": job.public_id}


def test_each_shot_s_lines_start_in_that_shot_and_japanese_is_kept(alice: User) -> None:
    job = finished(
        alice,
        "storyboard",
        shots=[
            {"prompt": "猫が窓辺で眠る", "seconds": 4},
            {"prompt": "少女が「おはよう、ねこちゃん」と言う", "seconds": 4},
        ],
    )
    [(start, end, text)] = cues(job)
    assert text == "おはよう、ねこちゃん"
    assert 4.0 <= start < end <= 8.05  # in the second shot, where it is said
    assert job.subtitles_language == "ja"
    assert mp4_text_track(job) == ("jpn", ["おはよう、ねこちゃん"])


def test_a_silent_video_has_no_subtitles(alice: User) -> None:
    job = finished(alice, "waves rolling onto a quiet beach at dawn")
    assert not job.subtitles
    assert mp4_text_track(job) is None


def test_subtitles_are_read_like_the_video_and_go_with_it(alice: User, bob: User, charlie: User) -> None:
    job = finished(alice, 'a chef in a busy kitchen shouts "service!"')
    owner, stranger = Client(), Client()
    owner.force_login(alice)
    stranger.force_login(charlie)
    url = job.subtitles.url
    response = owner.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "text/vtt"
    assert stranger.get(url).status_code in (403, 404)  # a private draft's words are private too

    post = post_published(job=job, by=alice)
    viewer = Client()
    viewer.force_login(bob)
    page = viewer.get(reverse("post_detail", args=[post.pk])).content.decode()
    assert '<track kind="subtitles"' in page and job.subtitles.name in page
    assert viewer.get(url).status_code == 200  # posted: whoever may see the post may read its words

    name, storage = job.subtitles.name, job.subtitles.storage
    post_delete(post=post, by=alice)
    services.job_delete(job=job, by=alice)
    assert not storage.exists(name)
