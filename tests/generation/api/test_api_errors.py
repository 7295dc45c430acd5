"""Refusals reach SDK callers as the SDK's typed errors, with the envelope's `param` and `code`.

In-process (Django's WSGI app under the real SDK): these are about the answers, not the queue.
"""

from __future__ import annotations

import io

import openai
import pytest
from django.test import Client
from PIL import Image

from feed.models import User
from generation.models import GenerationJob
from tests.builders.cameos import active_cameo
from tests.generation.api.clients import key_for, sdk_in_process


def test_a_wrong_or_missing_key_is_an_authentication_error(alice: User) -> None:
    with pytest.raises(openai.AuthenticationError) as wrong:
        sdk_in_process("sk-or-not-a-key").videos.list()
    assert wrong.value.code == "invalid_api_key"
    response = Client().get("/v1/videos")
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"


@pytest.mark.parametrize(
    ("fields", "param", "code"),
    [
        ({"size": "999x999"}, "size", "invalid_value"),
        ({"seconds": "5"}, "seconds", "invalid_value"),
        ({"model": "sora-9"}, "model", "invalid_value"),
        ({"prompt": "   "}, "prompt", "invalid_value"),
        ({"input_reference": ("notes.txt", b"not an image", "text/plain")}, "input_reference", "invalid_type"),
    ],
)
def test_bad_create_fields_name_their_param(alice: User, fields: dict, param: str, code: str) -> None:
    client = sdk_in_process(key_for(alice))
    with pytest.raises(openai.BadRequestError) as refused:
        client.videos.create(**({"prompt": "a fox in snow"} | fields))
    assert (refused.value.param, refused.value.code) == (param, code)
    assert refused.value.type == "invalid_request_error"
    assert not GenerationJob.objects.exists()  # nothing queued


def test_a_harmful_prompt_is_moderation_blocked_with_the_category_in_the_message(alice: User) -> None:
    client = sdk_in_process(key_for(alice))
    with pytest.raises(openai.BadRequestError) as refused:
        client.videos.create(prompt="a step by step tutorial on how to build a pipe bomb")
    assert (refused.value.code, refused.value.param) == ("moderation_blocked", "prompt")
    assert "instructions for dangerous or illegal acts" in refused.value.message  # the category, never scores
    assert not GenerationJob.objects.exists()


def test_an_input_reference_as_a_data_url_is_the_first_frame(alice: User) -> None:
    import base64

    out = io.BytesIO()
    Image.new("RGB", (720, 1280), (10, 120, 200)).save(out, "PNG")
    url = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
    client = sdk_in_process(key_for(alice))
    video = client.videos.create(prompt="a blue sky", extra_body={"input_reference": {"image_url": url}})
    job = GenerationJob.objects.get(public_id=video.id)
    assert job.input_image and job.owner == alice
    with pytest.raises(openai.BadRequestError) as remote:
        client.videos.create(prompt="a sky", extra_body={"input_reference": {"image_url": "http://127.0.0.1/x.png"}})
    assert remote.value.param == "input_reference"


def test_a_stranger_may_not_use_a_cameo(alice: User, charlie: User) -> None:
    active_cameo(alice)  # alice approves people one by one; charlie is not one of them
    client = sdk_in_process(key_for(charlie))
    with pytest.raises(openai.PermissionDeniedError) as by_mention:
        client.videos.create(prompt="@alice waves at the camera")
    assert by_mention.value.code == "cameo_permission_denied"
    with pytest.raises(openai.PermissionDeniedError) as by_character:
        client.videos.create(prompt="alice waves", extra_body={"characters": [{"id": "char_alice"}]})
    assert by_character.value.code == "cameo_permission_denied"
    with pytest.raises(openai.NotFoundError):
        client.videos.get_character("char_alice")  # not one he may use: indistinguishable from none
    assert not GenerationJob.objects.exists()


def test_a_character_must_be_named_in_the_prompt(alice: User) -> None:
    active_cameo(alice)
    client = sdk_in_process(key_for(alice))
    with pytest.raises(openai.BadRequestError) as refused:
        client.videos.create(prompt="a dog runs", extra_body={"characters": [{"id": "char_alice"}]})
    assert refused.value.param == "characters"
    video = client.videos.create(prompt="alice runs", extra_body={"characters": [{"id": "char_alice"}]})
    assert GenerationJob.objects.get(public_id=video.id).cameo_usages.get().cameo.handle == "alice"


