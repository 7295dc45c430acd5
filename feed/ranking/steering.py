"""Steering in plain words: "more cooking and anime, less sports, no horror" -> chips -> score terms."""

from __future__ import annotations

import re

import numpy as np

from feed.ranking.text import stems
from feed.ranking.types import Chip, ChipKind, SteeringTerm

CHIPS_MAX = 12
TOPIC_MAX = 40
_MODES: dict[str, ChipKind] = {
    "more": "more",
    "show": "more",
    "want": "more",
    "love": "more",
    "like": "more",
    "less": "less",
    "fewer": "less",
    "reduce": "less",
    "no": "no",
    "not": "no",
    "without": "no",
    "never": "no",
    "hide": "no",
    "stop": "no",
}
_FILLER = {
    "i", "me", "my", "please", "of", "the", "a", "an", "some", "any", "videos", "video", "clips", "stuff",
    "content", "posts", "things", "about", "with", "to", "see", "showing", "at", "all", "much", "lot", "lots",
    "anymore", "them", "it", "in", "on", "feed",
}  # fmt: skip
_CLAUSE = re.compile(r"[,;.!?\n]+|\band\b|\bbut\b|\bor\b|\bplus\b|&")
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")


def steering_parse(text: str) -> list[Chip]:
    """Chips from free text. A clause without a mode word takes the previous clause's ("more cooking
    and anime" is two "more" chips); the first defaults to "more". Later chips about a topic win."""
    chips: dict[str, Chip] = {}
    mode: ChipKind = "more"
    for clause in _CLAUSE.split(text.lower()):
        words = _WORD.findall(clause)
        topic_words: list[str] = []
        for word in words:
            if word in _MODES and not topic_words:
                mode = _MODES[word]
            elif word not in _FILLER and word not in _MODES:
                topic_words.append(word)
        topic = " ".join(topic_words)[:TOPIC_MAX].strip()
        if topic:
            chips.pop(topic, None)
            chips[topic] = Chip(kind=mode, topic=topic)
    return list(chips.values())[-CHIPS_MAX:]


def steering_terms(chips: list[Chip], vectors: list[np.ndarray | None]) -> list[SteeringTerm]:
    """Pair chips with their topic embeddings (None where the model is missing) and keywords."""
    return [
        SteeringTerm(chip=chip, vector=vector, keywords=stems(chip.topic))
        for chip, vector in zip(chips, vectors, strict=True)
    ]


def chips_from_json(raw: object) -> list[Chip]:
    """Chips as stored (a list of {"kind", "topic"}); anything malformed is dropped."""
    chips: list[Chip] = []
    if not isinstance(raw, list):
        return chips
    for item in raw:
        if isinstance(item, dict) and item.get("kind") in ("more", "less", "no") and isinstance(item.get("topic"), str):
            chips.append(Chip(kind=item["kind"], topic=item["topic"][:TOPIC_MAX]))
    return chips[:CHIPS_MAX]


def chips_to_json(chips: list[Chip]) -> list[dict[str, str]]:
    return [{"kind": chip.kind, "topic": chip.topic} for chip in chips]
