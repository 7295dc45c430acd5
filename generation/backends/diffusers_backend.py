"""The production backend: Wan 2.x video diffusion through Hugging Face diffusers.

Model names map to model paths (settings): {"sora-2": Path(...), "sora-2-pro": Path(...)}. A model
path holds these sub-folders (the layout and residency rules are `generation.backends.loading`'s)::

    <model path>/
        t2v/   WanPipeline               text -> video          (e.g. Wan2.1-T2V-1.3B-Diffusers)
        i2v/   WanImageToVideoPipeline   input image -> video   (e.g. Wan2.1-I2V-14B-480P-Diffusers)
        vace/  WanVACEPipeline           cameo reference images, remix video-to-video
                                                                (e.g. Wan2.1-VACE-1.3B-diffusers)

What a request needs, and what serves it:

    - cameos or a remix parent        -> vace (required)
    - an input image (first shot)     -> i2v, else vace (the image as a kept first frame)
    - text only                       -> t2v, else vace (no conditioning)

A request the model path cannot serve fails with DomainError("model_capability_missing"); the model
name and its folder are checked by `generation.specs.model_check` ("unknown_model",
"model_unavailable"). bf16 on CUDA with the VAE and image encoder kept in fp32 as Wan recommends;
the UMT5-XXL text encoder, the VAE and the CLIP image encoder are shared between the sub-folders'
pipelines.

Video: Wan generates at 16 fps and needs 4k+1 frames. A shot of s seconds yields round(16 s)
frames, generated as the next 4k+1 (capped at `max_frames`, 81 by default = 5 s; a longer shot is
stretched in time to its length and says so in the metadata). The requested output size (720x1280,
1280x720, 1024x1792, 1792x1024) maps to a generation size with the same aspect, multiples of 16 and
at most `max_area` pixels (480*832 for the 1.3B models), and the frames are resized to the
requested size at the end. Storyboards generate every shot with the same seed and cameo references
and join them with hard cuts. The result has no audio (the worker adds the soundtrack).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from generation.backends.base import CancelCheck, GenerationRequest, GenerationResult, ProgressCallback
from generation.backends.loading import Loader, PipelineSet
from generation.backends.runner import Run, ShotOutput, shots_generate
from generation.backends.shots import ShotPlan, generation_size, pipeline_kind, shots_plan
from sora_site.images import cover_crop

if TYPE_CHECKING:
    import torch

WAN_PIPELINES = PipelineSet(
    classes={"t2v": "WanPipeline", "i2v": "WanImageToVideoPipeline", "vace": "WanVACEPipeline"},
    shareable=("text_encoder", "tokenizer", "vae", "image_encoder", "image_processor"),
    fp32_components=("vae", "image_encoder"),  # Wan's reference setup
)
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


@dataclass(frozen=True)
class WanShot:
    plan: ShotPlan
    kind: str
    references: tuple[Image.Image, ...]  # cameo portraits, VACE's reference images
    parent_window: tuple[np.ndarray, ...]  # remix: the parent's frames over this shot's time


class DiffusersBackend:
    """Wan 2.x text/image-to-video and VACE (cameos, remix) through diffusers. See module docstring."""

    name = "diffusers"
    family = "wan"
    is_preview = False
    fps = WAN_FPS
    stages = ("denoise",)

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
        self.model_paths = {name: Path(path) for name, path in model_paths.items()}
        self.loader = Loader(WAN_PIPELINES, device=device, share_components=share_components)
        self.num_inference_steps = int(num_inference_steps)
        self.guidance_scale = float(guidance_scale)
        self.max_area = max_area
        self.max_frames = int(max_frames)
        self.negative_prompt = negative_prompt
        self.max_reference_images = int(max_reference_images)
        self.remix_conditioning_scale = float(remix_conditioning_scale)

    def generate(
        self, request: GenerationRequest, *, on_progress: ProgressCallback, should_cancel: CancelCheck
    ) -> GenerationResult:
        return shots_generate(self, request, on_progress=on_progress, should_cancel=should_cancel)

    # -- what the runner asks -----------------------------------------------------------------

    def plan(self, request: GenerationRequest, available: Mapping[str, Path]) -> list[WanShot]:
        conditioned = bool(request.cameos) or request.parent_video is not None
        plans = shots_plan(request, self.fps, self.max_frames, WAN_VAE_TEMPORAL)
        kinds = [
            pipeline_kind(request.model, available, conditioned=conditioned, image=p.image is not None, general="vace")
            for p in plans
        ]
        refs = tuple(c.portraits[0].convert("RGB") for c in request.cameos if c.portraits)
        parent = self._parent_frames(request.parent_video) if request.parent_video else []
        return [
            WanShot(plan, kind, refs[: self.max_reference_images], self._window(parent, plan))
            for plan, kind in zip(plans, kinds, strict=True)
        ]

    def pipeline_kinds(self, request: GenerationRequest, shots: Sequence[WanShot]) -> list[str]:
        return [shot.kind for shot in shots]

    def size_for(self, request: GenerationRequest) -> tuple[int, int]:
        max_area = self.max_area
        if isinstance(max_area, Mapping):
            max_area = max_area.get(request.model, 480 * 832)
        return generation_size(request.width, request.height, int(max_area), SIZE_MULTIPLE)

    def steps_per_shot(self, request: GenerationRequest) -> int:
        return self.num_inference_steps

    def shot_generate(self, shot: WanShot, run: Run) -> ShotOutput:
        pipe = run.pipes[shot.kind]
        gen_w, gen_h = run.size
        with run.timings.measure("prepare"):
            kwargs, meta = self._call_kwargs(shot, gen_w, gen_h)
        steps = self.num_inference_steps
        with run.timings.measure("denoise"):
            out = pipe(
                **kwargs,
                prompt=shot.plan.prompt,
                negative_prompt=self.negative_prompt,
                height=gen_h,
                width=gen_w,
                num_frames=shot.plan.n_gen,
                num_inference_steps=steps,
                guidance_scale=self.guidance_scale,
                generator=run.generator(),
                output_type="latent",
                callback_on_step_end=run.step_callback(shot.plan, after_steps=0, steps=steps),
            )
        with run.timings.measure("decode"):
            video = _decode(pipe, out.frames, len(shot.references))
        return ShotOutput(video, {"reference_images": len(shot.references), **meta})

    def metadata(self, request: GenerationRequest, shots: Sequence[WanShot], run: Run) -> dict[str, Any]:
        return {"steps": self.num_inference_steps, "guidance_scale": self.guidance_scale}

    # -- conditioning -------------------------------------------------------------------------

    def _parent_frames(self, parent: Path) -> list[np.ndarray]:
        from sora_site.media import decode_video

        return decode_video(parent, sample_fps=self.fps, with_audio=False).frames

    def _window(self, parent: Sequence[np.ndarray], plan: ShotPlan) -> tuple[np.ndarray, ...]:
        """The parent's frames from the shot's start, as many as the shot generates (the last one
        repeated when the parent is shorter)."""
        if not parent:
            return ()
        first = int(round(plan.start_s * self.fps))
        return tuple(parent[min(len(parent) - 1, first + i)] for i in range(plan.n_gen))

    def _call_kwargs(self, shot: WanShot, gen_w: int, gen_h: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """The pipeline's conditioning arguments for one shot, and what they add to its metadata."""
        image = shot.plan.image
        if shot.kind == "i2v":
            assert image is not None  # pipeline_kind picks i2v only for a shot with an input image
            return {"image": cover_crop(image.convert("RGB"), gen_w, gen_h)}, {}
        if shot.kind == "t2v":
            return {}, {}
        kwargs: dict[str, Any] = {}
        meta: dict[str, Any] = {}
        if shot.references:
            kwargs["reference_images"] = list(shot.references)
        if shot.parent_window:
            # Remix: the parent's frames over this shot's time window drive the whole clip.
            kwargs["video"] = [cover_crop(Image.fromarray(f), gen_w, gen_h) for f in shot.parent_window]
            kwargs["conditioning_scale"] = self.remix_conditioning_scale
            meta["remix_from_s"] = round(round(shot.plan.start_s * self.fps) / self.fps, 3)
        elif image is not None:
            # The input image as a kept first frame; the rest is generated.
            n_gen = shot.plan.n_gen
            gray = Image.new("RGB", (gen_w, gen_h), (127, 127, 127))
            kwargs["video"] = [cover_crop(image.convert("RGB"), gen_w, gen_h)] + [gray] * (n_gen - 1)
            kwargs["mask"] = [Image.new("L", (gen_w, gen_h), 0)] + [Image.new("L", (gen_w, gen_h), 255)] * (n_gen - 1)
            meta["first_frame"] = "input_image"
        return kwargs, meta


def _decode(pipe: Any, latents: torch.Tensor, n_ref: int) -> npt.NDArray[np.uint8]:
    """Latents -> F x H x W x 3 uint8, like the pipelines' own decode, less the `n_ref` reference
    frames VACE puts ahead of the clip (timed apart from the denoising)."""
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
