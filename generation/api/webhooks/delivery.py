"""One delivery attempt of a webhook event: signed per Standard Webhooks (the `standardwebhooks` library),
POSTed to the address its URL check pinned; the `webhook_deliver` task retries it with backoff."""

from __future__ import annotations

import logging
from typing import Any

import certifi
import urllib3
from django.conf import settings
from django.utils import timezone
from standardwebhooks import Webhook

from generation.api.webhooks.targets import WebhookTarget, url_redacted, webhook_url_check
from generation.models import WebhookDelivery
from sora_site.errors import DomainError

log = logging.getLogger(__name__)
Status = WebhookDelivery.Status


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
