"""Webhook events: `video.completed` / `video.failed` for every job of a user with endpoints, signed
per Standard Webhooks (the `standardwebhooks` library) and delivered by Celery with backoff."""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Any

import certifi
import urllib3
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook

from feed.accounts.models import User
from generation.api.services import WebhookTarget, url_redacted, webhook_url_check
from generation.models import GenerationJob, WebhookDelivery, WebhookEndpoint
from sora_site.errors import DomainError

log = logging.getLogger(__name__)
Status = WebhookDelivery.Status
TEST_VIDEO_ID = "video_test_event"


def on_job_finished(sender: type[GenerationJob], *, job: GenerationJob, **kwargs: Any) -> None:
    """Connected to `generation.signals.job_finished` (sent after commit by `job_end`)."""
    event_type = "video.completed" if job.state == GenerationJob.State.COMPLETED else "video.failed"
    event_send(owner_id=job.owner_id, event_type=event_type, video_id=job.public_id)


def event_send(*, owner_id: int, event_type: str, video_id: str) -> list[WebhookDelivery]:
    """One delivery per endpoint of the owner, each queued after commit."""
    from generation.tasks import webhook_deliver  # the task module imports this one

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


def delivery_attempt(delivery_id: int) -> float | None:
    """POST the event once. Returns None when done (delivered, or given up), else seconds until a retry."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Status.PENDING:
        return None  # deleted with its endpoint, or a duplicate Celery delivery
    attempt = delivery.attempts + 1
    now = timezone.now()
    status_code: int | None = None
    try:
        target = webhook_url_check(delivery.endpoint.url)
        signature = Webhook(delivery.endpoint.secret).sign(delivery.event_id, now, delivery.body)
        headers = {
            "content-type": "application/json",
            "webhook-id": delivery.event_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
            "user-agent": "OpenReel-Webhooks/1",
        }
        status_code = _post_pinned(target, body=delivery.body.encode(), headers=headers)
        error = "" if 200 <= status_code < 300 else f"HTTP {status_code}"
    except DomainError as refused:
        error = refused.message
    except urllib3.exceptions.HTTPError as failure:
        # The exception's text names the URL (its path or query may hold a token): the kind of failure only.
        error = _failure_kind(failure)
    done = not error or attempt >= settings.WEBHOOK_MAX_ATTEMPTS
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=attempt,
        response_status=status_code,
        last_error=error[:300],
        status=Status.DELIVERED if not error else (Status.FAILED if done else Status.PENDING),
        delivered_at=now if not error else None,
    )
    log.info(
        "webhook %s %s attempt %s: %s",
        delivery.event_id,
        url_redacted(delivery.endpoint.url),
        attempt,
        error or "delivered",
    )
    return None if done else float(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1))


def _post_pinned(target: WebhookTarget, *, body: bytes, headers: dict[str, str]) -> int:
    """POST to the address the check resolved (not the name, which could now resolve elsewhere), with
    the name in the Host header and as the TLS server name and certificate check; no redirects."""
    pool: urllib3.HTTPConnectionPool
    options: dict[str, Any] = {"port": target.port, "timeout": settings.WEBHOOK_TIMEOUT_SECONDS, "retries": False}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.addresses[0],
            server_hostname=target.hostname,
            assert_hostname=target.hostname,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.addresses[0], **options)
    with pool:
        response = pool.urlopen(
            "POST", target.target, body=body, headers={**headers, "host": target.host_header}, redirect=False
        )
        return int(response.status)


def _failure_kind(failure: urllib3.exceptions.HTTPError) -> str:
    """The failure's class (NewConnectionError, ConnectTimeoutError, SSLError...), without its text."""
    return type(getattr(failure, "reason", None) or failure).__name__


def deliveries_of(owner: User, limit: int = 50) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(endpoint__owner=owner).select_related("endpoint")[:limit])
