"""API keys: made for their owner (the settings page, `manage.py api_key_create`), shown once, stored hashed."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.utils import timezone

from feed.accounts.models import User
from generation.models import ApiKey
from sora_site.errors import DomainError

KEY_PREFIX = "sk-or-"
KEY_SHOWN_CHARS = 12
KEY_NAME_MAX = 80
KEY_EXPIRY_DAYS_MAX = 3650
MAX_KEYS_PER_USER = 20


def key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_create(
    *, owner: User, name: str, expires_in_days: int | None = None, rate_limit_per_minute: int | None = None
) -> tuple[ApiKey, str]:
    """A new key for `owner`. Returns the row and the key itself, which is never stored or shown again."""
    name = name.strip()
    if not 1 <= len(name) <= KEY_NAME_MAX:
        raise DomainError("invalid_value", f"Name the key (1-{KEY_NAME_MAX} characters).", field="name")
    if expires_in_days is not None and not 1 <= expires_in_days <= KEY_EXPIRY_DAYS_MAX:
        raise DomainError(
            "invalid_value", f"A key expires after 1 to {KEY_EXPIRY_DAYS_MAX} days.", field="expires_in_days"
        )
    if ApiKey.objects.filter(owner=owner, revoked_at__isnull=True).count() >= MAX_KEYS_PER_USER:
        raise DomainError("too_many_keys", f"You can have at most {MAX_KEYS_PER_USER} keys. Revoke one first.")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)  # 256 bits: a plain SHA-256 is enough to store it
    key = ApiKey.objects.create(
        owner=owner,
        name=name,
        prefix=raw[:KEY_SHOWN_CHARS],
        key_hash=key_hash(raw),
        rate_limit_per_minute=rate_limit_per_minute,
        expires_at=timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None,
    )
    return key, raw


def api_key_revoke(*, key: ApiKey, by: User) -> None:
    if key.owner_id != by.pk:
        raise DomainError("not_found", "This key does not exist.", status=404)
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
