"""A user's webhook endpoints: added (the URL checked) and removed."""

from __future__ import annotations

from feed.accounts.models import User
from generation.api.webhooks.targets import webhook_url_check
from generation.models import WebhookEndpoint
from sora_site.errors import DomainError

MAX_WEBHOOKS_PER_USER = 5


def webhook_endpoint_create(*, owner: User, url: str) -> WebhookEndpoint:
    url = url.strip()
    webhook_url_check(url)
    if WebhookEndpoint.objects.filter(owner=owner).count() >= MAX_WEBHOOKS_PER_USER:
        raise DomainError("too_many_webhooks", f"You can have at most {MAX_WEBHOOKS_PER_USER} webhook endpoints.")
    return WebhookEndpoint.objects.create(owner=owner, url=url)


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, by: User) -> None:
    if endpoint.owner_id != by.pk:
        raise DomainError("not_found", "This webhook endpoint does not exist.", status=404)
    endpoint.delete()
