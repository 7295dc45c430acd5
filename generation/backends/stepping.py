"""What runs beside a diffusion pipeline's steps: progress, the cancel check and stage timings.

Progress counts in units: every denoising step of every stage is one, and each shot's decode is one
more. A cancel is raised from the step callback (`GenerationCancelled` at the step boundary), so a
cancelled job stops within a step and decodes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from generation.backends.base import CancelCheck, GenerationCancelled, ProgressCallback

# Runs inside the step callback before progress is reported: (pipeline, step, its callback tensors).
StepHook = Callable[[Any, int, dict[str, Any]], None]


class Progress:
    """Monotonic progress over `total_units`, reported as a fraction in 0.0 .. 1.0."""

    def __init__(self, on_progress: ProgressCallback, total_units: int) -> None:
        self.on_progress, self.total_units = on_progress, total_units
        self.last = 0.0

    def units_done(self, units: int) -> None:
        self.report(units / self.total_units)

    def report(self, fraction: float) -> None:
        self.last = min(1.0, max(self.last, fraction))
        self.on_progress(self.last)


class Timings(dict[str, float]):
    """Seconds per stage of one generation, the device synchronised at the end of each measurement
    (CUDA runs asynchronously: without it the time would land in whichever stage waits next)."""

    def __init__(self, keys: tuple[str, ...], sync: Callable[[], None]) -> None:
        super().__init__(dict.fromkeys(keys, 0.0))
        self.sync = sync

    @contextmanager
    def measure(self, key: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.sync()
        self[key] += time.perf_counter() - started


class StepCallback:
    """A pipeline's `callback_on_step_end` for one call of `steps` steps whose first step is progress
    unit `first_unit`: runs the backend's hook, reports progress, notes when the last step ended (what
    the pipeline does after it, its own decode, is timed from there) and raises on cancel."""

    def __init__(
        self,
        progress: Progress,
        should_cancel: CancelCheck,
        sync: Callable[[], None],
        *,
        first_unit: int,
        steps: int,
        hook: StepHook | None = None,
    ) -> None:
        self.progress, self.should_cancel, self.sync = progress, should_cancel, sync
        self.first_unit, self.steps, self.hook = first_unit, steps, hook
        self.last_step_at: float | None = None

    def __call__(self, pipe: Any, step: int, timestep: Any, tensors: dict[str, Any]) -> dict[str, Any]:
        if self.hook is not None:
            self.hook(pipe, step, tensors)
        self.progress.units_done(self.first_unit + step + 1)
        if step + 1 == self.steps:
            self.sync()
            self.last_step_at = time.perf_counter()
        if self.should_cancel():
            raise GenerationCancelled()
        return {}
