"""The production backend: Wan 2.x video diffusion through Hugging Face diffusers.

Model names map to model paths (settings): {"sora-2": Path(...), "sora-2-pro": Path(...)}.

On-disk layout of a model path
------------------------------
A model path is a directory holding one sub-folder per capability, each a diffusers pipeline
folder (a `model_index.json` plus one folder per component) as written by `save_pretrained` or as
published on the Hub in "-Diffusers" form::

    <model path>/
        t2v/   WanPipeline               text -> video          (e.g. Wan2.1-T2V-1.3B-Diffusers)
        i2v/   WanImageToVideoPipeline   input image -> video   (e.g. Wan2.1-I2V-14B-480P-Diffusers)
        vace/  WanVACEPipeline           cameo reference images, remix video-to-video
                                                                (e.g. Wan2.1-VACE-1.3B-diffusers)

Every sub-folder is optional; symlinks are fine. A model path may instead *be* a single pipeline
folder (it has a `model_index.json` at the top); its capability then comes from `_class_name`.
What a request needs, and what serves it:

    - cameos or a remix parent        -> vace (required)
    - an input image (first shot)     -> i2v, else vace (the image as a kept first frame)
    - text only                       -> t2v, else vace (no conditioning)

A request the model path cannot serve fails with DomainError("model_capability_missing"); a model
name with no path configured fails with DomainError("unknown_model"), a configured path that does
not exist with DomainError("model_unavailable").

Residency: each pipeline loads once per process, lazily, with `from_pretrained(folder, dtype=...)`
(bf16 on CUDA with the VAE and image encoder kept in fp32 as Wan recommends; fp32 on CPU) and stays
resident in a module-level cache keyed by (folder, kind, device, dtype). Components that are the
same files in several sub-folders (Wan's 5.7B-parameter UMT5-XXL text encoder, the VAE, the CLIP
image encoder: same config, same weight-file sizes and head/tail bytes) are loaded once and shared
between pipelines, so t2v + vace on one GPU do not hold two text encoders.

Video: Wan generates at 16 fps and needs 4k+1 frames. A shot of s seconds yields round(16 s)
frames, generated as the next 4k+1 (capped at `max_frames`, 81 by default = 5 s; a longer shot is
stretched in time to its length and says so in the metadata). The requested output size (720x1280,
1280x720, 1024x1792, 1792x1024) maps to a generation size with the same aspect, multiples of 16 and
at most `max_area` pixels (480*832 for the 1.3B models), and the frames are resized to the
requested size at the end (INTER_AREA down, INTER_CUBIC up). Storyboards generate every shot with
the same seed and cameo references and join them with hard cuts. The result has no audio (the
worker adds the soundtrack).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from generation.backends.base import (
    CancelCheck,
    GenerationCancelled,
    GenerationRequest,
    GenerationResult,
    ProgressCallback,
)
from sora_site.errors import DomainError
from sora_site.images import cover_crop

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

PIPELINE_CLASSES = {"t2v": "WanPipeline", "i2v": "WanImageToVideoPipeline", "vace": "WanVACEPipeline"}
_SHAREABLE = ("text_encoder", "tokenizer", "vae", "image_encoder", "image_processor")
_FP32_COMPONENTS = ("vae", "image_encoder")  # kept in fp32 on CUDA (Wan's reference setup)

WAN_FPS = 16
WAN_VAE_TEMPORAL = 4
SIZE_MULTIPLE = 16  # VAE spatial factor 8 x transformer patch 2

# The English rendering of Wan 2.1's recommended negative prompt.
DEFAULT_NEGATIVE_PROMPT = (
    "Bright tones, overexposed, static, blurred details, subtitles, style, works, paintings, images, "
    "static, overall gray, worst quality, low quality, JPEG compression residue, ugly, incomplete, "
    "extra fingers, poorly drawn hands, poorly drawn faces, deformed, disfigured, misshapen limbs, "
    "fused fingers, still picture, messy background, three legs, many people in the background, "
    "walking backwards"
)

# ---------------------------------------------------------------------------------------------
# Process-wide resident pipelines.

_LOCK = threading.RLock()
_PIPELINES: dict[tuple[str, str, str, str], Any] = {}
_COMPONENTS: dict[tuple[str, str, str, str], Any] = {}  # (component, fingerprint, device, dtype)
LOAD_COUNT = 0  # pipelines actually loaded from disk in this process (tests watch it)


def clear_pipeline_cache() -> None:
    """Drop every resident pipeline (tests; a worker never needs this)."""
    with _LOCK:
        _PIPELINES.clear()
        _COMPONENTS.clear()


def resident_pipelines() -> list[tuple[str, str, str, str]]:
    with _LOCK:
        return list(_PIPELINES)


def _fingerprint(folder: Path) -> str:
    """Identity of a component folder: small files in full, big ones by size + first/last MiB."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        size = path.stat().st_size
        digest.update(str(size).encode())
        with path.open("rb") as fh:
            if size <= 2 << 20:
                digest.update(fh.read())
            else:
                digest.update(fh.read(1 << 20))
                fh.seek(-(1 << 20), 2)
                digest.update(fh.read())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# Pure helpers (unit-testable without a model).


