"""Webhook events: `video.completed` / `video.failed` for every job of a user with endpoints (the answer to
`generation.signals.job_finished`, connected by `generation/api/wiring.py`), and the settings page's test
event. Each is stored as a delivery and queued after commit."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from django.db import transaction

from feed.accounts.models import User
from generation.api.tasks import webhook_deliver
from generation.models import GenerationJob, WebhookDelivery, WebhookEndpoint
from sora_site.errors import DomainError

TEST_VIDEO_ID = "video_test_event"


def on_job_finished(sender: type[GenerationJob], *, job: GenerationJob, **kwargs: Any) -> None:
    """Connected to `generation.signals.job_finished` (sent after commit by `job_end`)."""
    event_type = "video.completed" if job.state == GenerationJob.State.COMPLETED else "video.failed"
    event_send(owner_id=job.owner_id, event_type=event_type, video_id=job.public_id)


def event_send(*, owner_id: int, event_type: str, video_id: str) -> list[WebhookDelivery]:
    """One delivery per endpoint of the owner, each queued after commit."""
    deliveries = []
    with transaction.atomic():
        for endpoint in WebhookEndpoint.objects.filter(owner_id=owner_id):
            delivery = WebhookDelivery(endpoint=endpoint, event_type=event_type)
            delivery.body = json.dumps(
                {
                    "id": delivery.event_id,
                    "object": "event",
                    "created_at": int(delivery.created_at.timestamp()),
                    "type": event_type,
                    "data": {"id": video_id},
                }
            )
            delivery.save()
            transaction.on_commit(partial(webhook_deliver.delay, delivery.pk))
            deliveries.append(delivery)
    return deliveries


def test_event_send(*, owner: User) -> list[WebhookDelivery]:
    """ "Send a test event" in settings: a `video.completed` about a video id that does not exist."""
    if not WebhookEndpoint.objects.filter(owner=owner).exists():
        raise DomainError("not_found", "Add a webhook endpoint first.", status=404)
    return event_send(owner_id=owner.pk, event_type="video.completed", video_id=TEST_VIDEO_ID)
