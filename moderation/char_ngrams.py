"""A second reading of meaning that reads any script: character n-grams of the normalised text
(TF-IDF, `ngram_range` characters, across word boundaries) through a logistic regression trained on the policy's
example sentences and its labelled tuning sets (`[char_ngrams]` in policy.toml), one class per
category and one for the benign look-alikes.

MiniLM reads English only, so before this Japanese meaning rested on the lexicon alone. Character
n-grams need no word splitting, read Japanese and English (and the glossaries' English readings of
other languages) alike, and catch a harmful phrasing near the labelled ones without its exact term
(a method in plain verbs, an act without its word). They know nothing beyond the labelled rows, so
the bar is high (`threshold` and `margin` over the benign class) and the benign look-alikes are
half of what they are trained on.

Fitting takes seconds, so the fitted model is kept under VAR_DIR, named by a hash of what it was
fitted from (policy.toml, the training sets, scikit-learn's version): a changed policy or set fits
a new one, and a process loads it in a fraction of a second.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from moderation.languages import english_reading
from moderation.policy_file import BENIGN, POLICY_PATH, CharNgrams, Policy, policy_load
from sora_site.loading import LoadedOnce

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

logger = logging.getLogger(__name__)
_FORMAT = 1  # bump when what is pickled changes shape


def _labelled_rows(policy: Policy, sets: Sequence[Path]) -> list[tuple[str, str]]:
    """(label, text) of the policy's examples and of every row of the training sets (TSVs with a
    `label` and a `text` column, as `moderation.evaluation` reads them)."""
    rows = [(c.name, e) for c in policy.categories.values() for e in c.examples]
    rows += [(BENIGN, e) for e in policy.benign]
    for path in sets:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                label = row["label"].strip()
                if label not in policy.categories and label != BENIGN:
                    raise ImproperlyConfigured(f"{path}: {label!r} is neither a policy category nor {BENIGN!r}")
                rows.append((label, row["text"]))
    return rows


def _fit(policy: Policy, config: CharNgrams, sets: Sequence[Path]) -> Pipeline:
    # scikit-learn is imported here, not with the module: ~1 CPU-s that every process (web, workers,
    # beat) paid at start, through the policy, before answering or taking a task.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    rows = _labelled_rows(policy, sets)
    texts = [english_reading(text).text for _, text in rows]
    return make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=config.ngram_range, sublinear_tf=True, min_df=2, dtype=np.float32),
        LogisticRegression(C=config.regularisation, class_weight="balanced", max_iter=3000, random_state=0),
    ).fit(texts, [label for label, _ in rows])


def _training_sets(config: CharNgrams) -> list[Path]:
    sets = [Path(settings.BASE_DIR) / name for name in config.train]
    missing = [str(path) for path in sets if not path.is_file()]
    if missing:
        raise ImproperlyConfigured(f"[char_ngrams] train names sets that are not there: {', '.join(missing)}")
    return sets


def _digest(sets: Sequence[Path]) -> str:
    digest = hashlib.sha256(f"{_FORMAT} {version('scikit-learn')}".encode())
    for path in (POLICY_PATH, *sets):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class CharNgramClassifier:
    """Scores per category in [0, 1] (class probabilities) and the benign class's, per text, in the
    `Classifier` shape."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.classes = [str(name) for name in pipeline.classes_]

    def scores(self, texts: Sequence[str]) -> list[tuple[dict[str, float], float]]:
        if not texts:
            return []
        scored = []
        for row in self.pipeline.predict_proba(list(texts)):
            by_class = {name: float(p) for name, p in zip(self.classes, row, strict=True)}
            scored.append((by_class, by_class.pop(BENIGN)))
        return scored

    def forget(self) -> None:
        """Nothing is remembered: scoring a text costs well under a millisecond."""


def char_ngrams_build(policy: Policy, cache_dir: Path | None) -> CharNgramClassifier | None:
    """The fitted classifier, from `cache_dir` when one fitted from the same inputs is there, else
    fitted now and kept there (written whole or not at all). None when the policy has no
    `[char_ngrams]` table."""
    config = policy.char_ngrams
    if config is None:
        return None
    sets = _training_sets(config)
    cached = cache_dir / f"char-ngrams-{_digest(sets)}.pickle" if cache_dir else None
    if cached is not None and cached.is_file():
        with cached.open("rb") as handle:
            # Written by `char_ngrams_build` itself, under VAR_DIR (as trusted as the code).
            return CharNgramClassifier(pickle.load(handle))
    pipeline = _fit(policy, config, sets)
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=cached.parent, delete=False) as written:
                pickle.dump(pipeline, written)
            os.replace(written.name, cached)
        except OSError:
            logger.warning("could not keep the fitted character n-gram classifier in %s", cache_dir, exc_info=True)
    return CharNgramClassifier(pipeline)


@LoadedOnce
def char_classifier() -> CharNgramClassifier | None:
    return char_ngrams_build(policy_load(), Path(settings.VAR_DIR) / "moderation")
