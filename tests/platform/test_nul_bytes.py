"""A NUL character (PostgreSQL refuses it in text) anywhere in a request is a clear 400, never a 500.

Against the real routes, so a route that reaches the database before any check would show up here.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from feed.models import User
from generation.models import GenerationJob

MESSAGE = "contains a NUL character (\\x00), which is not allowed."
CREATE = {"mode": "single", "seconds": "4", "size": "720x1280", "model": "sora-2", "prompt": "a quiet harbour"}


def assert_refused_page(response, where: str) -> None:
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert 'data-error-code="invalid_value"' in body
    assert f"{where} {MESSAGE}".replace("'", "&#x27;") in body


def assert_refused_json(response, param: str | None) -> None:
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "message": response.json()["error"]["message"],
            "type": "invalid_request_error",
            "param": param,
            "code": "invalid_value",
        }
    }
    assert MESSAGE in response.json()["error"]["message"]


@pytest.fixture
def alices_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


def test_sign_up_with_a_nul_in_the_handle(client: Client, db) -> None:
    form = {"username": "ali\x00ce", "birth_date": "1990-01-01", "password": "correct-horse-battery-9"}
    assert_refused_page(client.post("/signup/", form), "The field 'username'")
    assert not User.objects.exists()


def test_profile_address_with_a_percent_encoded_nul(client: Client, alice: User) -> None:
    assert_refused_page(client.get("/@ali%00ce/"), "The address")


def test_create_with_a_nul_in_the_prompt_or_the_idempotency_key(alices_client: Client) -> None:
    assert_refused_page(alices_client.post("/create/", {**CREATE, "prompt": "a cat\x00"}), "The field 'prompt'")
    refused = alices_client.post("/create/", {**CREATE, "idempotency_key": "k\x00"})
    assert_refused_page(refused, "The field 'idempotency_key'")
    assert not GenerationJob.objects.exists()


def test_create_multipart_with_a_nul_in_a_field_beside_a_file(alices_client: Client) -> None:
    image = SimpleUploadedFile("still\x00.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    refused = alices_client.post("/create/", {**CREATE, "prompt": "a\x00b", "input_reference": image})
    assert_refused_page(refused, "The field 'prompt'")
    assert not GenerationJob.objects.exists()


def test_remix_reference_with_a_nul(alices_client: Client) -> None:
    assert_refused_page(alices_client.get("/create/?remix=ab%00c"), "The field 'remix'")


def test_draft_ids_with_a_nul(alices_client: Client) -> None:
    assert_refused_page(alices_client.get("/drafts/ab%00c/card/"), "The address")
    assert_refused_page(alices_client.post("/drafts/ab%00c/cancel/"), "The address")
    assert_refused_json(alices_client.get("/drafts/ab%00c.json"), None)


def test_mention_query_with_a_nul_gets_the_json_envelope(alices_client: Client) -> None:
    assert_refused_json(alices_client.get("/cameos/mentions.json?q=a%00"), "q")


def test_media_path_with_a_nul(client: Client, db) -> None:
    assert_refused_page(client.get("/media/a%00b.mp4"), "The address")


def test_callers_that_accept_json_get_the_envelope(alices_client: Client) -> None:
    assert_refused_json(alices_client.get("/@ali%00ce/", HTTP_ACCEPT="application/json"), None)
    assert_refused_json(alices_client.get("/create/?remix=%00", HTTP_ACCEPT="application/json"), "remix")
    body = json.dumps({"prompt": "a\x00b", "seconds": 4})
    assert_refused_json(alices_client.post("/v1/videos", body, content_type="application/json"), "prompt")


def test_a_nul_in_a_field_name_or_a_cookie(client: Client, alice: User) -> None:
    assert_refused_page(client.get("/?ta%00b=x"), "The field 'ta\\x00b'")
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert_refused_page(client.get("/"), "The cookie 'sessionid'")


def test_clean_requests_pass(alices_client: Client) -> None:
    assert alices_client.get("/@alice/").status_code == 200
    assert alices_client.get("/cameos/mentions.json?q=a").status_code == 200
