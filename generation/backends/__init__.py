"""Backend selection: one instance per worker process, so model weights load once and stay resident.

With GENERATION_BACKEND=diffusers each model name is served by the backend its folder is for: a
folder of LTX2* pipelines by the LTX-2 backend (video with the model's own audio), anything else by
the Wan backend. So `sora-2` can be LTX-2 distilled while `sora-2-pro` is LTX-2 two-stage, or Wan.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

from django.conf import settings

from generation.backends.base import (
    Backend,
    CancelCheck,
    GenerationRequest,
    GenerationResult,
    ProgressCallback,
)


class ByModel:
    """Hands each request to the backend configured for its model name."""

    name = "diffusers"
    is_preview = False

    def __init__(self, backends: Mapping[str, Backend], fallback: Backend) -> None:
        self.backends, self.fallback = dict(backends), fallback

    def generate(
        self, request: GenerationRequest, *, on_progress: ProgressCallback, should_cancel: CancelCheck
    ) -> GenerationResult:
        backend = self.backends.get(request.model, self.fallback)
        return backend.generate(request, on_progress=on_progress, should_cancel=should_cancel)


@cache
def get_backend() -> Backend:
    if settings.GENERATION_BACKEND == "diffusers":
        from generation.backends.diffusers_backend import DiffusersBackend
        from generation.backends.ltx2_backend import LTX2_PIPELINES, LTX2Backend

        paths: dict[str, Path] = {name: path for name, path in settings.MODEL_PATHS.items() if path is not None}
        ltx2_paths = {name: path for name, path in paths.items() if LTX2_PIPELINES.capabilities(path)}
        wan = DiffusersBackend(
            {name: path for name, path in paths.items() if name not in ltx2_paths},
            num_inference_steps=settings.DIFFUSERS_STEPS,
            max_area=settings.DIFFUSERS_MAX_AREA,
            max_frames=settings.DIFFUSERS_MAX_FRAMES,
        )
        if not ltx2_paths:
            return wan
        ltx2 = LTX2Backend(
            ltx2_paths,
            modes=settings.LTX2_MODES,
            num_inference_steps=settings.LTX2_STEPS,
            distilled_steps=settings.LTX2_DISTILLED_STEPS,
            refine_steps=settings.LTX2_REFINE_STEPS,
            guidance_scale=settings.LTX2_GUIDANCE_SCALE,
            max_area=settings.LTX2_MAX_AREA,
            max_frames=settings.LTX2_MAX_FRAMES,
            max_sequence_length=settings.LTX2_MAX_SEQUENCE_LENGTH,
            cameo_strength=settings.LTX2_CAMEO_STRENGTH,
            dialogue_strength=settings.LTX2_DIALOGUE_STRENGTH,
        )
        if len(ltx2_paths) == len(paths):
            return ltx2
        return ByModel(dict.fromkeys(ltx2_paths, ltx2), fallback=wan)
    from generation.backends.preview import PreviewBackend

    return PreviewBackend()