def generation_size(width: int, height: int, max_area: int, multiple: int = SIZE_MULTIPLE) -> tuple[int, int]:
    """(width, height) to generate at: same orientation and aspect, multiples of `multiple`,
    at most `max_area` pixels and never larger than requested (diffusers' Wan max_area rule)."""
    area = min(max_area, width * height)
    aspect = height / width
    gen_h = max(multiple, int(round(math.sqrt(area * aspect))) // multiple * multiple)
    gen_w = max(multiple, int(round(math.sqrt(area / aspect))) // multiple * multiple)
    return gen_w, gen_h


def frame_plan(seconds: float, fps: int, max_frames: int, temporal: int = WAN_VAE_TEMPORAL) -> tuple[int, int]:
    """(frames to output, frames to generate): output round(seconds*fps) >= 1, generate the next
    `temporal`k+1 at or above it (the VAE's temporal factor: 4 for Wan, 8 for LTX-2), capped at the
    largest such count <= max_frames."""
    n_out = max(1, int(round(seconds * fps)))
    cap = max(1, (max_frames - 1) // temporal * temporal + 1)
    n_gen = (n_out - 1 + temporal - 1) // temporal * temporal + 1
    return n_out, min(n_gen, cap)


def fit_to_length(frames: list[np.ndarray], n_out: int) -> list[np.ndarray]:
    """Cut to `n_out` frames, or stretch in time (nearest frame) when the model made fewer."""
    if n_out <= len(frames):
        return frames[:n_out]
    src = len(frames)
    return [frames[min(src - 1, i * src // n_out)] for i in range(n_out)]


def resize_frames(frames: np.ndarray, width: int, height: int) -> list[np.ndarray]:
    out = []
    for frame in frames:
        if frame.shape[1] == width and frame.shape[0] == height:
            out.append(np.ascontiguousarray(frame))
            continue
        down = width * height < frame.shape[0] * frame.shape[1]
        interp = cv2.INTER_AREA if down else cv2.INTER_CUBIC
        out.append(cv2.resize(frame, (width, height), interpolation=interp))
    return out


@dataclass
class _ShotPlan:
    index: int
    kind: str
    prompt: str
    n_out: int
    n_gen: int
    start_s: float
    image: Image.Image | None = None
    extras: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------


class DiffusersBackend:
    """Wan 2.x text/image-to-video and VACE (cameos, remix) through diffusers. See module docstring."""

    name = "diffusers"
    is_preview = False
    # What a model folder may hold, and how components load (the LTX-2 backend overrides these).
    pipeline_classes: ClassVar[Mapping[str, str]] = PIPELINE_CLASSES
    shareable: ClassVar[tuple[str, ...]] = _SHAREABLE
    fp32_components: ClassVar[tuple[str, ...]] = _FP32_COMPONENTS

    def __init__(
        self,
        model_paths: Mapping[str, Path],
        *,
        device: str | None = None,
        num_inference_steps: int = 50,
        guidance_scale: float = 5.0,
        max_area: int | Mapping[str, int] = 480 * 832,
        max_frames: int = 81,
        negative_prompt: str = DEFAULT_NEGATIVE_PROMPT,
        max_reference_images: int = 3,
        remix_conditioning_scale: float = 1.0,
        share_components: bool = True,
    ) -> None:
        import torch

        self.model_paths = {name: Path(path) for name, path in model_paths.items()}
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.is_cuda = self.device.startswith("cuda")
        self.dtype = torch.bfloat16 if self.is_cuda else torch.float32
        self.num_inference_steps = int(num_inference_steps)
        self.guidance_scale = float(guidance_scale)
        self.max_area = max_area
        self.max_frames = int(max_frames)
        self.fps = WAN_FPS
        self.negative_prompt = negative_prompt
        self.max_reference_images = int(max_reference_images)
        self.remix_conditioning_scale = float(remix_conditioning_scale)
        self.share_components = share_components

    # -- model resolution ---------------------------------------------------------------------

    def _model_path(self, model: str) -> Path:
        path = self.model_paths.get(model)
        if path is None:
            known = ", ".join(sorted(self.model_paths)) or "none"
            raise DomainError("unknown_model", f"Unknown model {model!r} (configured: {known}).", field="model")
        if not path.is_dir():
            raise DomainError(
                "model_unavailable",
                f"The weights for {model!r} are not installed on this server.",
                status=503,
            )
        return path

    @classmethod
    def capabilities(cls, path: Path) -> dict[str, Path]:
        """{kind: pipeline folder} for a model path (see the layout in the module docstring): the
        folders whose model_index.json declares this backend's pipeline class for that kind."""
        path = Path(path)

        def declared(folder: Path) -> str:
            index = folder / "model_index.json"
            return str(json.loads(index.read_text()).get("_class_name", "")) if index.is_file() else ""

        if (path / "model_index.json").is_file():
            kind = next((k for k, name in cls.pipeline_classes.items() if name == declared(path)), None)
            return {kind: path} if kind else {}
        return {kind: path / kind for kind, name in cls.pipeline_classes.items() if declared(path / kind) == name}

    def _max_area(self, model: str) -> int:
        if isinstance(self.max_area, Mapping):
            return int(self.max_area.get(model, 480 * 832))
        return int(self.max_area)

    # -- loading ------------------------------------------------------------------------------

    def _dtype_for(self, component: str) -> torch.dtype:
        import torch

        if self.is_cuda and component in self.fp32_components:
            return torch.float32
        return self.dtype

    def pipeline(self, folder: Path, kind: str) -> tuple[Any, float]:
        """The resident pipeline for (folder, kind): (pipeline, seconds spent loading it now)."""
        global LOAD_COUNT
        key = (str(Path(folder).resolve()), kind, self.device, str(self.dtype))
        with _LOCK:
            pipe = _PIPELINES.get(key)
            if pipe is not None:
                return pipe, 0.0
            started = time.perf_counter()
            pipe = self._load(Path(folder), kind)
            _PIPELINES[key] = pipe
            LOAD_COUNT += 1
            seconds = time.perf_counter() - started
            log.info("diffusers: loaded %s pipeline from %s in %.1f s", kind, folder, seconds)
            return pipe, seconds

    def _load(self, folder: Path, kind: str) -> Any:  # a diffusers pipeline
        import diffusers
        import torch

        declared = json.loads((folder / "model_index.json").read_text())
        expected = self.pipeline_classes[kind]
        if declared.get("_class_name") != expected:
            raise DomainError(
                "model_misconfigured",
                f"{folder} holds a {declared.get('_class_name')}, expected {expected}.",
                status=503,
            )
        cls = getattr(diffusers, expected)
        shared: dict[str, Any] = {}
        prints: dict[str, tuple[str, str, str, str]] = {}
        if self.share_components:
            for comp in self.shareable:
                if (folder / comp).is_dir() and declared.get(comp, [None])[0] is not None:
                    prints[comp] = (
                        comp,
                        _fingerprint(folder / comp),
                        self.device,
                        str(self._dtype_for(comp)),
                    )
                    if prints[comp] in _COMPONENTS:
                        shared[comp] = _COMPONENTS[prints[comp]]
        dtype = {"default": self.dtype}
        if self.is_cuda:
            dtype.update({comp: torch.float32 for comp in self.fp32_components})
        pipe = cls.from_pretrained(folder, dtype=dtype, local_files_only=True, **shared)
        pipe.to(self.device)
        pipe.set_progress_bar_config(disable=True)
        for comp, fp in prints.items():
            _COMPONENTS.setdefault(fp, getattr(pipe, comp))
        return pipe

    # -- planning -----------------------------------------------------------------------------

    def _plan(self, request: GenerationRequest, available: Mapping[str, Path]) -> list[_ShotPlan]:
        if not request.shots:
            raise DomainError("invalid_request", "A generation needs at least one shot.")
        model = request.model
        needs_vace = bool(request.cameos) or request.parent_video is not None

        def missing(what: str, kinds: str) -> DomainError:
            have = ", ".join(sorted(available)) or "nothing"
            return DomainError(
                "model_capability_missing",
                f"The model {model!r} on this server cannot {what}: it needs a {kinds} pipeline and only has {have}.",
                status=503,
            )

        cameo_prefs = [c.preferences.strip() for c in request.cameos if c.preferences.strip()]
        plans: list[_ShotPlan] = []
        start = 0.0
        for index, shot in enumerate(request.shots):
            image = request.input_image if index == 0 else None
            kind: str | None
            if needs_vace:
                if "vace" not in available:
                    raise missing("use cameos or remix a video", "vace")
                kind = "vace"
            elif image is not None:
                kind = next((k for k in ("i2v", "vace") if k in available), None)
                if kind is None:
                    raise missing("start from an image", "i2v or vace")
            else:
                kind = next((k for k in ("t2v", "vace") if k in available), None)
                if kind is None:
                    raise missing("generate from text", "t2v or vace")
            if len(request.shots) == 1:
                prompt = request.prompt or shot.prompt
            else:  # each shot its own prompt; owner preferences travel with every shot
                prompt = " ".join([shot.prompt.strip(), *cameo_prefs]).strip() or request.prompt
            n_out, n_gen = frame_plan(shot.seconds, self.fps, self.max_frames)
            plans.append(_ShotPlan(index, kind, prompt, n_out, n_gen, start, image))
            start += shot.seconds
        return plans

    def _reference_images(self, request: GenerationRequest) -> list[Image.Image]:
        """The first verified portrait of each cameo, up to `max_reference_images`."""
        refs = [c.portraits[0].convert("RGB") for c in request.cameos if c.portraits]
        return refs[: self.max_reference_images]

    # -- generation ---------------------------------------------------------------------------

    def generate(
        self,
        request: GenerationRequest,
        *,
        on_progress: ProgressCallback,
        should_cancel: CancelCheck,
    ) -> GenerationResult:
        import torch

        started = time.perf_counter()
        path = self._model_path(request.model)
        available = self.capabilities(path)
        plans = self._plan(request, available)
        gen_w, gen_h = generation_size(request.width, request.height, self._max_area(request.model))
        timings = {"load": 0.0, "prepare": 0.0, "denoise": 0.0, "decode": 0.0, "resize": 0.0}

        if should_cancel():
            raise GenerationCancelled()
        pipes = {}
        for kind in dict.fromkeys(p.kind for p in plans):
            pipes[kind], seconds = self.pipeline(available[kind], kind)
            timings["load"] += seconds
        if self.is_cuda:
            torch.cuda.reset_peak_memory_stats(self.device)

        t0 = time.perf_counter()
        refs = self._reference_images(request) if request.cameos else []
        parent_frames = self._parent_frames(request.parent_video) if request.parent_video else None
        timings["prepare"] += time.perf_counter() - t0

        steps = self.num_inference_steps
        units_per_shot = steps + 1  # the VAE decode counts as one step's worth
        total_units = units_per_shot * len(plans)
        progress = {"last": 0.0}

        def report(fraction: float) -> None:
            fraction = min(1.0, max(progress["last"], fraction))
            progress["last"] = fraction
            on_progress(fraction)

        frames: list[np.ndarray] = []
        shot_meta = []
        for plan in plans:
            if should_cancel():
                raise GenerationCancelled()
            pipe = pipes[plan.kind]
            cancelled: dict[str, int] = {"flag": False, "steps": 0}
            base_units = plan.index * units_per_shot

            def on_step_end(
                pipe_: Any,
                step: int,
                timestep: torch.Tensor,
                callback_kwargs: dict[str, torch.Tensor],
                _base: int = base_units,
                _state: dict[str, int] = cancelled,
            ) -> dict[str, torch.Tensor]:
                _state["steps"] = step + 1
                report((_base + step + 1) / total_units)
                if should_cancel():
                    _state["flag"] = True
                    pipe_._interrupt = True
                return {}

            t0 = time.perf_counter()
            kwargs, n_ref = self._call_kwargs(plan, request, gen_w, gen_h, refs, parent_frames)
            timings["prepare"] += time.perf_counter() - t0

            t0 = time.perf_counter()
            generator = torch.Generator(device=self.device).manual_seed(int(request.seed))
            out = pipe(
                **kwargs,
                prompt=plan.prompt,
                negative_prompt=self.negative_prompt,
                height=gen_h,
                width=gen_w,
                num_frames=plan.n_gen,
                num_inference_steps=steps,
                guidance_scale=self.guidance_scale,
                generator=generator,
                output_type="latent",
                callback_on_step_end=on_step_end,
            )
            self._sync()
            timings["denoise"] += time.perf_counter() - t0
            if cancelled["flag"]:
                raise GenerationCancelled()

            t0 = time.perf_counter()
            video = self._decode(pipe, out.frames, n_ref)  # F x H x W x 3 uint8 at gen size
            self._sync()
            timings["decode"] += time.perf_counter() - t0
            report((plan.index + 1) * units_per_shot / total_units)

            t0 = time.perf_counter()
            frames.extend(fit_to_length(resize_frames(video, request.width, request.height), plan.n_out))
            timings["resize"] += time.perf_counter() - t0
            shot_meta.append(
                {
                    "kind": plan.kind,
                    "frames": plan.n_out,
                    "generated_frames": plan.n_gen,
                    "time_stretched": plan.n_out > plan.n_gen,
                    "reference_images": n_ref,
                    **plan.extras,
                }
            )

        report(1.0)
        total = time.perf_counter() - started
        metadata: dict[str, Any] = {
            "backend": self.name,
            "model": request.model,
            "pipeline": "+".join(dict.fromkeys(p.kind for p in plans)),
            "pipeline_classes": {k: type(p).__name__ for k, p in pipes.items()},
            "device": self.device,
            "dtype": str(self.dtype).removeprefix("torch."),
            "steps": steps,
            "guidance_scale": self.guidance_scale,
            "seed": request.seed,
            "generation_size": [gen_w, gen_h],
            "output_size": [request.width, request.height],
            "fps": self.fps,
            "shots": shot_meta,
            "timings": {k: round(v, 4) for k, v in timings.items()} | {"total": round(total, 4)},
        }
        if self.is_cuda:
            metadata["gpu_seconds"] = round(timings["denoise"] + timings["decode"], 3)
            metadata["peak_gpu_memory_gb"] = round(torch.cuda.max_memory_allocated(self.device) / 2**30, 2)
        log.info(
            "diffusers: %s %s %dx%d %d frames load=%.2fs denoise=%.2fs decode=%.2fs total=%.2fs",
            request.model, metadata["pipeline"], gen_w, gen_h, len(frames),
            timings["load"], timings["denoise"], timings["decode"], total,
        )  # fmt: skip
        return GenerationResult(frames=frames, fps=self.fps, audio=None, sample_rate=0, metadata=metadata)

    def _sync(self) -> None:
        if self.is_cuda:
            import torch

            torch.cuda.synchronize(self.device)

    def _parent_frames(self, parent: Path) -> list[np.ndarray]:
        from sora_site.media import decode_video

        return decode_video(parent, sample_fps=self.fps, with_audio=False).frames

    def _call_kwargs(
        self,
        plan: _ShotPlan,
        request: GenerationRequest,
        gen_w: int,
        gen_h: int,
        refs: Sequence[Image.Image],
        parent_frames: Sequence[np.ndarray] | None,
    ) -> tuple[dict[str, Any], int]:
        """Pipeline-specific arguments for one shot, and how many reference frames lead its latents."""
        if plan.kind == "i2v":
            assert plan.image is not None  # _plan picks i2v only for a shot with an input image
            return {"image": cover_crop(plan.image.convert("RGB"), gen_w, gen_h)}, 0
        if plan.kind == "t2v":
            return {}, 0
        kwargs: dict[str, Any] = {}
        if refs:
            kwargs["reference_images"] = list(refs)
        if parent_frames:
            # Remix: the parent's frames over this shot's time window drive the whole clip.
            first = int(round(plan.start_s * self.fps))
            window = [parent_frames[min(len(parent_frames) - 1, first + i)] for i in range(plan.n_gen)]
            kwargs["video"] = [cover_crop(Image.fromarray(f), gen_w, gen_h) for f in window]
            kwargs["conditioning_scale"] = self.remix_conditioning_scale
            plan.extras["remix_from_s"] = round(first / self.fps, 3)
        elif plan.image is not None:
            # The input image as a kept first frame; the rest is generated.
            gray = Image.new("RGB", (gen_w, gen_h), (127, 127, 127))
            kwargs["video"] = [cover_crop(plan.image.convert("RGB"), gen_w, gen_h)] + [gray] * (plan.n_gen - 1)
            kwargs["mask"] = [Image.new("L", (gen_w, gen_h), 0)] + [Image.new("L", (gen_w, gen_h), 255)] * (
                plan.n_gen - 1
            )
            plan.extras["first_frame"] = "input_image"
        return kwargs, len(refs)

    @staticmethod
    def _decode(pipe: Any, latents: torch.Tensor, n_ref: int) -> npt.NDArray[np.uint8]:
        """Latents -> F x H x W x 3 uint8, like the pipelines' own decode (timed separately)."""
        import torch

        vae = pipe.vae
        with torch.inference_mode():
            latents = latents[:, :, n_ref:].to(vae.device, vae.dtype)
            z = vae.config.z_dim
            mean = torch.tensor(vae.config.latents_mean).view(1, z, 1, 1, 1).to(latents)
            std = torch.tensor(vae.config.latents_std).view(1, z, 1, 1, 1).to(latents)
            video = vae.decode(latents * std + mean, return_dict=False)[0]
            frames: np.ndarray = pipe.video_processor.postprocess_video(video, output_type="np")[0]
        clipped: np.ndarray = np.clip(frames, 0.0, 1.0)
        return (clipped * 255.0).round().astype(np.uint8)
