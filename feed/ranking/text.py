"""Words: the keyword half of steering and of the teen check (the embedding half is in embeddings)."""

from __future__ import annotations

import re

from feed.ranking.japanese_topics import japanese_topic_words
from sora_site.japanese import has_japanese

_WORD = re.compile(r"[a-z0-9]+")


def stem(word: str) -> str:
    """A crude English stem, enough to match "cooking" with "cook" and "sports" with "sport"."""
    for suffix in ("ing", "ers", "er", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> frozenset[str]:
    """The stems of the English words, plus for Japanese text its topic words (see `japanese_topics`)."""
    words = _WORD.findall(text.lower())
    if has_japanese(text):
        words += japanese_topic_words(text)
    return frozenset(stem(word) for word in words)
