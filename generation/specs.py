"""What a generation request may ask for: one place for the web form, the API and validation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext

from sora_site.errors import DomainError
from sora_site.fields import float_parse, int_parse

MODELS = ("sora-2", "sora-2-pro")
# The API also accepts dated snapshot names; they map to the same backends.
MODEL_ALIASES = {
    "sora-2-2025-10-06": "sora-2",
    "sora-2-2025-12-08": "sora-2",
    "sora-2-pro-2025-10-06": "sora-2-pro",
}
SIZES = {"720x1280": (720, 1280), "1280x720": (1280, 720), "1024x1792": (1024, 1792), "1792x1024": (1792, 1024)}
DEFAULT_SIZE = "720x1280"
DURATIONS = (4, 8, 12)
PROMPT_MAX_CHARS = 32_000
STORYBOARD_MIN_SHOTS, STORYBOARD_MAX_SHOTS = 2, 6
STORYBOARD_MAX_SECONDS = 20
SHOT_SECONDS = range(1, 13)
STITCH_MIN_PARTS, STITCH_MAX_PARTS = 2, 6
# Joined videos are held whole in memory by finishing, like a generated clip: 60 s is about 4 GB of frames
# at 720x1280 and 24 fps.
STITCH_MAX_SECONDS = 60
STITCH_MIN_PART_SECONDS = 0.5


def model_check(model: str, model_paths: Mapping[str, Path | None] | None = None) -> str:
    """The model a request names, by its canonical name: one this service offers (or one the backend
    was built to serve), with its weights installed on this server. Job creation checks against
    settings (a preview server needs no weights); a backend checks against the paths it was built
    with, so a job whose weights went away between creation and its run fails the same way."""
    from django.conf import settings

    name = MODEL_ALIASES.get(model, model)
    if model_paths is None and settings.GENERATION_BACKEND == "diffusers":
        model_paths = settings.MODEL_PATHS
    if name not in MODELS and (model_paths is None or name not in model_paths):
        raise DomainError(
            "unknown_model",
            gettext("Unknown model %(model)r. Choose one of: %(models)s.")
            % {"model": model, "models": ", ".join(MODELS)},
            field="model",
        )
    path = model_paths.get(name) if model_paths is not None else None
    if model_paths is not None and (path is None or not Path(path).is_dir()):
        raise DomainError(
            "model_unavailable",
            gettext("%(model)s is not available on this server.") % {"model": name},
            field="model",
            status=503,
        )
    return name


def size_check(size: str) -> tuple[int, int]:
    if size not in SIZES:
        raise DomainError(
            "invalid_size",
            gettext("Unknown size %(size)r. Choose one of: %(sizes)s.") % {"size": size, "sizes": ", ".join(SIZES)},
            field="size",
        )
    return SIZES[size]


def seconds_check(seconds: int | str) -> int:
    value = int_parse(seconds)
    if value is None or value not in DURATIONS:
        raise DomainError(
            "invalid_seconds",
            gettext("Duration must be one of %(durations)s seconds.") % {"durations": ", ".join(map(str, DURATIONS))},
            field="seconds",
        )
    return value


def prompt_check(prompt: str, *, field: str = "prompt") -> str:
    text = (prompt or "").strip()
    if not text:
        raise DomainError("prompt_empty", gettext("Write a prompt describing the video."), field=field)
    if len(text) > PROMPT_MAX_CHARS:
        raise DomainError(
            "prompt_too_long",
            gettext("Prompts can be at most %(max)s characters (this one has %(length)s).")
            % {"max": f"{PROMPT_MAX_CHARS:,}", "length": f"{len(text):,}"},
            field=field,
        )
    return text


def shots_check(shots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A storyboard: 2-6 shots, each with its own prompt and whole seconds, at most 20 s in all."""
    if not STORYBOARD_MIN_SHOTS <= len(shots) <= STORYBOARD_MAX_SHOTS:
        raise DomainError(
            "storyboard_shots",
            gettext("A storyboard has %(min)d to %(max)d shots.")
            % {"min": STORYBOARD_MIN_SHOTS, "max": STORYBOARD_MAX_SHOTS},
            field="shots",
        )
    checked: list[dict[str, Any]] = []
    for number, shot in enumerate(shots, start=1):
        prompt = prompt_check(str(shot.get("prompt", "")), field=f"shot-{number}-prompt")
        seconds = int_parse(shot.get("seconds"))
        if seconds is None or seconds not in SHOT_SECONDS:
            raise DomainError(
                "storyboard_shot_seconds",
                gettext("Shot %(number)d must last 1 to 12 seconds.") % {"number": number},
                field=f"shot-{number}-seconds",
            )
        checked.append({"prompt": prompt, "seconds": seconds})
    total = sum(shot["seconds"] for shot in checked)
    if total > STORYBOARD_MAX_SECONDS:
        raise DomainError(
            "storyboard_too_long",
            gettext("A storyboard can last at most %(max)d s in all (this one is %(total)d s).")
            % {"max": STORYBOARD_MAX_SECONDS, "total": total},
            field="shots",
        )
    return checked


@dataclass(frozen=True)
class StitchPartSpec:
    """One draft of a stitch request, by public id, trimmed to `start_s`..`end_s` of its own time."""

    source_id: str
    start_s: float
    end_s: float


def stitch_parts_check(parts: Sequence[Mapping[str, object]]) -> list[StitchPartSpec]:
    """A stitch request's shape: 2-6 drafts in order, each with a start and an end (seconds). Whether each
    draft may be used, and the trims against its length, are the services' checks."""
    if not STITCH_MIN_PARTS <= len(parts) <= STITCH_MAX_PARTS:
        raise DomainError(
            "stitch_parts",
            gettext("Pick %(min)d to %(max)d drafts to stitch (you picked %(count)d).")
            % {"min": STITCH_MIN_PARTS, "max": STITCH_MAX_PARTS, "count": len(parts)},
            field="parts",
        )
    checked = []
    for number, part in enumerate(parts, start=1):
        start, end = float_parse(part.get("start")), float_parse(part.get("end"))
        if start is None or end is None or start < 0 or end - start < STITCH_MIN_PART_SECONDS:
            raise DomainError(
                "stitch_trim",
                gettext("Draft %(number)d: the start and end must be numbers of seconds, at least %(min)s s apart.")
                % {"number": number, "min": STITCH_MIN_PART_SECONDS},
                field=f"part-{number}",
            )
        checked.append(StitchPartSpec(str(part.get("id", "")).strip(), start, end))
    total = sum(part.end_s - part.start_s for part in checked)
    if total > STITCH_MAX_SECONDS:
        raise DomainError(
            "stitch_too_long",
            gettext("A stitched video can last at most %(max)d s (this one would be %(total)s s). Trim the drafts.")
            % {"max": STITCH_MAX_SECONDS, "total": f"{total:.1f}"},
            field="parts",
        )
    return checked
