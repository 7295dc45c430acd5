"""Request input read once, with limits, before anything parses it: body size, Content-Length, JSON
depth; every refusal is the styled error page or the JSON envelope, with the limit in words."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from feed.models import User
from sora_site.errors import DomainError
from sora_site.media import decode_video, encode_mp4
from tests.builders.posts import post_make
from tests.generation.api.clients import key_for

DEEP_JSON = "[" * 100_000
FIVE_MB = "x" * (5 * 1024 * 1024)


@pytest.fixture
def alices_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


def assert_page(response, status: int, code: str, *phrases: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert f'data-error-code="{code}"' in body and 'class="sidebar"' in body  # the site's own page
    for phrase in phrases:
        assert phrase in body


def assert_envelope(response, status: int, code: str, *phrases: str) -> None:
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    for phrase in phrases:
        assert phrase in error["message"]


def test_deeply_nested_json_bodies_are_refused_on_any_url(alices_client: Client, alice: User) -> None:
    page = alices_client.post("/create/", DEEP_JSON, content_type="application/json")
    assert_page(page, 400, "invalid_value", "at most 32 levels")
    api = Client(headers={"Authorization": f"Bearer {key_for(alice)}"})
    refused = api.post("/v1/videos", DEEP_JSON, content_type="application/json")
    assert_envelope(refused, 400, "invalid_value", "at most 32 levels")
    # Nesting within the limit is an ordinary body; brackets inside strings are text.
    shallow = {"prompt": "[[[[" * 50 + "a fox", "seconds": "4", "extra": [[[[1]]]]}
    assert api.post("/v1/videos", json.dumps(shallow), content_type="application/json").status_code == 200


def test_deeply_nested_json_in_the_players_view_reports(alices_client: Client, bob: User) -> None:
    post_make(bob, "kite")
    refused = alices_client.post("/feed/views/", {"views": DEEP_JSON}, HTTP_ACCEPT="application/json")
    assert_envelope(refused, 400, "invalid_impressions")


def test_a_five_mb_prompt_or_comment_is_refused_with_the_limit_in_words(alices_client: Client, bob: User) -> None:
    create = alices_client.post("/create/", {"prompt": FIVE_MB, "seconds": "4"})
    assert_page(create, 413, "request_too_large", "at most 2.5\xa0MB")
    post = post_make(bob, "kite")
    comment = alices_client.post(f"/p/{post.pk}/comments/new/", {"text": FIVE_MB}, HTTP_ACCEPT="application/json")
    assert_envelope(comment, 413, "request_too_large", "at most 2.5\xa0MB")


def test_the_limit_is_said_in_the_readers_language(client: Client) -> None:
    refused = client.post("/login/", {"username": FIVE_MB}, HTTP_ACCEPT_LANGUAGE="ja")
    assert_page(refused, 413, "request_too_large", "2.5\xa0MB")
    assert "リクエストが大きすぎます" in refused.content.decode()


def test_djangos_own_parsing_limits_become_the_styled_page(client: Client, db, settings) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"f{index}": "x" for index in range(11)}
    assert_page(client.post("/login/", fields), 400, "too_many_fields", "at most 10")


def test_unknown_pages_are_the_styled_404_or_the_envelope(client: Client, db) -> None:
    assert_page(client.get("/no/such/page/"), 404, "not_found")
    assert_envelope(client.get("/v1/no/such/operation"), 404, "not_found")


def test_verify_refuses_an_oversized_body_before_parsing_it(client: Client, db, settings) -> None:
    # 101 files: parsing the body first would end in Django's "too many files" refusal; the size is
    # checked first, from the Content-Length alone.
    settings.VERIFY_MAX_BYTES = 1024
    files = {f"video{index}": SimpleUploadedFile(f"{index}.mp4", b"\x00" * 1024) for index in range(101)}
    refused = client.post("/verify/", files, HTTP_ACCEPT="application/json")
    assert_envelope(refused, 413, "video_too_large", "at most 65.0\xa0KB")


def test_a_content_length_that_is_not_a_number_is_a_clear_400(client: Client, db) -> None:
    video = SimpleUploadedFile("a.mp4", b"\x00" * 64)
    for length in ("abc", "-1", "²", "9" * 4301):
        refused = client.post("/verify/", {"video": video}, CONTENT_LENGTH=length, HTTP_ACCEPT="application/json")
        assert_envelope(refused, 400, "invalid_content_length")
        video.seek(0)


def test_a_multipart_remix_is_read_like_a_json_one(alice: User) -> None:
    api = Client(headers={"Authorization": f"Bearer {key_for(alice)}"})
    missing = api.post("/v1/videos/video_nope/remix", {"prompt": "the same at dawn"})
    assert_envelope(missing, 404, "not_found", "remix")
    unnamed = api.post("/v1/videos/video_nope/remix", {"title": "no prompt"})
    assert_envelope(unnamed, 400, "invalid_value", "prompt")


def _video_of(path: Path, width: int, height: int) -> Path:
    encode_mp4([np.zeros((height, width, 3), np.uint8)], 24, None, 16_000, path, crf=51)
    return path


@pytest.mark.slow
def test_frames_over_the_pixel_limit_are_refused_before_decoding(client: Client, db, tmp_path: Path) -> None:
    huge = _video_of(tmp_path / "huge.mp4", 3856, 2176)  # 8.4 MP: just over 3840x2160
    upload = SimpleUploadedFile("huge.mp4", huge.read_bytes(), content_type="video/mp4")
    refused = client.post("/verify/", {"video": upload}, HTTP_ACCEPT="application/json", REMOTE_ADDR="10.1.2.3")
    assert_envelope(refused, 400, "invalid_video", "3840x2160", "3856x2176")
    with pytest.raises(DomainError, match="3856x2176"):
        decode_video(huge)
    assert decode_video(_video_of(tmp_path / "small.mp4", 64, 48)).width == 64


def test_uploads_may_be_as_large_as_the_view_declares(alice: User) -> None:
    # 3 MB: over the limit of a plain form, within /v1's (its largest file, a character's clip).
    api = Client(headers={"Authorization": f"Bearer {key_for(alice)}"})
    junk = SimpleUploadedFile("still.png", b"\x00" * (3 * 1024 * 1024), content_type="image/png")
    refused = api.post("/v1/videos", {"prompt": "a fox", "input_reference": junk})
    assert_envelope(refused, 400, "invalid_type")  # read, and refused for what it is
