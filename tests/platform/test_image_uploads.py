"""Every door where an image enters refuses a file Pillow cannot safely decode with the door's normal
error (the styled page, the /v1 JSON envelope), never a 500: one opener, `sora_site.images`."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image, PngImagePlugin

from cameos.models import Cameo, PublicFigure
from feed.accounts import services as account_services
from feed.models import User
from generation.models import GenerationJob
from sora_site.errors import DomainError
from tests.generation.api.clients import key_for

READ_ERROR = "That file is not an image we can read."
INFLATED = 2 * 2**20  # past PngImagePlugin.MAX_TEXT_CHUNK (1 MiB), compressed to about 2 kB


def png(**save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(out, "PNG", **save)
    return out.getvalue()


def text_chunk_png() -> bytes:
    """A 2 kB PNG whose zTXt chunk inflates to 2 MiB: Pillow refuses it with a ValueError."""
    info = PngImagePlugin.PngInfo()
    info.add_text("comment", "a" * INFLATED, zip=True)
    return png(pnginfo=info)


def truncated_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((96, 96), 64).convert("RGB").save(out, "JPEG")
    return out.getvalue()[: len(out.getvalue()) // 2]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(text_chunk_png(), id="ztxt-chunk"),
        pytest.param(png(icc_profile=b"a" * INFLATED), id="iccp-chunk"),
        pytest.param(truncated_jpeg(), id="truncated-jpeg"),
    ],
)
def test_the_opener_refuses_what_pillow_cannot_decode(alice: User, content: bytes) -> None:
    assert len(content) < 8 * 1024  # small files, far under every byte limit
    upload = SimpleUploadedFile("me.png", content, content_type="image/png")
    with pytest.raises(DomainError) as refused:
        account_services.profile_update(user=alice, display_name="", bio="", avatar=upload)
    assert (refused.value.code, refused.value.message, refused.value.field) == ("avatar_invalid", READ_ERROR, "avatar")


def upload(name: str = "in.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text_chunk_png(), content_type="image/png")


def test_avatar_upload_page(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(reverse("profile_edit"), {"display_name": "A", "bio": "", "avatar": upload()})
    assert response.status_code == 400
    assert READ_ERROR in response.content.decode()
    alice.refresh_from_db()
    assert not alice.avatar


def test_create_page_input_image(client: Client, alice: User) -> None:
    client.force_login(alice)
    fields = {"prompt": "a red kite", "mode": "single", "seconds": "4", "size": "720x1280", "model": "sora-2"}
    response = client.post(reverse("create"), fields | {"input_reference": upload()})
    assert response.status_code == 400
    assert READ_ERROR in response.content.decode()
    assert not GenerationJob.objects.exists()


def api_refusal(response: object) -> tuple[int, str, str]:
    status, error = response.status_code, response.json()["error"]  # type: ignore[attr-defined]
    return status, error["code"], error["param"]


def test_v1_videos_multipart_input_reference(client: Client, alice: User) -> None:
    response = client.post(
        "/v1/videos",
        {"prompt": "a red kite", "input_reference": upload()},
        headers={"Authorization": f"Bearer {key_for(alice)}"},
    )
    assert api_refusal(response) == (400, "invalid_type", "input_reference")
    assert not GenerationJob.objects.exists()


def test_v1_videos_data_url_input_reference(client: Client, alice: User) -> None:
    url = "data:image/png;base64," + base64.b64encode(text_chunk_png()).decode()
    response = client.post(
        "/v1/videos",
        {"prompt": "a red kite", "input_reference": {"image_url": url}},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key_for(alice)}"},
    )
    assert api_refusal(response) == (400, "invalid_type", "input_reference")
    assert not GenerationJob.objects.exists()


def test_character_photos(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("cameo_character_new"),
        {"handle": "kite_dog", "name": "Kite", "kind": Cameo.Kind.PET, "photos": [upload()]},
    )
    assert response.status_code == 400
    assert READ_ERROR in response.content.decode()
    assert not Cameo.objects.exists()


def test_public_figure_photos(client: Client, mod: User) -> None:
    client.force_login(mod)
    response = client.post(reverse("public_figures"), {"name": "Famous Person", "photos": [upload()]})
    assert response.status_code == 400
    assert READ_ERROR in response.content.decode()
    assert not PublicFigure.objects.exists()
