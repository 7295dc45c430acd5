"""Backend selection: one instance per worker process, so model weights load once and stay resident."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from generation.backends.base import Backend


@cache
def get_backend() -> Backend:
    if settings.GENERATION_BACKEND == "diffusers":
        from generation.backends.diffusers_backend import DiffusersBackend

        paths = {name: path for name, path in settings.MODEL_PATHS.items() if path is not None}
        return DiffusersBackend(
            paths,
            num_inference_steps=settings.DIFFUSERS_STEPS,
            max_area=settings.DIFFUSERS_MAX_AREA,
            max_frames=settings.DIFFUSERS_MAX_FRAMES,
        )
    from generation.backends.preview import PreviewBackend

    return PreviewBackend()
