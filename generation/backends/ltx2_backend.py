"""LTX-2 through diffusers: video and its audio made together, by one joint audio-video model.

Model names map to model paths (settings `MODEL_PATHS`) and to a mode (`LTX2_MODES`):

    distilled   the few-step distilled checkpoint (`sora-2`): LTX-2's distilled sigma schedule,
                no guidance (one transformer forward per step)
    full        the base checkpoint: `num_inference_steps` with CFG, spatio-temporal guidance and
                modality guidance (the pipeline's recommended scales)
    two_stage   `sora-2-pro`: the full recipe at half the size, then the latent upsampler (x2 in
                width and height), then a short refine at full size on LTX-2's stage-2 sigma
                schedule, no guidance; video and audio latents both carry over

On-disk layout of a model path (the same rules as the Wan backend: sub-folders written by
`save_pretrained` or published in diffusers form, each optional, symlinks fine, or one pipeline
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
  to their voice profile), turned into the audio
  VAE's log-mel input, encoded to audio latents, and imposed on the model's audio stream during
  denoising (after each of the first `dialogue_strength` share of steps the audio latents are reset
  to the dialogue latents noised to the current sigma; the model finishes the rest). The video
  attends to that audio at every step, so lips follow the words; the soundtrack is the model's
  decode of it. Shots without dialogue get whatever audio the model makes from the prompt.

Audio: the vocoder's waveform (24 kHz stereo for LTX-2) becomes GenerationResult.audio, each shot
cut or padded to its length; the finishing soundtrack fill then leaves it alone.

Video: LTX-2 runs at 24 fps with 8k+1 frames (capped at `max_frames`, 121 = 5 s) at multiples of
32 px (64 for two_stage, whose first stage is half size), at most `max_area` pixels; frames are
resized to the requested size. Storyboards generate every shot with the same seed, cameos and
voices and join them with hard cuts.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from PIL import Image

from generation.audio import cameo_voices, dialogue, speech_source
from generation.backends.base import (
    CancelCheck,
    GenerationCancelled,
    GenerationRequest,
    GenerationResult,
    ProgressCallback,
)
from generation.backends.diffusers_backend import (
    DiffusersBackend,
    fit_to_length,
    frame_plan,
    generation_size,
    resize_frames,
)
from sora_site.errors import DomainError
from sora_site.images import cover_crop

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

PIPELINE_CLASSES = {
    "t2v": "LTX2Pipeline",
    "i2v": "LTX2ImageToVideoPipeline",
    "condition": "LTX2ConditionPipeline",
    "upsample": "LTX2LatentUpsamplePipeline",
}
MODES = ("distilled", "full", "two_stage")
LTX2_FPS = 24
LTX2_VAE_TEMPORAL = 8
SIZE_MULTIPLE = 32  # the video VAE's spatial factor
# The big ones. (Connectors and vocoder are small, and diffusers logs a full module dump when one is
# passed in, as their model_index names the "ltx2" library.)
_SHAREABLE = ("text_encoder", "tokenizer", "transformer", "vae", "audio_vae")
_MEL_FLOOR = 1e-5  # log-mel of silence: log(1e-5), LTX-2's audio front-end clamp
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


@dataclass
class _LTXShot:
    index: int
    kind: str
    prompt: str
    n_out: int
    n_gen: int
    start_s: float
    seconds: float
    speech: np.ndarray  # mono dialogue at the audio VAE's rate, as long as the shot; all zeros if none
    keyframes: tuple[tuple[Image.Image, int, float, str], ...]  # (picture, frame index, strength, what)
    image: Image.Image | None = None  # i2v's first frame


class LTX2Backend(DiffusersBackend):
    """LTX-2 text/image-to-video+audio, keyframes, distilled and two-stage. See the module docstring."""

    pipeline_classes: ClassVar[Mapping[str, str]] = PIPELINE_CLASSES
    shareable: ClassVar[tuple[str, ...]] = _SHAREABLE
    fp32_components: ClassVar[tuple[str, ...]] = ()  # LTX-2 runs every component in bf16

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

        super().__init__(
            model_paths,
            device=device,
            num_inference_steps=num_inference_steps,
            guidance_scale=guidance_scale,
            max_area=max_area,
            max_frames=max_frames,
            negative_prompt=negative_prompt if negative_prompt is not None else DEFAULT_NEGATIVE_PROMPT,
            share_components=share_components,
        )
        unknown = {mode for mode in modes.values() if mode not in MODES}
        if unknown:
            raise ValueError(f"unknown LTX-2 modes {sorted(unknown)}; choose from {MODES}")
        self.modes = dict(modes)
        self.fps = LTX2_FPS
        self.distilled_steps = int(distilled_steps)
        self.refine_steps = int(refine_steps)
        self.max_sequence_length = int(max_sequence_length)
        self.cameo_strength = float(cameo_strength)
        self.dialogue_strength = float(dialogue_strength)

    def mode(self, model: str) -> str:
        return self.modes.get(model, "full")

    def _load(self, folder: Path, kind: str) -> Any:  # a diffusers pipeline
        pipe = super()._load(folder, kind)
        if kind != "upsample":
            # The step callback may see (and re-impose) the audio latents: that is how dialogue
            # conditions the audio stream. The pipelines list the tensors a callback may ask for.
            pipe._callback_tensor_inputs = [*type(pipe)._callback_tensor_inputs, "audio_latents"]
        return pipe

    # -- planning -----------------------------------------------------------------------------

    def _plan_shots(self, request: GenerationRequest, available: Mapping[str, Path]) -> list[_LTXShot]:
        if not request.shots:
            raise DomainError("invalid_request", "A generation needs at least one shot.")
        model = request.model

        def missing(what: str, kinds: str) -> DomainError:
            have = ", ".join(sorted(available)) or "nothing"
            return DomainError(
                "model_capability_missing",
                f"The model {model!r} on this server cannot {what}: it needs a {kinds} pipeline and only has {have}.",
                status=503,
            )

        if self.mode(model) == "two_stage" and "upsample" not in available:
            raise missing("run its two-stage path", "upsample")
        cameo_frame = self._cameo_keyframe(request)
        parent = self._parent_frames(request.parent_video) if request.parent_video else None
        voices, samples = cameo_voices(request.cameos)
        rate = self._audio_rate(available)
        speech = dialogue(request.shots, voices, rate, samples=samples, seed=request.seed)
        cameo_prefs = [c.preferences.strip() for c in request.cameos if c.preferences.strip()]
        plans: list[_LTXShot] = []
        start = 0.0
        for index, shot in enumerate(request.shots):
            image = request.input_image if index == 0 else None
            # Frame 0: the input image, else the remix parent's frame at this shot's start.
            first: tuple[Image.Image, str] | None = (image, "input_image") if image is not None else None
            if first is None and parent:
                first = (Image.fromarray(parent[min(len(parent) - 1, int(round(start * self.fps)))]), "remix_parent")
            keyframes: list[tuple[Image.Image, int, float, str]] = []
            if cameo_frame is not None or (first is not None and first[1] == "remix_parent"):
                keyframes = [(first[0], 0, 1.0, first[1])] if first is not None else []
                if cameo_frame is not None:
                    keyframes.append((cameo_frame, -1 if keyframes else 0, self.cameo_strength, "cameos"))
                image = None
            kind = self._kind(keyframes, image, available, missing)
            if kind == "condition" and image is not None:  # no i2v folder: the image as a keyframe
                keyframes, image = [(image, 0, 1.0, "input_image")], None
            if len(request.shots) == 1:
                prompt = request.prompt or shot.prompt
            else:  # each shot its own prompt; owner preferences travel with every shot
                prompt = " ".join([shot.prompt.strip(), *cameo_prefs]).strip() or request.prompt
            n_out, n_gen = frame_plan(shot.seconds, self.fps, self.max_frames, LTX2_VAE_TEMPORAL)
            plans.append(
                _LTXShot(index, kind, prompt, n_out, n_gen, start, shot.seconds, speech[index], tuple(keyframes), image)
            )
            start += shot.seconds
        return plans

    @staticmethod
    def _kind(
        keyframes: Sequence[object],
        image: Image.Image | None,
        available: Mapping[str, Path],
        missing: Callable[[str, str], DomainError],
    ) -> str:
        if keyframes:
            if "condition" not in available:
                raise missing("use cameos or remix a video", "condition")
            return "condition"
        if image is not None:
            kind = next((k for k in ("i2v", "condition") if k in available), None)
            if kind is None:
                raise missing("start from an image", "i2v or condition")
            return kind
        kind = next((k for k in ("t2v", "condition") if k in available), None)
        if kind is None:
            raise missing("generate from text", "t2v or condition")
        return kind

    def _cameo_keyframe(self, request: GenerationRequest) -> Image.Image | None:
        """The first verified portrait of each cameo (up to `max_reference_images`), side by side."""
        portraits = self._reference_images(request)
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

    @staticmethod
    def _audio_rate(available: Mapping[str, Path]) -> int:
        """The audio VAE's sample rate (its mel front-end's), read from the checkpoint's config."""
        for folder in available.values():
            config = folder / "audio_vae" / "config.json"
            if config.is_file():
                return int(json.loads(config.read_text()).get("sample_rate", 16_000))
        return 16_000

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
        mode = self.mode(request.model)
        if should_cancel():
            raise GenerationCancelled()
        timings = dict.fromkeys(("load", "prepare", "denoise", "upsample", "refine", "decode", "resize"), 0.0)
        t0 = time.perf_counter()
        plans = self._plan_shots(request, available)
        timings["prepare"] += time.perf_counter() - t0
        multiple = SIZE_MULTIPLE * (2 if mode == "two_stage" else 1)
        gen_w, gen_h = generation_size(request.width, request.height, self._max_area(request.model), multiple)

        pipes: dict[str, Any] = {}
        for kind in dict.fromkeys([*(p.kind for p in plans), *(["upsample"] if mode == "two_stage" else [])]):
            pipes[kind], seconds = self.pipeline(available[kind], kind)
            timings["load"] += seconds
        if self.is_cuda:
            torch.cuda.reset_peak_memory_stats(self.device)

        from diffusers.pipelines.ltx2.utils import DISTILLED_SIGMA_VALUES, STAGE_2_DISTILLED_SIGMA_VALUES

        stages: list[tuple[str, dict[str, Any], int]] = []  # (name, sampler kwargs, steps)
        if mode == "distilled":
            sigmas = sigma_schedule(DISTILLED_SIGMA_VALUES, self.distilled_steps)
            stages.append(("denoise", dict(sigmas=sigmas, **_NO_GUIDANCE), len(sigmas)))
        else:
            stages.append(("denoise", dict(guidance_scale=self.guidance_scale), self.num_inference_steps))
        if mode == "two_stage":
            sigmas = sigma_schedule(STAGE_2_DISTILLED_SIGMA_VALUES, self.refine_steps)
            stages.append(("refine", dict(sigmas=sigmas, noise_scale=sigmas[0], **_NO_GUIDANCE), len(sigmas)))
        units_per_shot = sum(steps for _, _, steps in stages) + 1  # the decode counts as one step
        total_units = units_per_shot * len(plans)
        progress = {"last": 0.0}

        def report(fraction: float) -> None:
            progress["last"] = min(1.0, max(progress["last"], fraction))
            on_progress(progress["last"])

        frames: list[np.ndarray] = []
        audio_pieces: list[np.ndarray] = []
        sample_rate = 0
        shot_meta = []
        for plan in plans:
            if should_cancel():
                raise GenerationCancelled()
            pipe = pipes[plan.kind]
            base = plan.index * units_per_shot
            seed = int(request.seed)
            latents: torch.Tensor | None = None
            audio_latents: torch.Tensor | None = None
            out: Any = None
            for stage_index, (stage, sampler, steps) in enumerate(stages):
                last = stage_index == len(stages) - 1
                width, height = (gen_w // 2, gen_h // 2) if mode == "two_stage" and not last else (gen_w, gen_h)
                t0 = time.perf_counter()
                kwargs = self._pipeline_inputs(plan, width, height)
                target = self._dialogue_target(pipe, plan, seed) if plan.speech.any() else None
                timings["prepare"] += time.perf_counter() - t0
                callback, marks = self._step_callback(
                    report, should_cancel, base / total_units, steps, total_units, target
                )
                t0 = time.perf_counter()
                out = pipe(
                    **kwargs,
                    **sampler,
                    prompt=plan.prompt,
                    negative_prompt=self.negative_prompt,
                    height=height,
                    width=width,
                    num_frames=plan.n_gen,
                    frame_rate=float(self.fps),
                    num_inference_steps=steps,
                    generator=torch.Generator(device=self.device).manual_seed(seed),
                    latents=latents,
                    audio_latents=audio_latents,
                    max_sequence_length=self.max_sequence_length,
                    output_type="np" if last else "latent",
                    callback_on_step_end=callback,
                    callback_on_step_end_tensor_inputs=["latents", "audio_latents"],
                )
                self._sync()
                done = time.perf_counter()
                denoised_at = marks.get("last_step", done)
                timings[stage] += denoised_at - t0
                timings["decode"] += done - denoised_at  # the pipeline's own VAE + vocoder decode
                base += steps
                if not last:  # two_stage: upsample the video latents; the audio latents carry over
                    t0 = time.perf_counter()
                    latents = pipes["upsample"](
                        latents=out.frames,
                        height=height,
                        width=width,
                        num_frames=plan.n_gen,
                        output_type="latent",
                        return_dict=False,
                    )[0]
                    audio_latents = out.audio
                    self._sync()
                    timings["upsample"] += time.perf_counter() - t0
            report((plan.index + 1) * units_per_shot / total_units)

            t0 = time.perf_counter()
            video = (np.clip(out.frames[0], 0.0, 1.0) * 255.0).round().astype(np.uint8)
            frames.extend(fit_to_length(resize_frames(video, request.width, request.height), plan.n_out))
            sample_rate = int(pipe.vocoder.config.output_sampling_rate)
            audio_pieces.append(_shot_audio(out.audio, plan.seconds, sample_rate))
            timings["resize"] += time.perf_counter() - t0
            shot_meta.append(
                {
                    "kind": plan.kind,
                    "frames": plan.n_out,
                    "generated_frames": plan.n_gen,
                    "time_stretched": plan.n_out > plan.n_gen,
                    "keyframes": [{"what": what, "index": at, "strength": s} for _, at, s, what in plan.keyframes],
                    "dialogue_conditioned": bool(plan.speech.any()),
                }
            )

        report(1.0)
        total = time.perf_counter() - started
        voices = [c.voice.as_dict() for c in request.cameos if c.voice is not None]
        metadata: dict[str, Any] = {
            "backend": self.name,
            "family": "ltx2",
            "model": request.model,
            "mode": mode,
            "pipeline": "+".join(pipes),
            "pipeline_classes": {k: type(p).__name__ for k, p in pipes.items()},
            "device": self.device,
            "dtype": str(self.dtype).removeprefix("torch."),
            "steps": {name: steps for name, _, steps in stages},
            "guidance_passes_per_step": guidance_passes(mode),
            "seed": request.seed,
            "generation_size": [gen_w, gen_h],
            "output_size": [request.width, request.height],
            "fps": self.fps,
            "audio": {"source": "model", "sample_rate": sample_rate},
            "audio_conditioning": {
                "dialogue_shots": sum(1 for p in plans if p.speech.any()),
                "strength": self.dialogue_strength,
                "speech": speech_source(cameo_voices(request.cameos)[1]),
                "voices": voices,
            },
            "shots": shot_meta,
            "timings": {k: round(v, 4) for k, v in timings.items()} | {"total": round(total, 4)},
        }
        if self.is_cuda:
            metadata["gpu_seconds"] = round(sum(timings[k] for k in ("denoise", "upsample", "refine", "decode")), 3)
            metadata["peak_gpu_memory_gb"] = round(torch.cuda.max_memory_allocated(self.device) / 2**30, 2)
        log.info(
            "ltx2: %s %s %s %dx%d %d frames load=%.2fs denoise=%.2fs decode=%.2fs total=%.2fs",
            request.model, mode, metadata["pipeline"], gen_w, gen_h, len(frames),
            timings["load"], timings["denoise"], timings["decode"], total,
        )  # fmt: skip
        audio = np.concatenate(audio_pieces) if audio_pieces else None
        return GenerationResult(frames=frames, fps=self.fps, audio=audio, sample_rate=sample_rate, metadata=metadata)

    def _pipeline_inputs(self, plan: _LTXShot, width: int, height: int) -> dict[str, Any]:
        if plan.kind == "i2v":
            assert plan.image is not None  # _plan_shots picks i2v only for a shot with an input image
            return {"image": cover_crop(plan.image.convert("RGB"), width, height)}
        if plan.kind == "t2v":
            return {}
        from diffusers.pipelines.ltx2 import LTX2VideoCondition

        return {
            "conditions": [
                LTX2VideoCondition(frames=cover_crop(picture.convert("RGB"), width, height), index=index, strength=s)
                for picture, index, s, _ in plan.keyframes
            ]
        }

    def _step_callback(
        self,
        report: ProgressCallback,
        should_cancel: CancelCheck,
        start: float,
        steps: int,
        total_units: int,
        target: tuple[torch.Tensor, torch.Tensor] | None,
    ) -> tuple[Callable[..., dict[str, Any]], dict[str, float]]:
        """The per-step callback: progress, cancel (raised at the step boundary, so nothing is
        decoded for a cancelled job) and the dialogue's hold on the audio latents."""
        marks: dict[str, float] = {}
        held_steps = int(round(self.dialogue_strength * steps))

        def on_step_end(pipe: Any, step: int, timestep: Any, tensors: dict[str, Any]) -> dict[str, Any]:
            if target is not None and step + 1 <= held_steps:
                clean, noise = target
                sigma = float(pipe.scheduler.sigmas[step + 1])
                tensors["audio_latents"].copy_(sigma * noise + (1.0 - sigma) * clean)
            report(start + (step + 1) / total_units)
            if step + 1 == steps:
                self._sync()
                marks["last_step"] = time.perf_counter()
            if should_cancel():
                raise GenerationCancelled()
            return {}

        return on_step_end, marks

    def _dialogue_target(self, pipe: Any, plan: _LTXShot, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(clean, noise): the shot's dialogue as the pipeline's packed, normalised audio latents, and
        seeded noise of the same shape, for the step callback to mix at each sigma."""
        import torch

        vae = pipe.audio_vae
        config = vae.config
        duration_s = plan.n_gen / self.fps
        per_second = config.sample_rate / config.mel_hop_length / float(pipe.audio_vae_temporal_compression_ratio)
        length = round(duration_s * per_second)
        speech = np.zeros(int(round(duration_s * config.sample_rate)), np.float32)
        speech[: min(speech.size, plan.speech.size)] = plan.speech[: speech.size]
        mel = log_mel(speech, config.sample_rate, config.mel_hop_length, config.mel_bins)  # frames x bins
        mel_frames = length * pipe.audio_vae_temporal_compression_ratio
        mel = np.pad(mel[:mel_frames], ((0, max(0, mel_frames - len(mel))), (0, 0)), constant_values=np.log(_MEL_FLOOR))
        batch = torch.from_numpy(np.ascontiguousarray(mel)).to(self.device, vae.dtype)
        batch = batch[None, None].expand(1, config.in_channels, *mel.shape)  # the same mel on each channel
        with torch.inference_mode():
            z = vae.encode(batch).latent_dist.mode()[:, :, :length]
        if z.shape[2] < length:
            z = torch.nn.functional.pad(z, (0, 0, 0, length - z.shape[2]))
        packed = pipe._pack_audio_latents(z.float())
        clean = pipe._normalize_audio_latents(packed, vae.latents_mean, vae.latents_std).to(self.device, torch.float32)
        generator = torch.Generator(device="cpu").manual_seed(seed + 1)
        noise = torch.randn(clean.shape, generator=generator, dtype=torch.float32).to(self.device)
        return clean, noise


def log_mel(samples: np.ndarray, sample_rate: int, hop_length: int, mel_bins: int) -> np.ndarray:
    """frames x mel_bins natural-log magnitude mel spectrogram, the LTX-2 audio VAE's input: 1024-point
    STFT, `hop_length` hop, Slaney mel filters 0 .. Nyquist, clamped at 1e-5 before the log."""
    import librosa

    mel = librosa.feature.melspectrogram(
        y=np.asarray(samples, np.float32),
        sr=sample_rate,
        n_fft=1024,
        hop_length=hop_length,
        win_length=1024,
        n_mels=mel_bins,
        fmin=0.0,
        fmax=sample_rate / 2,
        power=1.0,
        htk=False,
        norm="slaney",
    )
    result: np.ndarray = np.log(np.maximum(mel, _MEL_FLOOR)).T.astype(np.float32)
    return result


def _shot_audio(audio: Any, seconds: float, sample_rate: int) -> np.ndarray:
    """The vocoder's (1, channels, samples) output as samples x channels float32 in [-1, 1],
    cut or zero-padded to exactly the shot's length."""
    waveform = audio[0].float().cpu().numpy().T if hasattr(audio, "float") else np.asarray(audio[0]).T
    n = int(round(seconds * sample_rate))
    out = np.zeros((n, waveform.shape[1]), np.float32)
    out[: min(n, len(waveform))] = waveform[:n]
    clipped: np.ndarray = np.clip(out, -1.0, 1.0)
    return clipped
