"""The real `openai` SDK against the live server (forked Daphne) and a real Celery worker: what code
written for the hosted Videos API does, unchanged but for `base_url` and the key."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openai
import pytest
from PIL import Image

from feed.models import User
from generation.models import GenerationJob, WebhookEndpoint
from sora_site import media
from tests.generation.api.clients import key_for, sdk
from tests.generation.api.receiver import WebhookReceiver

pytestmark = pytest.mark.slow


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver()
    yield server
    server.close()


@pytest.fixture
def worker(start_worker, monkeypatch) -> None:
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE_TARGETS", "1")  # the receiver is on 127.0.0.1
    start_worker()


def no_face_clip(path: Path) -> Path:
    """Two seconds of a bouncing orange ball: a character, nobody's face."""
    frames = []
    for index in range(24):
        frame = np.full((240, 320, 3), (30, 90, 60), np.uint8)
        x = 40 + index * 10
        frame[100:140, x : x + 40] = (250, 140, 20)
        frames.append(frame)
    media.encode_mp4(frames, 12, None, 48_000, path)
    return path


def test_the_sdk_round_trip(alice: User, live_server_url: str, worker: None, receiver, tmp_path: Path) -> None:
    endpoint = WebhookEndpoint.objects.create(owner=alice, url=receiver.url)
    client = sdk(live_server_url, key_for(alice))

    video = client.videos.create_and_poll(prompt="a lighthouse in a storm", seconds="4", size="1280x720")
    assert (video.status, video.progress, video.seconds, video.size) == ("completed", 100, "4", "1280x720")
    assert video.id.startswith("video_") and video.completed_at and video.error is None
    assert client.videos.retrieve(video.id).status == "completed"
    job = GenerationJob.objects.get(public_id=video.id)
    assert job.owner == alice  # the same job the web makes: it is in alice's drafts

    mp4 = tmp_path / "video.mp4"
    client.videos.download_content(video.id, variant="video").write_to_file(mp4)
    info = media.probe(mp4)
    assert (info.width, info.height, info.video_codec) == (1280, 720, "h264")
    assert len(media.decode_video(mp4, with_audio=False).frames) > 10
    thumbnail = client.videos.download_content(video.id, variant="thumbnail").read()
    assert Image.open(io.BytesIO(thumbnail)).format == "WEBP"
    sheet = client.videos.download_content(video.id, variant="spritesheet").read()
    assert Image.open(io.BytesIO(sheet)).format == "JPEG"
    assert job.sprite_layout  # how to read the grid

    remix = client.videos.remix(video.id, prompt="the same lighthouse at dawn")
    assert remix.remixed_from_video_id == video.id and remix.status in ("queued", "in_progress")
    remix = client.videos.poll(remix.id)
    assert remix.status == "completed"

    ids = [v.id for v in client.videos.list(limit=1)]  # one per page: the SDK follows `after` while has_more
    assert ids == [remix.id, video.id]
    page = client.videos.list(limit=1, order="asc")
    assert [v.id for v in page.data] == [video.id] and page.has_more

    # Both jobs told alice's endpoint, signed so the SDK's own verifier accepts it.
    deliveries = receiver.wait_for(2)
    events = [client.webhooks.unwrap(r.body, r.headers, secret=endpoint.secret) for r in deliveries]
    assert {(e.type, e.data.id) for e in events} == {("video.completed", video.id), ("video.completed", remix.id)}
    forged = dict(deliveries[0].headers, **{"webhook-signature": "v1,AAAA"})
    with pytest.raises(openai.InvalidWebhookSignatureError):
        client.webhooks.unwrap(deliveries[0].body, forged, secret=endpoint.secret)

    deleted = client.videos.delete(remix.id)
    assert (deleted.id, deleted.deleted) == (remix.id, True)
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve(remix.id)

    with no_face_clip(tmp_path / "ball.mp4").open("rb") as clip:
        character = client.videos.create_character(name="Bouncy", video=clip)
    assert character.name == "Bouncy" and character.id.startswith("char_")
    assert client.videos.get_character(character.id).id == character.id
    with_character = client.videos.create(
        prompt="Bouncy rolls down a hill", extra_body={"characters": [{"id": character.id}]}
    )
    assert client.videos.poll(with_character.id).status == "completed"
    used = GenerationJob.objects.get(public_id=with_character.id).cameo_usages.get().cameo
    assert (used.owner, used.name, used.kind) == (alice, "Bouncy", "character")
    assert json.loads(receiver.wait_for(3)[2].body)["data"]["id"] == with_character.id
