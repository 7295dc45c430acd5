"""What a web process does at start, before its first request (sora_site/asgi.py, wsgi.py)."""

from __future__ import annotations

import logging

from django.conf import settings

from sora_site.loading import models_warm

log = logging.getLogger(__name__)


def web_models_warm() -> None:
    """Load settings.WEB_MODELS (the prompt stage) so the first Generate does not wait for them;
    TEXT_EMBEDDINGS_WARM=0 skips it (the tests' many short-lived servers)."""
    if settings.TEXT_EMBEDDINGS_WARM:
        log.info("web: %s", models_warm(settings.WEB_MODELS))
