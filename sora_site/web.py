"""What a web process does at start (sora_site/asgi.py, wsgi.py): MiniLM and the rest of
settings.WEB_MODELS, loaded on a thread beside the first requests, so the server answers at once (a
page needs no model) and the first search or Generate finds them ready or already loading (`embed`
holds its lock while the model loads: a request that needs it waits for that load, never starts another)."""

from __future__ import annotations

import logging
import threading

from django.conf import settings

from sora_site.loading import models_warm

log = logging.getLogger(__name__)
MINILM = {"MiniLM": "sora_site.text_embeddings.embeddings_warm"}


def web_models_warm() -> None:
    """TEXT_EMBEDDINGS_WARM=0 skips it all (the tests' many short-lived servers)."""
    if not settings.TEXT_EMBEDDINGS_WARM:
        return
    models = {**MINILM, **settings.WEB_MODELS}
    threading.Thread(target=lambda: log.info("web: %s", models_warm(models)), daemon=True).start()
