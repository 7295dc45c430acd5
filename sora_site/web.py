"""What a web process does at start (sora_site/asgi.py, wsgi.py): MiniLM before it serves (the feed
and search use it on every page), the rest of settings.WEB_MODELS on a thread beside the first
requests, so the server answers at once and the first Generate finds the prompt stage ready."""

from __future__ import annotations

import logging
import threading

from django.conf import settings

from sora_site.loading import models_warm
from sora_site.text_embeddings import embeddings_warm

log = logging.getLogger(__name__)


def web_models_warm() -> None:
    """TEXT_EMBEDDINGS_WARM=0 skips it all (the tests' many short-lived servers)."""
    if not settings.TEXT_EMBEDDINGS_WARM:
        return
    embeddings_warm()
    threading.Thread(target=lambda: log.info("web: %s", models_warm(settings.WEB_MODELS)), daemon=True).start()
