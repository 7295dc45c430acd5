"""Stage 1 of moderation: the written prompt policy (`policy.toml`, loaded by `policy_file`) applied
to a text.

`text_verdict(text, audience=...)` normalises the text (`textnorm`) and reads other languages in
English through their glossaries (`languages`; a text in a language with none is refused as
`UNSUPPORTED_LANGUAGE`), applies each category's word rules and its Japanese lexicon
(`japanese_terms`), then asks the classifier (`classifier`) how close the text's readings
(`readings`) come to each category, and the character n-gram classifier (`char_ngrams`, which reads
Japanese too) the same. People are told the category and how to rephrase; scores stay
in the moderation log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from moderation.char_ngrams import char_classifier
from moderation.classifier import classifier
from moderation.japanese_terms import ja_hit, ja_pair_hit, ja_readings, kana_term_readings, romaji_term_readings
from moderation.languages import NATIVE, UNSUPPORTED_LANGUAGE, english_reading
from moderation.policy_file import Policy, policy_load
from moderation.readings import classifier_readings
from sora_site import japanese


@dataclass(frozen=True)
class Audience:
    """Who the text is for: stricter thresholds for teens, cameo prompts and publish-time text."""

    surface: str = "prompt"  # prompt, storyboard, remix, stitch, caption, comment
    is_teen: bool = False
    uses_cameo: bool = False
    offset: float = 0.0  # further below the thresholds: the publish stage's "hold for review" bar


@dataclass(frozen=True)
class Verdict:
    category: str | None  # None: allowed
    reason: str = ""  # "terms", "semantic" (the classifier), "char_ngrams" or "language"
    scores: dict[str, float] = field(default_factory=dict)  # for the moderation log, never the user
    normalised: str = ""
    language: str = ""  # for UNSUPPORTED_LANGUAGE: the language the text is in

    @property
    def allowed(self) -> bool:
        return self.category is None


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
    readings = (
        ja_readings(text, policy.ja_allow, policy.ja_lift) + kana_term_readings(text, policy.ja_allow_sounds)
        if japanese.has_japanese(text)
        else []
    )
    readings += romaji_term_readings(text, policy.ja_allow_sounds)
    for_terms = {
        name: category.allow.sub(" ", normalised) if category.allow else normalised
        for name, category in policy.categories.items()
    }
    # A `ja_together` pair already names both halves (a minor with a suggestive word), so it needs
    # no other category's hit for `needs_any_of`.
    pair_hits = (
        {name for name, category in policy.categories.items() if ja_pair_hit(category.ja_together, readings)}
        if readings
        else set()
    )
    term_hits = pair_hits | {
        name
        for name, category in policy.categories.items()
        if (category.terms and category.terms.search(for_terms[name]))
        or (readings and ja_hit(category.ja_terms, readings))
    }
    for name, category in policy.categories.items():
        if (category.extra_terms and category.extra_terms.search(for_terms[name])) or (
            readings and ja_hit(category.ja_extra_terms, readings)
        ):
            return Verdict(name, "terms", normalised=normalised)
        if name in pair_hits or (
            name in term_hits and (not category.needs_any_of or term_hits & set(category.needs_any_of))
        ):
            return Verdict(name, "terms", normalised=normalised)
    if reading.unsupported:  # the classifier reads English: its scores would mean nothing here
        return Verdict(UNSUPPORTED_LANGUAGE, "language", normalised=normalised, language=reading.language)
    meaning_readings = classifier_readings(text)
    # A multilingual encoder also reads a glossed language as written (the glossary's reading keeps
    # only the phrases it knows).
    written = [" ".join(text.split())] if reading.language not in NATIVE else []
    offset = strictness(policy, audience)
    best, over = _over(
        classifier().scores(meaning_readings, written),
        {name: category.threshold - offset for name, category in policy.categories.items()},
        policy.margin - offset,
    )
    rounded = {name: round(score, 3) for name, score in best.items()}
    if over:
        return Verdict(max(over)[1], "semantic", rounded, normalised)
    chars = char_classifier()
    if chars is not None and (config := policy.char_ngrams) is not None:
        # The whole text too: a short prompt's sentences say together what none says alone.
        whole_and_parts = dict.fromkeys([normalised, *meaning_readings])
        long_enough = [reading for reading in whole_and_parts if _ngram_length(reading) >= config.min_characters]
        char_best, over = _over(
            chars.scores(long_enough),
            # Not a category that needs another's hit too (sexual_minors): n-grams learn "a schoolgirl"
            # from its rows, and a child alone is an everyday scene (小学生の女の子が公園で遊ぶ).
            {name: config.threshold - offset for name, c in policy.categories.items() if not c.needs_any_of},
            config.margin - offset,
        )
        rounded |= {f"chars.{name}": round(score, 3) for name, score in char_best.items() if score >= 0.1}
        if over:
            return Verdict(max(over)[1], "char_ngrams", rounded, normalised)
    return Verdict(None, scores=rounded, normalised=normalised)


def _over(
    scored: Sequence[tuple[dict[str, float], float]], thresholds: dict[str, float], margin: float
) -> tuple[dict[str, float], list[tuple[float, str]]]:
    """The best score per category over the readings, and the categories some reading is over (by
    how far past the threshold). A category is over when ONE reading is both close enough to it and
    far enough from the benign examples: the best score of one reading and the best margin of
    another (a request read whole has many readings) would add up to a refusal no reading deserves."""
    best: dict[str, float] = {}
    over: list[tuple[float, str]] = []
    for per_category, benign in scored:
        for name, score in per_category.items():
            best[name] = max(best.get(name, 0.0), score)
            if name in thresholds and score >= thresholds[name] and score - benign >= margin:
                over.append((score - thresholds[name], name))
    return best, over


def _ngram_length(text: str) -> int:
    """Characters, a kana or kanji counted twice: it carries about as much as two Latin letters."""
    return sum(2 if japanese.has_japanese(character) else 1 for character in text)


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
