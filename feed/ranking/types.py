"""The values that flow through the ranking stages. Plain data: every stage is a pure function of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
from django.utils.translation import gettext

from feed.ranking.text import stems

ChipKind = Literal["more", "less", "no"]


@dataclass(frozen=True)
class Chip:
    """One steering instruction: "more cooking", "less sports", "no horror"."""

    kind: ChipKind
    topic: str  # what ranking reads: a Japanese topic's English twin ("anime" for アニメ), else as written
    written: str = field(default="", compare=False)  # the topic as the person wrote it ("アニメ")

    @property
    def label(self) -> str:
        """In the interface language, with the topic as they wrote it: "more cooking", 「アニメを増やす」."""
        words = {"more": gettext("more %(topic)s"), "less": gettext("less %(topic)s"), "no": gettext("no %(topic)s")}
        return words[self.kind] % {"topic": self.written or self.topic}


@dataclass(frozen=True)
class SteeringTerm:
    """A chip made usable: its embedding direction and its keywords (stems)."""

    chip: Chip
    vector: np.ndarray | None
    keywords: frozenset[str]


@dataclass
class Candidate:
    """A post that one of the sources proposed, with what the later stages need to judge it."""

    post_id: int
    author_id: int
    created_at: dt.datetime
    text: str  # prompt + caption, lower case: keyword steering reads it
    sources: set[str] = field(default_factory=set)
    vector: np.ndarray | None = None
    visibility: str = "public"
    taken_down: bool = False
    teen_suitable: bool = True  # the publish stage's label
    author_shown: bool = True  # active, and no moderator hid their profile
    likes: int = 0
    comments: int = 0
    shares: int = 0
    remixes: int = 0
    impressions: int = 0
    completions: int = 0
    not_interested: int = 0
    is_remix: bool = False

    @cached_property
    def words(self) -> frozenset[str]:
        """The stems of `text`, made on first use: only keyword steering reads them."""
        return stems(self.text)


@dataclass
class Viewer:
    """Everything about the person that ranking uses, read once per page."""

    user_id: int | None
    now: dt.datetime
    is_teen: bool = False
    following: frozenset[int] = frozenset()
    mutuals: frozenset[int] = frozenset()
    hidden_authors: frozenset[int] = frozenset()  # blocks, both ways
    seen: frozenset[int] = frozenset()
    not_interested_posts: frozenset[int] = frozenset()
    damped_authors: dict[int, int] = field(default_factory=dict)  # author -> "not interested" count
    damped_vectors: list[np.ndarray] = field(default_factory=list)  # topics of "not interested" posts
    liked_authors: dict[int, int] = field(default_factory=dict)
    taste: np.ndarray | None = None
    steering: list[SteeringTerm] = field(default_factory=list)
    hide_remixes: bool = False  # the feed filter "hide remixes"


@dataclass
class Scored:
    candidate: Candidate
    score: float
    parts: dict[str, float] = field(default_factory=dict)  # what made the score: "why you're seeing this"
