"""The Videos API (/v1, generation/api/): rate limits, polling hints, retention, webhooks."""

from __future__ import annotations

from sora_site.env import env_bool, env_int

API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 120, minimum=1)  # per key, unless the key says
API_POLL_AFTER_MS = env_int("API_POLL_AFTER_MS", 1000, minimum=100)  # `openai-poll-after-ms` with an empty queue
API_POLL_AFTER_MAX_MS = env_int("API_POLL_AFTER_MAX_MS", 20_000, minimum=100)
# Days a finished video's content stays downloadable through the API (`expires_at`); 0 keeps it. Expired
# files are deleted by beat (settings/celery.py).
VIDEO_RETENTION_DAYS = env_int("VIDEO_RETENTION_DAYS", 0, minimum=0)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)  # doubles after each failure
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# Webhook URLs on loopback or private networks are refused (a server-side request forgery guard), unless allowed.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
