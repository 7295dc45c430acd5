"""Steering in plain words: "more cooking and anime, less sports, no horror" -> chips -> score terms.

Japanese works the same way ("アニメをもっと、スポーツは少なめ、ホラーはなし" gives the same three
chips): janome finds the nouns and the words that say more, less or none, and a Japanese topic with an
English twin in `japanese_topics` becomes that English topic, so its embedding direction means
something to the English-only MiniLM and its chip equals the English one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from feed.ranking.japanese_topics import english_topic
from feed.ranking.text import stems
from feed.ranking.types import Chip, ChipKind, SteeringTerm
from sora_site import japanese

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
# Japanese mode words by dictionary form. A negation anywhere in the clause wins (見たくない, いらない,
# ホラーはなし: all ない), then "less", then "more" (もっと少なく is less).
_JA_NO = {
    "ない", "無い", "なし", "無し", "不要", "禁止", "嫌", "いや", "嫌い", "やめる", "止める", "消す", "非表示", "除外",
}  # fmt: skip
_JA_LESS = {"少なめ", "控えめ", "減らす", "減る", "少し", "ちょっと", "少ない", "ほどほど", "控える"}
_JA_MORE = {
    "もっと", "多め", "増やす", "増える", "たくさん", "沢山", "多い", "好き", "大好き", "欲しい", "ほしい", "たい",
}  # fmt: skip
_JA_FILLER = {
    "動画", "ビデオ", "映像", "投稿", "コンテンツ", "クリップ", "もの", "物", "関係", "関連", "ジャンル",
    "フィード", "番組", "こと", "やつ", "私", "僕", "俺",
}  # fmt: skip
# Nouns that never name a topic: pronouns, dependent nouns (こと, 以外), numbers, suffixes (系), adverb-like.
_JA_NOT_TOPIC = {"代名詞", "非自立", "数", "接尾", "副詞可能"}
# Clauses end at punctuation, "and"/"but"/..., and their Japanese counterparts (、。・, けど).
_CLAUSE = re.compile(r"[,;.!?\n、。・]+|\band\b|\bbut\b|\bor\b|\bplus\b|&|けれども|けれど|けど")
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")


@dataclass(frozen=True)
class _Clause:
    mode: ChipKind | None  # None: the clause says no mode word of its own
    topics: list[tuple[str, str]]  # (the topic ranking reads, the topic as written)
    japanese: bool


def _english_clause(clause: str) -> _Clause:
    mode: ChipKind | None = None
    topic_words: list[str] = []
    for word in _WORD.findall(clause):
        if word in _MODES and not topic_words:
            mode = _MODES[word]
        elif word not in _FILLER and word not in _MODES:
            topic_words.append(word)
    topic = " ".join(topic_words)
    return _Clause(mode, [(topic, topic)], japanese=False)


def _japanese_mode(bases: set[str]) -> ChipKind | None:
    if bases & _JA_NO:
        return "no"
    if bases & _JA_LESS:
        return "less"
    return "more" if bases & _JA_MORE else None


def _japanese_topic(words: list[str]) -> str:
    """A run of nouns as a topic: its English twin where every part has one, else as written."""
    english = english_topic(words)
    if english is not None:
        return english
    return _as_written(words)


def _as_written(words: list[str]) -> str:
    return " ".join(words) if all(word.isascii() for word in words) else "".join(words)


def _japanese_clause(clause: str) -> _Clause:
    """Each run of topic nouns is a topic ("宇宙や科学" is two); the mode words may come before or
    after them (もっとアニメ, アニメをもっと)."""
    words = japanese.tagged(clause)
    bases = {base for _, base, _ in words}
    topics: list[tuple[str, str]] = []
    run: list[str] = []
    for surface, base, pos in words:
        is_topic = (
            pos[0] == "名詞"
            and pos[1] not in _JA_NOT_TOPIC
            and base not in _JA_FILLER
            and _japanese_mode({base}) is None
        )
        if is_topic:
            run.append(surface)
        elif run:
            topics.append((_japanese_topic(run), _as_written(run)))
            run = []
    if run:
        topics.append((_japanese_topic(run), _as_written(run)))
    return _Clause(_japanese_mode(bases), topics, japanese=True)


def _clause_modes(clauses: list[_Clause]) -> list[ChipKind]:
    """An English clause without a mode word takes the previous clause's ("more cooking and anime");
    a Japanese one takes the next Japanese clause's, as the Japanese predicate comes last
    (ホラー、グロはなし is "no" for both), else the previous one's. The first defaults to "more"."""
    modes: list[ChipKind] = []
    previous: ChipKind = "more"
    for index, clause in enumerate(clauses):
        mode = clause.mode
        if mode is None and clause.japanese:
            following = (c.mode for c in clauses[index + 1 :] if c.japanese)
            mode = next((m for m in following if m is not None), None)
        previous = mode or previous
        modes.append(previous)
    return modes


def steering_parse(text: str) -> list[Chip]:
    """Chips from free text in English or Japanese (clause by clause, so the two may be mixed).
    Later chips about a topic win."""
    text = unicodedata.normalize("NFKC", text).lower()
    clauses = [
        _japanese_clause(part) if japanese.has_japanese(part) else _english_clause(part) for part in _CLAUSE.split(text)
    ]
    chips: dict[str, Chip] = {}
    for clause, mode in zip(clauses, _clause_modes(clauses), strict=True):
        for topic, written in clause.topics:
            topic = topic[:TOPIC_MAX].strip()
            if topic:
                chips.pop(topic, None)
                chips[topic] = Chip(kind=mode, topic=topic, written=written[:TOPIC_MAX].strip())
    return list(chips.values())[-CHIPS_MAX:]


def steering_terms(chips: list[Chip], vectors: list[np.ndarray | None]) -> list[SteeringTerm]:
    """Pair chips with their topic embeddings (None where the model is missing) and keywords. A
    Japanese topic with no English twin ("盆栽") is steered by its keyword alone: the English-only
    model's vector for it would point nowhere in particular."""
    return [
        SteeringTerm(
            chip=chip, vector=None if japanese.has_japanese(chip.topic) else vector, keywords=stems(chip.topic)
        )
        for chip, vector in zip(chips, vectors, strict=True)
    ]


def chips_from_json(raw: object) -> list[Chip]:
    """Chips as stored (a list of {"kind", "topic"}); anything malformed is dropped."""
    chips: list[Chip] = []
    if not isinstance(raw, list):
        return chips
    for item in raw:
        if isinstance(item, dict) and item.get("kind") in ("more", "less", "no") and isinstance(item.get("topic"), str):
            written = item.get("written")
            written = written[:TOPIC_MAX] if isinstance(written, str) else ""
            chips.append(Chip(kind=item["kind"], topic=item["topic"][:TOPIC_MAX], written=written))
    return chips[:CHIPS_MAX]


def chips_to_json(chips: list[Chip]) -> list[dict[str, str]]:
    return [{"kind": chip.kind, "topic": chip.topic, "written": chip.written} for chip in chips]
