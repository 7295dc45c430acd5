"""LTX-2 through diffusers: video and its audio made together, by one joint audio-video model.

Model names map to model paths (settings `MODEL_PATHS`) and to a mode (`LTX2_MODES`):

    distilled   the few-step distilled checkpoint (`sora-2`): LTX-2's distilled sigma schedule,
                no guidance (one transformer forward per step)
    full        the base checkpoint: `num_inference_steps` with CFG, spatio-temporal guidance and
                modality guidance (the pipeline's recommended scales)
    two_stage   `sora-2-pro`: the full recipe at half the size, then the latent upsampler (x2 in
                width and height), then a short refine at full size on LTX-2's stage-2 sigma
                schedule, no guidance; video and audio latents both carry over

On-disk layout of a model path (the rules are `generation.backends.loading`'s: sub-folders written
by `save_pretrained` or published in diffusers form, each optional, symlinks fine, or one pipeline
folder)::

    <model path>/
        t2v/        LTX2Pipeline                 text -> video + audio
        i2v/        LTX2ImageToVideoPipeline     input image (kept first frame) -> video + audio
        condition/  LTX2ConditionPipeline        keyframes: cameo portraits, remix first frame
        upsample/   LTX2LatentUpsamplePipeline   the two-stage path's latent upsampler

What serves a request: cameos or a remix parent -> condition (required); an input image -> i2v,
else condition (the image as a frame-0 keyframe); text -> t2v, else condition. `two_stage` also
needs upsample. The transformer, VAEs, vocoder, text encoder and connectors are the same files in
every sub-folder of one checkpoint: they load once and are shared (one ~19 B-parameter transformer
on the GPU, not three).

Conditioning
------------
- Input image: i2v's `image` (LTX-2 keeps it as the first frame, strength 1).
- Remix: first-frame conditioning from the parent: the parent's frame at the shot's start is a
  frame-0 keyframe (strength 1), the prompt says what changes. (Wan VACE remixes video-to-video.)
- Cameos: LTX-2 has no reference-image input like VACE's; its only picture conditioning is
  keyframes. The verified portraits (the first of each cameo, side by side) are a keyframe at frame 0
  (or at the last frame when frame 0 is the input image or the remix parent) with strength
  `cameo_strength`: the face is then exactly the owner's at that frame and the model carries it
  through the clip as it does in image-to-video. VACE reference images keep identity without
  placing the portrait in the clip; a deployment that prefers that for cameos points a model name
  at a Wan VACE folder (each model path picks its backend, see `generation.backends`).
- Dialogue: quoted lines are spoken by `generation.audio.dialogue` in each cameo owner's voice
  (the voice-cloning TTS prompted with the owner's kept voice sample, else espeak-ng pitch-matched
  to their voice profile) and held on the model's audio stream for the first `dialogue_strength`
  share of each stage's steps (`generation.backends.ltx2_dialogue`); the model finishes the rest.
  The video attends to that audio at every step, so lips follow the words; the soundtrack is the
  model's decode of it. Shots without dialogue get whatever audio the model makes from the prompt.

Audio: the vocoder's waveform (24 kHz stereo for LTX-2) becomes GenerationResult.audio, each shot
cut or padded to its length; the finishing soundtrack fill then leaves it alone.

Video: LTX-2 runs at 24 fps with 8k+1 frames (capped at `max_frames`, 121 = 5 s) at multiples of
32 px (64 for two_stage, whose first stage is half size), at most `max_area` pixels; frames are
resized to the requested size. Storyboards generate every shot with the same seed, cameos and
voices and join them with hard cuts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from generation.audio import cameo_voices, dialogue, speech_source
from generation.backends.base import CancelCheck, Cue, GenerationRequest, GenerationResult, ProgressCallback
from generation.backends.loading import Loader, PipelineSet
from generation.backends.ltx2_dialogue import dialogue_hold, dialogue_target, shot_audio
from generation.backends.runner import Run, ShotOutput, shots_generate
from generation.backends.shots import ShotPlan, capability_missing, generation_size, pipeline_kind, shots_plan
from sora_site.images import cover_crop


def _audio_latents_visible(pipe: Any, kind: str) -> None:
    """The step callback may see (and re-impose) the audio latents: that is how dialogue conditions
    the audio stream. The pipelines list the tensors a callback may ask for."""
    if kind != "upsample":
        pipe._callback_tensor_inputs = [*type(pipe)._callback_tensor_inputs, "audio_latents"]


LTX2_PIPELINES = PipelineSet(
    classes={
        "t2v": "LTX2Pipeline",
        "i2v": "LTX2ImageToVideoPipeline",
        "condition": "LTX2ConditionPipeline",
        "upsample": "LTX2LatentUpsamplePipeline",
    },
    # The big ones. (Connectors and vocoder are small, and diffusers logs a full module dump when one
    # is passed in, as their model_index names the "ltx2" library.) Every component runs in bf16.
    shareable=("text_encoder", "tokenizer", "transformer", "vae", "audio_vae"),
    after_load=_audio_latents_visible,
)
MODES = ("distilled", "full", "two_stage")
LTX2_FPS = 24
LTX2_VAE_TEMPORAL = 8
SIZE_MULTIPLE = 32  # the video VAE's spatial factor
MAX_CAMEO_PORTRAITS = 3  # side by side in the cameo keyframe
# No guidance: what the distilled checkpoint and the stage-2 refine run with.
_NO_GUIDANCE = dict(
    guidance_scale=1.0,
    audio_guidance_scale=1.0,
    stg_scale=0.0,
    audio_stg_scale=0.0,
    modality_scale=1.0,
    audio_modality_scale=1.0,
)


def sigma_schedule(published: Sequence[float], steps: int) -> list[float]:
    """`steps` sigmas from a published few-step schedule: all of it, or an evenly spread subset that
    keeps its first and last value (fewer steps for smoke runs and tests)."""
    if steps >= len(published):
        return list(published)
    picks = np.unique(np.round(np.linspace(0, len(published) - 1, max(1, steps))).astype(int))
    return [float(published[i]) for i in picks]


def guidance_passes(mode: str) -> int:
    """Transformer forwards per denoising step (batch-1 equivalents) for a mode's first stage:
    CFG (cond + uncond) + spatio-temporal guidance + modality isolation, or 1 without guidance."""
    return 1 if mode == "distilled" else 4


@dataclass(frozen=True)
class Keyframe:
    picture: Image.Image
    index: int  # frame index; -1 is the last frame
    strength: float
    what: str  # "input_image", "remix_parent", "cameos"


@dataclass(frozen=True)
class LTXShot:
    plan: ShotPlan
    kind: str
    speech: np.ndarray  # mono dialogue at the audio VAE's rate, as long as the shot; all zeros if none
    cues: tuple[Cue, ...]  # its lines as `speech` says them (the model's audio is held to that)
    keyframes: tuple[Keyframe, ...]
    image: Image.Image | None  # i2v's first frame


@dataclass(frozen=True)
class Stage:
    name: str  # its timing key: "denoise" or "refine"
    sampler: dict[str, Any]  # sigmas and guidance scales
    steps: int


class LTX2Backend:
    """LTX-2 text/image-to-video+audio, keyframes, distilled and two-stage. See the module docstring."""

    name = "diffusers"
    family = "ltx2"
    is_preview = False
    fps = LTX2_FPS
    stages = ("denoise", "upsample", "refine")

    def __init__(
        self,
        model_paths: Mapping[str, Path],
        *,
        modes: Mapping[str, str],
        device: str | None = None,
        num_inference_steps: int = 40,
        distilled_steps: int = 8,
        refine_steps: int = 3,
        guidance_scale: float = 3.0,
        max_area: int = 704 * 1280,
        max_frames: int = 121,
        max_sequence_length: int = 1024,
        cameo_strength: float = 1.0,
        dialogue_strength: float = 0.8,
        negative_prompt: str | None = None,
        share_components: bool = True,
    ) -> None:
        from diffusers.pipelines.ltx2.utils import DEFAULT_NEGATIVE_PROMPT

        unknown = {mode for mode in modes.values() if mode not in MODES}
        if unknown:
            raise ValueError(f"unknown LTX-2 modes {sorted(unknown)}; choose from {MODES}")
        self.model_paths = {name: Path(path) for name, path in model_paths.items()}
        self.loader = Loader(LTX2_PIPELINES, device=device, share_components=share_components)
        self.modes = dict(modes)
        self.num_inference_steps = int(num_inference_steps)
        self.distilled_steps = int(distilled_steps)
        self.refine_steps = int(refine_steps)
        self.guidance_scale = float(guidance_scale)
        self.max_area = int(max_area)
        self.max_frames = int(max_frames)
        self.max_sequence_length = int(max_sequence_length)
        self.cameo_strength = float(cameo_strength)
        self.dialogue_strength = float(dialogue_strength)
        self.negative_prompt = negative_prompt if negative_prompt is not None else DEFAULT_NEGATIVE_PROMPT

    def generate(
        self, request: GenerationRequest, *, on_progress: ProgressCallback, should_cancel: CancelCheck
    ) -> GenerationResult:
        return shots_generate(self, request, on_progress=on_progress, should_cancel=should_cancel)

    def mode(self, model: str) -> str:
        return self.modes.get(model, "full")

    # -- what the runner asks -----------------------------------------------------------------

    def plan(self, request: GenerationRequest, available: Mapping[str, Path]) -> list[LTXShot]:
        if self.mode(request.model) == "two_stage" and "upsample" not in available:
            raise capability_missing(request.model, available, "run its two-stage path", "upsample")
        plans = shots_plan(request, self.fps, self.max_frames, LTX2_VAE_TEMPORAL)
        cameos = self._cameo_keyframe(request)
        parent = self._parent_frames(request.parent_video) if request.parent_video else []
        voices, samples = cameo_voices(request.cameos)
        spoken = dialogue(request.shots, voices, _audio_rate(available), samples=samples, seed=request.seed)
        bounds = [sum(shot.seconds for shot in request.shots[:i]) for i in range(len(request.shots) + 1)]
        shots = []
        for plan in plans:
            # Frame 0: the input image, else the remix parent's frame at this shot's start.
            image = plan.image
            keyframes: list[Keyframe] = []
            if image is None and parent:
                at = min(len(parent) - 1, int(round(plan.start_s * self.fps)))
                keyframes.append(Keyframe(Image.fromarray(parent[at]), 0, 1.0, "remix_parent"))
            if cameos is not None:
                if image is not None:
                    keyframes.append(Keyframe(image, 0, 1.0, "input_image"))
                    image = None
                keyframes.append(Keyframe(cameos, -1 if keyframes else 0, self.cameo_strength, "cameos"))
            kind = pipeline_kind(
                request.model, available, conditioned=bool(keyframes), image=image is not None, general="condition"
            )
            if kind == "condition" and image is not None:  # no i2v folder: the image as a keyframe
                keyframes, image = [Keyframe(image, 0, 1.0, "input_image")], None
            cues = tuple(c for c in spoken.cues if bounds[plan.index] <= c.start_s < bounds[plan.index + 1])
            shots.append(LTXShot(plan, kind, spoken.tracks[plan.index], cues, tuple(keyframes), image))
        return shots

    def pipeline_kinds(self, request: GenerationRequest, shots: Sequence[LTXShot]) -> list[str]:
        upsample = ["upsample"] if self.mode(request.model) == "two_stage" else []
        return [*(shot.kind for shot in shots), *upsample]

    def size_for(self, request: GenerationRequest) -> tuple[int, int]:
        multiple = SIZE_MULTIPLE * (2 if self.mode(request.model) == "two_stage" else 1)
        return generation_size(request.width, request.height, self.max_area, multiple)

    def steps_per_shot(self, request: GenerationRequest) -> int:
        return sum(stage.steps for stage in self._stages(self.mode(request.model)))

    def shot_generate(self, shot: LTXShot, run: Run) -> ShotOutput:
        """Each stage of the mode on the shot's pipeline; between two stages the latent upsampler
        doubles the video latents and the audio latents carry over. The last stage decodes."""
        pipe = run.pipes[shot.kind]
        stages = self._stages(self.mode(run.request.model))
        gen_w, gen_h = run.size
        latents: Any = None
        audio_latents: Any = None
        out: Any = None
        after_steps = 0
        for number, stage in enumerate(stages, start=1):
            last = number == len(stages)
            width, height = (gen_w, gen_h) if last else (gen_w // 2, gen_h // 2)
            with run.timings.measure("prepare"):
                kwargs = self._pipeline_inputs(shot, width, height)
                hook = None
                if shot.speech.any():
                    seconds = shot.plan.n_gen / self.fps
                    target = dialogue_target(pipe, shot.speech, seconds, run.request.seed, run.loader.device)
                    hook = dialogue_hold(target, int(round(self.dialogue_strength * stage.steps)))
            callback = run.step_callback(shot.plan, after_steps=after_steps, steps=stage.steps, hook=hook)
            started = time.perf_counter()
            out = pipe(
                **kwargs,
                **stage.sampler,
                prompt=shot.plan.prompt,
                negative_prompt=self.negative_prompt,
                height=height,
                width=width,
                num_frames=shot.plan.n_gen,
                frame_rate=float(self.fps),
                num_inference_steps=stage.steps,
                generator=run.generator(),
                latents=latents,
                audio_latents=audio_latents,
                max_sequence_length=self.max_sequence_length,
                output_type="np" if last else "latent",
                callback_on_step_end=callback,
                callback_on_step_end_tensor_inputs=["latents", "audio_latents"],
            )
            run.loader.sync()
            done = time.perf_counter()
            denoised_at = callback.last_step_at or done
            run.timings[stage.name] += denoised_at - started
            run.timings["decode"] += done - denoised_at  # the pipeline's own VAE + vocoder decode
            after_steps += stage.steps
            if not last:
                with run.timings.measure("upsample"):
                    latents = run.pipes["upsample"](
                        latents=out.frames,
                        height=height,
                        width=width,
                        num_frames=shot.plan.n_gen,
                        output_type="latent",
                        return_dict=False,
                    )[0]
                audio_latents = out.audio
        with run.timings.measure("decode"):
            video = (np.clip(out.frames[0], 0.0, 1.0) * 255.0).round().astype(np.uint8)
            sample_rate = int(pipe.vocoder.config.output_sampling_rate)
            audio = shot_audio(out.audio, shot.plan.seconds, sample_rate)
        meta = {
            "keyframes": [{"what": k.what, "index": k.index, "strength": k.strength} for k in shot.keyframes],
            "dialogue_conditioned": bool(shot.speech.any()),
        }
        return ShotOutput(video, meta, audio, sample_rate, shot.cues)

    def metadata(self, request: GenerationRequest, shots: Sequence[LTXShot], run: Run) -> dict[str, Any]:
        mode = self.mode(request.model)
        samples = cameo_voices(request.cameos)[1]
        return {
            "family": self.family,
            "mode": mode,
            "steps": {stage.name: stage.steps for stage in self._stages(mode)},
            "guidance_passes_per_step": guidance_passes(mode),
            "audio": {
                "source": "model",
                "sample_rate": int(run.pipes[shots[0].kind].vocoder.config.output_sampling_rate),
            },
            "audio_conditioning": {
                "dialogue_shots": sum(1 for shot in shots if shot.speech.any()),
                "strength": self.dialogue_strength,
                "speech": speech_source(samples),
                "voices": [c.voice.as_dict() for c in request.cameos if c.voice is not None],
            },
        }

    # -- stages and conditioning --------------------------------------------------------------

    def _stages(self, mode: str) -> list[Stage]:
        from diffusers.pipelines.ltx2.utils import DISTILLED_SIGMA_VALUES, STAGE_2_DISTILLED_SIGMA_VALUES

        if mode == "distilled":
            sigmas = sigma_schedule(DISTILLED_SIGMA_VALUES, self.distilled_steps)
            stages = [Stage("denoise", dict(sigmas=sigmas, **_NO_GUIDANCE), len(sigmas))]
        else:
            stages = [Stage("denoise", dict(guidance_scale=self.guidance_scale), self.num_inference_steps)]
        if mode == "two_stage":
            sigmas = sigma_schedule(STAGE_2_DISTILLED_SIGMA_VALUES, self.refine_steps)
            stages.append(Stage("refine", dict(sigmas=sigmas, noise_scale=sigmas[0], **_NO_GUIDANCE), len(sigmas)))
        return stages

    def _pipeline_inputs(self, shot: LTXShot, width: int, height: int) -> dict[str, Any]:
        if shot.kind == "i2v":
            assert shot.image is not None  # plan picks i2v only for a shot with an input image
            return {"image": cover_crop(shot.image.convert("RGB"), width, height)}
        if shot.kind == "t2v":
            return {}
        from diffusers.pipelines.ltx2 import LTX2VideoCondition

        return {
            "conditions": [
                LTX2VideoCondition(
                    frames=cover_crop(k.picture.convert("RGB"), width, height), index=k.index, strength=k.strength
                )
                for k in shot.keyframes
            ]
        }

    def _cameo_keyframe(self, request: GenerationRequest) -> Image.Image | None:
        """The first verified portrait of each cameo (up to MAX_CAMEO_PORTRAITS), side by side."""
        portraits = [c.portraits[0].convert("RGB") for c in request.cameos if c.portraits][:MAX_CAMEO_PORTRAITS]
        if not portraits:
            return None
        height = max(p.height for p in portraits)
        tiles = [p.resize((max(1, round(p.width * height / p.height)), height)) for p in portraits]
        strip = Image.new("RGB", (sum(t.width for t in tiles), height))
        x = 0
        for tile in tiles:
            strip.paste(tile, (x, 0))
            x += tile.width
        return strip

    def _parent_frames(self, parent: Path) -> list[np.ndarray]:
        from sora_site.media import decode_video

        return decode_video(parent, sample_fps=self.fps, with_audio=False).frames


def _audio_rate(available: Mapping[str, Path]) -> int:
    """The audio VAE's sample rate (its mel front-end's), read from the checkpoint's config."""
    for folder in available.values():
        config = folder / "audio_vae" / "config.json"
        if config.is_file():
            return int(json.loads(config.read_text()).get("sample_rate", 16_000))
    return 16_000