def test_the_rate_limit_answers_429_with_retry_after(alice: User) -> None:
    client = sdk_in_process(key_for(alice, rate_limit_per_minute=2))
    client.videos.list()
    client.videos.list()
    with pytest.raises(openai.RateLimitError) as limited:
        client.videos.list()
    assert limited.value.code == "rate_limit_exceeded"
    assert 1 <= int(limited.value.response.headers["retry-after"]) <= 61


def test_a_quota_refusal_is_a_rate_limit_error_with_its_own_code(alice: User, settings) -> None:
    settings.GENERATION_DAILY_SECONDS = 4
    client = sdk_in_process(key_for(alice))
    client.videos.create(prompt="a fox", seconds="4")
    with pytest.raises(openai.RateLimitError) as refused:
        client.videos.create(prompt="another fox", seconds="4")
    assert refused.value.code == "quota_exceeded"


def test_listing_rejects_out_of_range_paging(alice: User) -> None:
    client = sdk_in_process(key_for(alice))
    with pytest.raises(openai.BadRequestError) as too_many:
        client.videos.list(limit=101)
    assert too_many.value.param == "limit"
    with pytest.raises(openai.BadRequestError) as unknown:
        client.videos.list(after="video_nope")
    assert unknown.value.param == "after"


def test_another_users_video_is_not_found(alice: User, bob: User) -> None:
    video = sdk_in_process(key_for(alice)).videos.create(prompt="a fox")
    client = sdk_in_process(key_for(bob))
    for call in (
        lambda: client.videos.retrieve(video.id),
        lambda: client.videos.download_content(video.id),
        lambda: client.videos.delete(video.id),
        lambda: client.videos.remix(video.id, prompt="mine now"),
    ):
        with pytest.raises(openai.NotFoundError):
            call()


def test_sessions_never_authenticate_the_api_and_keys_never_the_site(alice: User) -> None:
    browser = Client()
    browser.force_login(alice)
    assert browser.get("/v1/videos").status_code == 401
    keyed = Client(headers={"Authorization": f"Bearer {key_for(alice)}"})
    assert keyed.get("/v1/videos").status_code == 200
    drafts = keyed.get("/drafts/")
    assert drafts.status_code == 302 and "/login/" in drafts["Location"]


def test_a_character_clip_showing_a_person_is_refused(alice: User, tmp_path) -> None:
    """People become cameos only by recording themselves live; a clip of a face is no way around that."""
    from skimage import data

    from cameos.models import Cameo
    from sora_site import media

    clip = tmp_path / "face.mp4"
    media.encode_mp4([data.astronaut()] * 12, 12, None, 48_000, clip)
    client = sdk_in_process(key_for(alice))
    with clip.open("rb") as handle, pytest.raises(openai.BadRequestError) as refused:
        client.videos.create_character(name="Not a person", video=handle)
    assert refused.value.param == "video" and "face" in refused.value.message
    with pytest.raises(openai.BadRequestError) as corrupt:
        client.videos.create_character(name="Broken", video=("clip.mp4", b"\x00" * 2048, "video/mp4"))
    assert (corrupt.value.param, corrupt.value.code) == ("video", "invalid_type")
    assert not Cameo.objects.exists()


def test_json_bodies_and_oversized_images(alice: User, settings) -> None:
    keyed = Client(headers={"Authorization": f"Bearer {key_for(alice)}"})
    created = keyed.post("/v1/videos", {"prompt": "a fox", "seconds": "8"}, content_type="application/json")
    assert created.status_code == 200 and created.json()["seconds"] == "8"
    assert int(created["openai-poll-after-ms"]) >= 100
    wrong = keyed.post("/v1/videos", {"prompt": "a fox", "seconds": 8}, content_type="application/json")
    assert wrong.json()["error"] | {"message": ""} == {
        "message": "",
        "type": "invalid_request_error",
        "param": "seconds",
        "code": "invalid_type",  # a string, as the protocol says
    }
    settings.GENERATION_INPUT_IMAGE_MAX_BYTES = 1024
    out = io.BytesIO()
    Image.effect_noise((256, 256), 80).convert("RGB").save(out, "PNG")
    with pytest.raises(openai.BadRequestError) as too_big:
        sdk_in_process(key_for(alice)).videos.create(prompt="a fox", input_reference=("big.png", out.getvalue()))
    assert too_big.value.param == "input_reference"
    assert GenerationJob.objects.count() == 1
