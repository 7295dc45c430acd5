"""Models loaded once per process, with a log line saying which and how long it took.

Loading a model is the slow part of many first calls (seconds on a busy machine); a worker loads them
at start (settings.WORKER_MODELS), and anyone reading its log can tell which model a pause was.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

from django.utils.module_loading import import_string

log = logging.getLogger(__name__)
Model = TypeVar("Model")


def model_loader(label: str) -> Callable[[Callable[[], Model]], Callable[[], Model]]:
    """Decorate a function of no arguments that loads a model: it runs once per process (cached),
    and its load is logged as `loaded <label> in <s> s`."""

    def decorate(load: Callable[[], Model]) -> Callable[[], Model]:
        @functools.cache
        @functools.wraps(load)
        def loaded() -> Model:
            started = time.monotonic()
            model = load()
            log.info("loaded %s in %.1f s", label, time.monotonic() - started)
            return model

        return loaded

    return decorate


def models_warm(models: Mapping[str, str]) -> str:
    """Call each loader (label -> dotted path of a function of no arguments) in turn; the line that
    says how long each took."""
    started = time.monotonic()
    took = []
    for label, path in models.items():
        began = time.monotonic()
        import_string(path)()
        took.append(f"{label} {time.monotonic() - began:.1f} s")
    return f"models loaded in {time.monotonic() - started:.1f} s ({', '.join(took)})"
