"""Models loaded once per process, with a log line saying which and how long it took.

Loading a model is the slow part of many first calls (seconds on a busy machine); a worker loads them
at start (settings.WORKER_MODELS), and anyone reading its log can tell which model a pause was.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Generic, TypeVar

from django.utils.module_loading import import_string

log = logging.getLogger(__name__)
Model = TypeVar("Model")


class LoadedOnce(Generic[Model]):
    """A function of no arguments that runs once per process, whichever threads call it. A web or
    worker process loads its models on a warm-up thread while requests and tasks come in: a caller
    that needs one while it loads waits for that load (never starts a second); a load that fails is
    tried again by the next caller."""

    def __init__(self, load: Callable[[], Model]) -> None:
        self.load = load
        self.lock = threading.Lock()
        self.result: list[Model] = []  # empty until loaded
        functools.update_wrapper(self, load)

    def __call__(self) -> Model:
        if not self.result:
            with self.lock:
                if not self.result:
                    self.result.append(self.load())
        return self.result[0]

    def is_loaded(self) -> bool:
        return bool(self.result)

    def cache_clear(self) -> None:
        """Forget the result (tests): the next call loads again."""
        with self.lock:
            self.result.clear()


def model_loader(label: str) -> Callable[[Callable[[], Model]], LoadedOnce[Model]]:
    """Decorate a function of no arguments that loads a model: it runs once per process (`LoadedOnce`:
    a second thread waits for the load under way), and its load is logged as `loaded <label> in <s> s`."""

    def decorate(load: Callable[[], Model]) -> LoadedOnce[Model]:
        @LoadedOnce
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


def kept_on_disk(name: str, inputs: Sequence[bytes | str], build: Callable[[], Model]) -> Model:
    """What `build` returns, computed once and kept in VAR_DIR/cache (pickled), named by a digest of
    `inputs`: everything the result depends on (the files it is read from, the code that reads them,
    the libraries' versions). Another process, or the next start, loads it in a fraction of the time;
    changed inputs build it again. Written whole or not at all (two processes may build it at once);
    a cache that cannot be read or written is only a slower start. The file is written by this
    function alone, under VAR_DIR (as trusted as the code)."""
    from django.conf import settings

    digest = hashlib.sha256(sys.version.encode())
    for part in inputs:
        digest.update(hashlib.sha256(part.encode() if isinstance(part, str) else part).digest())
    path = Path(settings.VAR_DIR) / "cache" / f"{name}-{digest.hexdigest()[:32]}.pickle"
    try:
        with path.open("rb") as handle:
            kept: Model = pickle.load(handle)
        return kept
    except FileNotFoundError:
        pass
    except Exception as error:  # a damaged or stale file is built again, never a failed start
        log.warning("could not read %s (building it again): %s", path, error)
    built = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".pickle", delete=False) as written:
            pickle.dump(built, written, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(written.name, path)
    except OSError as error:
        log.warning("could not keep %s in %s: %s", name, path.parent, error)
    return built


def distribution_version(name: str) -> str:
    """An installed distribution's version, or "none": part of what a kept result depends on."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"
