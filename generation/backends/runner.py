"""The skeleton every diffusion backend runs: check the model, plan the shots, load their pipelines,
generate each shot, join the shots with hard cuts, time and describe it all.

A backend is a `Recipe`: it supplies only what differs (how it plans and conditions a shot, which
pipelines it loads, how one shot runs through them, what its metadata adds) and calls
`shots_generate` from its `generate`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np

from generation.backends.base import (
    CancelCheck,
    Cue,
    GenerationCancelled,
    GenerationRequest,
    GenerationResult,
    ProgressCallback,
)
from generation.backends.loading import Loader
from generation.backends.shots import ShotPlan, shot_frames
from generation.backends.stepping import Progress, StepCallback, StepHook, Timings
from generation.specs import model_check

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

# Work that is not the model's: the rest of a job's timings are GPU time.
_HOST_TIMINGS = ("load", "prepare", "resize")


class PlannedShot(Protocol):
    """A backend's plan for one shot: the request's part and the pipeline kind that serves it."""

    @property
    def plan(self) -> ShotPlan: ...

    @property
    def kind(self) -> str: ...


ShotT = TypeVar("ShotT", bound=PlannedShot)


@dataclass
class ShotOutput:
    video: np.ndarray  # F x H x W x 3 uint8 at the generation size, F >= 1
    meta: dict[str, Any]  # what this shot adds to its entry in the metadata's "shots"
    audio: np.ndarray | None = None  # samples x channels float32, exactly the shot's length
    sample_rate: int = 0
    cues: Sequence[Cue] = ()  # the lines its audio speaks, timed from the start of the clip


@dataclass
class Run:
    """One generation in progress, as a backend's `shot_generate` sees it."""

    request: GenerationRequest
    size: tuple[int, int]  # (width, height) to generate at
    pipes: dict[str, Any]  # kind -> resident pipeline
    loader: Loader
    timings: Timings
    progress: Progress
    should_cancel: CancelCheck
    units_per_shot: int

    def step_callback(
        self, shot: ShotPlan, *, after_steps: int, steps: int, hook: StepHook | None = None
    ) -> StepCallback:
        """The callback for a pipeline call of `steps` steps that starts `after_steps` steps into `shot`."""
        first_unit = shot.index * self.units_per_shot + after_steps
        return StepCallback(
            self.progress, self.should_cancel, self.loader.sync, first_unit=first_unit, steps=steps, hook=hook
        )

    def generator(self) -> torch.Generator:
        """The request's seed, fresh for each pipeline call: every shot and stage starts from it."""
        import torch

        return torch.Generator(device=self.loader.device).manual_seed(int(self.request.seed))


class Recipe(Protocol[ShotT]):
    """What a diffusion backend supplies to `shots_generate`."""

    @property
    def name(self) -> str: ...

    @property
    def family(self) -> str: ...  # "wan", "ltx2": in the log line

    @property
    def fps(self) -> int: ...

    @property
    def model_paths(self) -> Mapping[str, Path]: ...

    @property
    def loader(self) -> Loader: ...

    @property
    def stages(self) -> tuple[str, ...]: ...  # its timing keys besides load, prepare, decode and resize

    def plan(self, request: GenerationRequest, available: Mapping[str, Path]) -> list[ShotT]: ...

    def pipeline_kinds(self, request: GenerationRequest, shots: Sequence[ShotT]) -> list[str]: ...

    def size_for(self, request: GenerationRequest) -> tuple[int, int]: ...

    def steps_per_shot(self, request: GenerationRequest) -> int: ...

    def shot_generate(self, shot: ShotT, run: Run) -> ShotOutput: ...

    def metadata(self, request: GenerationRequest, shots: Sequence[ShotT], run: Run) -> dict[str, Any]: ...


def shots_generate(
    recipe: Recipe[ShotT],
    request: GenerationRequest,
    *,
    on_progress: ProgressCallback,
    should_cancel: CancelCheck,
) -> GenerationResult:
    started = time.perf_counter()
    loader = recipe.loader
    available = loader.capabilities(recipe.model_paths[model_check(request.model, recipe.model_paths)])
    if should_cancel():
        raise GenerationCancelled()
    timings = Timings(("load", "prepare", *recipe.stages, "decode", "resize"), loader.sync)
    with timings.measure("prepare"):
        shots = recipe.plan(request, available)
    pipes, timings["load"] = loader.pipelines_for(recipe.pipeline_kinds(request, shots), available)
    if loader.is_cuda:
        import torch

        torch.cuda.reset_peak_memory_stats(loader.device)
    units_per_shot = recipe.steps_per_shot(request) + 1  # each shot's decode counts as one step
    progress = Progress(on_progress, units_per_shot * len(shots))
    size = recipe.size_for(request)
    run = Run(request, size, pipes, loader, timings, progress, should_cancel, units_per_shot)

    frames: list[np.ndarray] = []
    audio: list[np.ndarray] = []
    cues: list[Cue] = []
    sample_rate = 0
    shot_meta: list[dict[str, Any]] = []
    for shot in shots:
        if should_cancel():
            raise GenerationCancelled()
        plan = shot.plan
        output = recipe.shot_generate(shot, run)
        progress.units_done((plan.index + 1) * units_per_shot)
        with timings.measure("resize"):
            frames.extend(shot_frames(output.video, request.width, request.height, plan.n_out))
        if output.audio is not None:
            audio.append(output.audio)
            sample_rate = output.sample_rate
            cues.extend(output.cues)
        shot_meta.append(
            {
                "kind": shot.kind,
                "frames": plan.n_out,
                "generated_frames": plan.n_gen,
                "time_stretched": plan.n_out > plan.n_gen,
                **output.meta,
            }
        )
    progress.report(1.0)

    total = time.perf_counter() - started
    metadata: dict[str, Any] = {
        "backend": recipe.name,
        "model": request.model,
        "pipeline": "+".join(pipes),
        "pipeline_classes": {kind: type(pipe).__name__ for kind, pipe in pipes.items()},
        "device": loader.device,
        "dtype": str(loader.dtype).removeprefix("torch."),
        "seed": request.seed,
        "generation_size": list(size),
        "output_size": [request.width, request.height],
        "fps": recipe.fps,
        **recipe.metadata(request, shots, run),
        "shots": shot_meta,
        "timings": {k: round(v, 4) for k, v in timings.items()} | {"total": round(total, 4)},
    }
    if loader.is_cuda:
        import torch

        gpu = sum(seconds for key, seconds in timings.items() if key not in _HOST_TIMINGS)
        metadata["gpu_seconds"] = round(gpu, 3)
        metadata["peak_gpu_memory_gb"] = round(torch.cuda.max_memory_allocated(loader.device) / 2**30, 2)
    log.info(
        "%s: %s %s %dx%d %d frames %s total=%.2fs",
        recipe.family, request.model, metadata["pipeline"], *size, len(frames),
        " ".join(f"{key}={seconds:.2f}s" for key, seconds in timings.items()), total,
    )  # fmt: skip
    return GenerationResult(
        frames=frames,
        fps=recipe.fps,
        audio=np.concatenate(audio) if audio else None,
        sample_rate=sample_rate,
        metadata=metadata,
        cues=cues,
    )
