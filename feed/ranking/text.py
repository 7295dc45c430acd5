"""Words: the keyword half of steering and of the teen check (the embedding half is in embeddings)."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+")


def stem(word: str) -> str:
    """A crude English stem, enough to match "cooking" with "cook" and "sports" with "sport"."""
    for suffix in ("ing", "ers", "er", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> frozenset[str]:
    return frozenset(stem(word) for word in _WORD.findall(text.lower()))
