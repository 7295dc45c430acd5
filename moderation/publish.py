"""Stage 3 of moderation, publish: what a posted draft's frames and text say about who may see it.

Reads the `[publish]` policy (policy.toml). Pure of any database write: the posts app asks for a
verdict and applies it (holds the post, labels it, opens the case).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from moderation.nudity import detections, explicit_labels
from moderation.policy import Audience, texts_verdict
from moderation.policy_file import POLICY_PATH, policy_load
from sora_site.text_embeddings import embed, embed_kept


@dataclass(frozen=True)
class PublishRules:
    frames_per_second: int
    frames_min: int
    feed_min_score: float
    teen_min_score: float
    suggestive: frozenset[str]
    review_offset: float
    teen_threshold: float
    teen_margin: float
    teen_examples: tuple[str, ...]
    teen_benign: tuple[str, ...]


@cache
def publish_rules() -> PublishRules:
    raw = tomllib.loads(POLICY_PATH.read_text())["publish"]
    return PublishRules(
        frames_per_second=int(raw["frames_per_second"]),
        frames_min=int(raw["frames_min"]),
        feed_min_score=float(raw["feed_min_score"]),
        teen_min_score=float(raw["teen_min_score"]),
        suggestive=frozenset(raw["suggestive"]),
        review_offset=float(raw["review_offset"]),
        teen_threshold=float(raw["teen_threshold"]),
        teen_margin=float(raw["teen_margin"]),
        teen_examples=tuple(raw["teen_examples"]),
        teen_benign=tuple(raw["teen_benign"]),
    )


@dataclass(frozen=True)
class FrameFinding:
    index: int  # into the frames handed in
    label: str
    score: float


@dataclass
class PublishVerdict:
    """`hold`: a moderator must see it first (`category` says why, for the case). `teen_suitable`
    False: never shown to teen accounts. `evidence`: the frames behind a hold or the teen label."""

    hold: bool = False
    category: str = ""  # "nudity", a text policy category, or "unchecked" (set by the caller)
    teen_suitable: bool = True
    reasons: list[str] = field(default_factory=list)
    evidence: list[FrameFinding] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)  # for the moderation log, never the user


def teen_text_scores(text: str) -> tuple[float, float]:
    """(similarity to the closest teen-unsuitable example, to the closest benign anchor), MiniLM cosine."""
    vectors = _teen_vectors()
    found = embed([text])
    if vectors is None or found is None:
        return 0.0, 0.0
    unsuitable, benign = vectors
    return float((found @ unsuitable.T).max()), float((found @ benign.T).max())


@cache
def _teen_vectors() -> tuple[np.ndarray, np.ndarray] | None:
    rules = publish_rules()
    anchors = [*rules.teen_benign, *policy_load().benign]
    vectors = embed_kept([*rules.teen_examples, *anchors])  # the same every time: kept on disk
    if vectors is None:
        return None
    return vectors[: len(rules.teen_examples)], vectors[len(rules.teen_examples) :]


def _frames_over(findings: list[list[FrameFinding]], labels: frozenset[str], score: float) -> list[FrameFinding]:
    """The best finding of each frame with one of `labels` at `score` or more, if enough frames have one."""
    rules = publish_rules()
    best = [next((f for f in frame if f.label in labels and f.score >= score), None) for frame in findings]
    hits = [f for f in best if f is not None]
    return hits if hits and len(hits) >= min(rules.frames_min, len(findings)) else []


def publish_verdict(*, frames: Sequence[np.ndarray], texts: Sequence[str]) -> PublishVerdict:
    """Judge a post from frames sampled from its video (`publish_rules().frames_per_second`) and its
    texts (caption, prompt), judged alone and together."""
    rules = publish_rules()
    verdict = PublishVerdict()
    per_frame = [[FrameFinding(i, d.label, d.score) for d in detections(np.asarray(f))] for i, f in enumerate(frames)]
    explicit = explicit_labels()
    held_frames = _frames_over(per_frame, explicit, rules.feed_min_score)
    if held_frames:
        verdict.hold, verdict.category = True, "nudity"
        verdict.reasons.append(f"frames: {held_frames[0].label} {held_frames[0].score:.2f}")
        verdict.evidence = held_frames
    teen_frames = _frames_over(per_frame, explicit | rules.suggestive, rules.teen_min_score)
    if teen_frames:
        verdict.teen_suitable = False
        verdict.reasons.append(f"teen: frames {teen_frames[0].label} {teen_frames[0].score:.2f}")
        verdict.evidence = verdict.evidence or teen_frames
    explicit_scores = [f.score for frame in per_frame for f in frame if f.label in explicit]
    verdict.scores["frames_best"] = max(explicit_scores, default=0.0)
    # The caption and the prompt together, like the prompt stage's whole request (`texts_verdict`).
    _, text_held = texts_verdict(texts, Audience(surface="caption", offset=rules.review_offset))
    verdict.scores.update(text_held.scores)
    if text_held.category is not None:
        verdict.teen_suitable = False
        verdict.reasons.append(f"text: {text_held.category}")
        if not verdict.hold:
            verdict.hold, verdict.category = True, text_held.category
    for text in (t for t in texts if t.strip()):
        teen_score, benign = teen_text_scores(text)
        verdict.scores["teen"] = max(verdict.scores.get("teen", 0.0), round(teen_score, 3))
        if teen_score >= rules.teen_threshold and teen_score - benign >= rules.teen_margin:
            verdict.teen_suitable = False
            verdict.reasons.append(f"teen: text {teen_score:.2f} (closest benign {benign:.2f})")
    return verdict
