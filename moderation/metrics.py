"""Moderation's Prometheus metrics: how long each stage takes and what it decides (sora_site/metrics.py
serves them). Stages: prompt and text (stage 1, moderation/texts.py), frames and voice (stage 2,
generation/safety.py), publish (stage 3, feed/posts/services.py)."""

from __future__ import annotations

import time
from contextlib import ContextDecorator
from types import TracebackType

from prometheus_client import Counter, Histogram

from sora_site.errors import DomainError

STAGE_SECONDS = Histogram(
    "sora_moderation_stage_seconds",
    "Time one moderation check takes, by stage",
    ["stage"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
DECISIONS = Counter("sora_moderation_decisions_total", "Moderation decisions, by stage", ["stage", "decision"])


class stage_measured(ContextDecorator):
    """Times a check and counts its decision: `refused` when it raises a DomainError, `error` on any
    other exception, else `decision` (which a `with` block may set, e.g. to "held")."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.decision = "allowed"
        self._started = 0.0

    def _recreate_cm(self) -> stage_measured:
        return stage_measured(self.stage)  # a decorated function may run on several threads at once

    def __enter__(self) -> stage_measured:
        self._started = time.perf_counter()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        STAGE_SECONDS.labels(self.stage).observe(time.perf_counter() - self._started)
        if kind is None:
            decision = self.decision
        else:
            decision = "refused" if isinstance(error, DomainError) else "error"
        DECISIONS.labels(self.stage, decision).inc()
