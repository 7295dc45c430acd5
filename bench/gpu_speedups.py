"""Whole generation jobs per configured pipeline, then speed-ups, each with its gain and a quality proxy.

`python bench/gpu_generation.py --speedups` (see that file's docstring for the other modes). Each
pipeline runs through the production backend's `generate` (LTX2Backend, or the Wan DiffusersBackend):
the same stages, sigmas, guidance passes and decode as a worker. Its components are built in code
with random weights (compute does not depend on weight values): on CUDA at real size from the real
configs in bf16 (LTX-2.0: the 19 B joint transformer, Gemma 3 12B, the video/audio VAEs, vocoder,
latent upsampler; Wan2.1-T2V-1.3B with UMT5-XXL), with `--tiny` the tiny models the tests build.
Only the loading differs from production (no weight files of that size can be written here);
`from_pretrained` itself is covered by the backend tests.

Pipelines: ltx2-distilled (`sora-2`), ltx2-two_stage (`sora-2-pro`), ltx2-full, wan-t2v.

Plain run, per pipeline: the whole job (text encoding, denoising loop, upsample, VAE decode, audio
decode), GPU-seconds per generated second, peak GPU memory (torch.cuda.max_memory_allocated), the
transformer FLOPs the job really ran (every forward counted from its input shapes with the FLOP-floor
formulas of gpu_generation.py), the denoising loop's share of the bf16 peak and the whole job against
that floor.

Variants, each run on the same request and seed as the plain run and compared with it (PSNR and SSIM
of the decoded frames, SNR of the model's audio):

    repeat        the plain run again: the noise floor of the comparison (inf when deterministic)
    compile       torch.compile of the transformer's repeated blocks (regional), one warm-up job first
    attn:<name>   a diffusers attention backend (flash, _flash_3, _native_cudnn, _native_flash, sage on
                  CUDA; native, _native_math on CPU); one not installed is skipped with the reason
    cfg-batch     CFG as one batch of 2 against two forwards, on the transformer call the pipeline
                  made (LTX2Pipeline already batches cond+uncond, WanPipeline runs two forwards); the
                  quality proxy is the PSNR of the guided noise prediction, not of frames
    fbc           FirstBlockCache (`transformer.enable_cache(FirstBlockCacheConfig)`)
    magcache      MagCache, its ratios calibrated on this model first (`calibrate=True` run)
    taylorseer    TaylorSeer cache
    fp8           fp8 e4m3 weight storage, bf16 compute (`enable_layerwise_casting`), CUDA with
                  compute capability >= 8.9 only; casts the weights in place, so it runs last

With random weights the cache variants' PSNR says how far skipping moved the output of *this*
model from its own plain run; with trained weights, whose features change smoothly between steps,
the same thresholds skip differently. Compare the cache rows with each other and with `repeat`,
not with numbers from the literature.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import math
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from bench.gpu_generation import FULL_TRANSFORMER, LTX2_VIDEO_VAE, dit_flops, fmt, ltx2_flops, peak_tflops, sync
from generation.backends.base import GenerationRequest, GenerationResult, Shot
from generation.backends.diffusers_backend import WAN_PIPELINES, DiffusersBackend
from generation.backends.loading import Loader, PipelineSet, clear_pipeline_cache
from generation.backends.ltx2_backend import LTX2_PIPELINES, LTX2Backend

# name: (family, model name, LTX-2 mode)
PIPELINES: dict[str, tuple[str, str, str | None]] = {
    "ltx2-distilled": ("ltx2", "sora-2", "distilled"),
    "ltx2-two_stage": ("ltx2", "sora-2-pro", "two_stage"),
    "ltx2-full": ("ltx2", "ltx2-full", "full"),
    "wan-t2v": ("wan", "wan-t2v", None),
}
CUDA_ATTENTION = ("flash", "_flash_3", "_native_cudnn", "_native_flash", "sage")
CPU_ATTENTION = ("native", "_native_math")
VARIANTS = ("repeat", "compile", "attn", "cfg-batch", "fbc", "magcache", "taylorseer", "fp8")
PROMPT = "a red fox trots across a snowy field at dawn, the camera follows"
SSIM_FRAMES = 8  # SSIM on this many evenly spaced frames (PSNR on all of them)

# Gemma 3 12B (LTX-2's text encoder) and UMT5-XXL (Wan's): their published configs.
GEMMA3_12B = dict(
    text_config=dict(
        vocab_size=262_208, hidden_size=3840, intermediate_size=15_360, num_hidden_layers=48,
        num_attention_heads=16, num_key_value_heads=8, head_dim=256, query_pre_attn_scalar=256,
        sliding_window=1024, max_position_embeddings=131_072,
    ),
    vision_config=dict(
        hidden_size=1152, intermediate_size=4304, num_hidden_layers=27, num_attention_heads=16,
        image_size=896, patch_size=14,
    ),
    mm_tokens_per_image=256, image_token_index=262_144, boi_token_index=255_999, eoi_token_index=256_000,
)  # fmt: skip
UMT5_XXL = dict(
    vocab_size=256_384, d_model=4096, d_kv=64, d_ff=10_240, num_layers=24, num_heads=64,
    relative_attention_num_buckets=32, relative_attention_max_distance=128, feed_forward_proj="gated-gelu",
)  # fmt: skip


InCodeBackend = DiffusersBackend | LTX2Backend


class Skipped(Exception):
    """A variant this device or this model cannot run; the message says why."""


# ---------------------------------------------------------------------------------------------
# Random-weight components built in code, served through the production backends.


def _ltx2_parts(tiny: bool, dtype: torch.dtype) -> dict[str, Any]:
    """LTX-2's pipeline components plus `latent_upsampler`: the tests' tiny ones, or real size."""
    from diffusers.pipelines.ltx2.latent_upsampler import LTX2LatentUpsamplerModel

    if tiny:
        from tests.builders.tiny_ltx2 import LATENT_CHANNELS, tiny_components

        parts = tiny_components()
        torch.manual_seed(1)
        upsampler = LTX2LatentUpsamplerModel(in_channels=LATENT_CHANNELS, mid_channels=32, num_blocks_per_stage=1)
        return parts | {"latent_upsampler": upsampler.eval()}
    from diffusers import (
        AutoencoderKLLTX2Audio,
        AutoencoderKLLTX2Video,
        FlowMatchEulerDiscreteScheduler,
        LTX2VideoTransformer3DModel,
    )
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    from tests.builders.tiny_wan import build_tokenizer

    torch.manual_seed(0)
    # The class defaults of the transformer, audio VAE, vocoder, connectors and upsampler are LTX-2.0's.
    return dict(
        transformer=LTX2VideoTransformer3DModel(),
        vae=AutoencoderKLLTX2Video(**LTX2_VIDEO_VAE),
        audio_vae=AutoencoderKLLTX2Audio(),
        vocoder=LTX2Vocoder(),
        connectors=LTX2TextConnectors(),
        text_encoder=Gemma3ForConditionalGeneration(Gemma3Config(**GEMMA3_12B)),
        tokenizer=build_tokenizer(),  # word-level: token ids differ, the padded length (1024) is the same
        scheduler=FlowMatchEulerDiscreteScheduler(
            use_dynamic_shifting=True,
            base_shift=0.95,
            max_shift=2.05,
            base_image_seq_len=1024,
            max_image_seq_len=4096,
            shift_terminal=0.1,
        ),  # fmt: skip
        latent_upsampler=LTX2LatentUpsamplerModel(),
    )


def _wan_parts(tiny: bool, dtype: torch.dtype) -> dict[str, Any]:
    from diffusers import AutoencoderKLWan, WanTransformer3DModel

    from tests.builders.tiny_wan import TINY_TRANSFORMER, _components

    tokenizer, text_encoder, vae, scheduler = _components(0)
    if not tiny:
        from transformers import UMT5Config, UMT5EncoderModel

        torch.manual_seed(0)
        text_encoder = UMT5EncoderModel(UMT5Config(**UMT5_XXL, pad_token_id=0, eos_token_id=1)).eval()
        vae = AutoencoderKLWan().eval()  # the class defaults are Wan 2.1's VAE
    torch.manual_seed(0)
    transformer = WanTransformer3DModel(**(TINY_TRANSFORMER if tiny else FULL_TRANSFORMER)).eval()
    return dict(tokenizer=tokenizer, text_encoder=text_encoder, vae=vae, scheduler=scheduler, transformer=transformer)


class InCodeLoader(Loader):
    """Serves pipelines assembled from components built in code (built once, shared by every kind,
    like one checkpoint's files) instead of `from_pretrained`; everything after loading is the
    production backend's."""

    def __init__(self, pipelines: PipelineSet, *, family: str, tiny: bool, device: str | None) -> None:
        super().__init__(pipelines, device=device)
        self.family, self.tiny = family, tiny
        self._parts: dict[str, Any] | None = None

    def load(self, folder: Path, kind: str) -> Any:
        import diffusers

        if self._parts is None:
            build = _ltx2_parts if self.family == "ltx2" else _wan_parts
            previous = torch.get_default_dtype()
            torch.set_default_dtype(self.dtype)  # real size: build the weights in bf16 on the GPU directly
            try:
                with torch.device(self.device):
                    parts = build(self.tiny, self.dtype)
            finally:
                torch.set_default_dtype(previous)
            for name, part in parts.items():
                if isinstance(part, torch.nn.Module):
                    part.to(self.device, self.dtype_for(name)).requires_grad_(False)
            self._parts = parts
        parts = dict(self._parts)
        if kind == "upsample":
            pipe = diffusers.LTX2LatentUpsamplePipeline(vae=parts["vae"], latent_upsampler=parts["latent_upsampler"])
        else:
            parts.pop("latent_upsampler", None)
            pipe = getattr(diffusers, self.pipelines.classes[kind])(**parts)
        pipe.set_progress_bar_config(disable=True)
        return pipe


def skeleton(folder: Path, classes: Mapping[str, str], kinds: tuple[str, ...]) -> Path:
    """A model path with only each kind's model_index.json: what `capabilities` reads."""
    for kind in kinds:
        (folder / kind).mkdir(parents=True, exist_ok=True)
        (folder / kind / "model_index.json").write_text(json.dumps({"_class_name": classes[kind]}))
    return folder


def make_backend(name: str, args: Any, root: Path) -> InCodeBackend:
    family, model, mode = PIPELINES[name]
    backend: InCodeBackend
    if family == "ltx2":
        folder = skeleton(root / name, LTX2_PIPELINES.classes, ("t2v", "upsample"))
        backend = LTX2Backend(
            {model: folder},
            modes={model: str(mode)},
            device=args.device,
            num_inference_steps=args.steps,
            distilled_steps=args.distilled_steps,
            refine_steps=args.refine_steps,
            max_area=args.max_area or (32 * 64 if args.tiny else 704 * 1280),
            max_sequence_length=16 if args.tiny else 1024,
        )
    else:
        folder = skeleton(root / name, WAN_PIPELINES.classes, ("t2v",))
        backend = DiffusersBackend(
            {model: folder},
            device=args.device,
            num_inference_steps=args.steps,
            max_area=args.max_area or (32 * 32 if args.tiny else 480 * 832),
        )
    backend.loader = InCodeLoader(backend.loader.pipelines, family=family, tiny=args.tiny, device=args.device)
    return backend


# ---------------------------------------------------------------------------------------------
# One job, measured.


@dataclass
class Job:
    frames: np.ndarray  # (n, h, w, 3) uint8
    audio: np.ndarray | None
    timings: dict[str, float]
    transformer_tflop: float
    forwards: int
    peak_gb: float | None
    metadata: dict[str, Any]

    @property
    def whole_job(self) -> float:
        return self.timings["total"] - self.timings.get("load", 0.0)

    @property
    def denoise_loop(self) -> float:
        """The sampler's steps: the backend's denoise (+ refine) time less the text encoding in it."""
        loop = self.timings.get("denoise", 0.0) + self.timings.get("refine", 0.0)
        return loop - self.timings.get("text encoding", 0.0)


@contextlib.contextmanager
def _timed(obj: Any, method: str, into: dict[str, float], key: str, device: str) -> Iterator[None]:
    """Adds the wall time of every call of obj.method (synchronised on CUDA) to into[key]."""
    original = getattr(obj, method)
    had_own = method in vars(obj)

    def wrapper(*a: Any, **kw: Any) -> Any:
        sync(device)
        started = time.perf_counter()
        try:
            return original(*a, **kw)
        finally:
            sync(device)
            into[key] = into.get(key, 0.0) + time.perf_counter() - started

    setattr(obj, method, wrapper)
    try:
        yield
    finally:
        if had_own:
            setattr(obj, method, original)
        else:
            delattr(obj, method)


def _forward_flops(transformer: Any, kwargs: dict[str, Any]) -> float:
    """FLOPs of one transformer call, from its inputs' shapes and the model's config."""
    cfg = transformer.config
    x = kwargs["hidden_states"]
    text_tokens = kwargs["encoder_hidden_states"].shape[1]
    if "audio_hidden_states" in kwargs:  # LTX-2: packed (B, tokens, channels)
        return float(x.shape[0] * ltx2_flops(cfg, x.shape[1], kwargs["audio_hidden_states"].shape[1], text_tokens))
    pt, ph, pw = cfg["patch_size"]
    tokens = (x.shape[2] // pt) * (x.shape[3] // ph) * (x.shape[4] // pw)
    return float(x.shape[0] * dit_flops(dict(cfg), tokens, text_tokens))


def pipes_of(backend: InCodeBackend, model: str) -> list[Any]:
    available = backend.loader.capabilities(backend.model_paths[model])
    return [backend.loader.pipeline(folder, kind)[0] for kind, folder in available.items()]


def run_job(backend: InCodeBackend, request: GenerationRequest) -> Job:
    pipe = pipes_of(backend, request.model)[0]
    device = backend.loader.device
    parts: dict[str, float] = {}
    counted = {"flops": 0.0, "forwards": 0}

    def count(_module: Any, _args: Any, kwargs: dict[str, Any]) -> None:
        counted["flops"] += _forward_flops(pipe.transformer, kwargs)
        counted["forwards"] += 1

    with contextlib.ExitStack() as stack:
        stack.enter_context(_timed(pipe.text_encoder, "forward", parts, "text encoding", device))
        stack.enter_context(_timed(pipe.vae, "decode", parts, "video decode", device))
        if hasattr(pipe, "audio_vae"):
            stack.enter_context(_timed(pipe.audio_vae, "decode", parts, "audio decode", device))
            stack.enter_context(_timed(pipe.vocoder, "forward", parts, "audio decode", device))
        stack.callback(pipe.transformer.register_forward_pre_hook(count, with_kwargs=True).remove)
        result: GenerationResult = backend.generate(request, on_progress=lambda _f: None, should_cancel=lambda: False)
    meta = result.metadata
    return Job(
        frames=np.stack(result.frames),
        audio=result.audio,
        timings={**meta["timings"], **parts},
        transformer_tflop=counted["flops"] / 1e12,
        forwards=int(counted["forwards"]),
        peak_gb=meta.get("peak_gpu_memory_gb"),
        metadata=meta,
    )


def psnr(reference: np.ndarray, test: np.ndarray, data_range: float) -> float:
    mse = float(np.mean((reference.astype(np.float64) - test.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(data_range**2 / mse)


def ssim(reference: np.ndarray, test: np.ndarray) -> float:
    from skimage.metrics import structural_similarity

    picks = np.unique(np.linspace(0, len(reference) - 1, min(SSIM_FRAMES, len(reference))).round().astype(int))
    return float(
        np.mean([structural_similarity(reference[i], test[i], channel_axis=-1, data_range=255) for i in picks])
    )


def audio_snr(reference: np.ndarray | None, test: np.ndarray | None) -> float | None:
    if reference is None or test is None:
        return None
    noise = float(np.sum((reference.astype(np.float64) - test.astype(np.float64)) ** 2))
    signal = float(np.sum(reference.astype(np.float64) ** 2))
    return math.inf if noise == 0 else 10 * math.log10(max(signal, 1e-30) / noise)


# ---------------------------------------------------------------------------------------------
# Variants: each a context manager around the timed job (applied on entry, undone on exit).


@dataclass
class Context:
    backend: InCodeBackend
    request: GenerationRequest
    transformer: Any
    steps: int  # the first stage's steps (MagCache interpolates its ratios to it)
    args: Any


@contextlib.contextmanager
def _compile(ctx: Context) -> Iterator[None]:
    blocks = [m for m in ctx.transformer.modules() if type(m).__name__ in ctx.transformer._repeated_blocks]
    ctx.transformer.compile_repeated_blocks(fullgraph=ctx.args.compile_fullgraph, mode=ctx.args.compile_mode)
    try:
        yield
    finally:
        for block in blocks:
            block._compiled_call_impl = None
        torch.compiler.reset()


def _attention(name: str) -> Callable[[Context], contextlib.AbstractContextManager[None]]:
    @contextlib.contextmanager
    def apply(ctx: Context) -> Iterator[None]:
        from diffusers.models.attention_dispatch import attention_backend

        try:
            scope = attention_backend(name)
            scope.__enter__()
        except (RuntimeError, ValueError, ImportError) as exc:  # the package is not installed
            raise Skipped(str(exc).splitlines()[0][:160]) from exc
        try:
            yield
        finally:
            scope.__exit__(None, None, None)

    return apply


@contextlib.contextmanager
def _cache(ctx: Context, config: Any) -> Iterator[None]:
    try:
        ctx.transformer.enable_cache(config)
    except ValueError as exc:  # e.g. the model's block class is not in diffusers' block registry
        raise Skipped(f"{type(config).__name__}: {str(exc).splitlines()[0][:160]}") from exc
    try:
        yield
    finally:
        ctx.transformer.disable_cache()


@contextlib.contextmanager
def _fbc(ctx: Context) -> Iterator[None]:
    from diffusers import FirstBlockCacheConfig

    with _cache(ctx, FirstBlockCacheConfig(threshold=ctx.args.fbc_threshold)):
        yield


@contextlib.contextmanager
def _magcache(ctx: Context) -> Iterator[None]:
    """MagCache needs the model's magnitude ratios: one calibration job first (diffusers prints them)."""
    from diffusers import MagCacheConfig

    printed = io.StringIO()
    with (
        _cache(ctx, MagCacheConfig(calibrate=True, num_inference_steps=ctx.steps)),
        contextlib.redirect_stdout(printed),
    ):
        ctx.backend.generate(ctx.request, on_progress=lambda _f: None, should_cancel=lambda: False)
    lists = [line for line in printed.getvalue().splitlines() if line.startswith("[") and line.endswith("]")]
    if not lists:
        raise Skipped("the calibration job printed no magnitude ratios")
    try:
        ratios = [float(r) for r in ast.literal_eval(lists[0])]
    except (ValueError, SyntaxError) as exc:
        raise Skipped(f"unreadable calibration ratios: {lists[0][:80]}") from exc
    with _cache(ctx, MagCacheConfig(mag_ratios=ratios, num_inference_steps=ctx.steps)):
        yield


@contextlib.contextmanager
def _taylorseer(ctx: Context) -> Iterator[None]:
    from diffusers import TaylorSeerCacheConfig

    config = TaylorSeerCacheConfig(cache_interval=2, disable_cache_before_step=max(1, ctx.steps // 4))
    with _cache(ctx, config):
        yield


@contextlib.contextmanager
def _fp8(ctx: Context) -> Iterator[None]:
    if not ctx.backend.loader.is_cuda:
        raise Skipped("fp8 e4m3 needs CUDA with compute capability >= 8.9; this device is a CPU")
    capability = torch.cuda.get_device_capability(ctx.backend.loader.device)
    if capability < (8, 9):
        raise Skipped(f"fp8 e4m3 needs compute capability >= 8.9; this GPU has {capability[0]}.{capability[1]}")
    ctx.transformer.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=torch.bfloat16)
    yield  # not undone: the weights are now stored in fp8 (the variant runs last)


@dataclass
class VariantRow:
    pipeline: str
    key: str
    label: str
    whole_job_s: float | None = None
    denoise_loop_s: float | None = None
    gain_denoise: float | None = None
    gain_whole_job: float | None = None
    psnr_db: float | None = None
    ssim: float | None = None
    audio_snr_db: float | None = None
    peak_gb: float | None = None
    note: str = ""


def variant_plan(args: Any, cuda: bool) -> list[tuple[str, str, Callable[[Context], Any] | None]]:
    """The variants asked for, in run order (fp8 last: it casts the weights in place)."""
    wanted = set(args.speedup_variants.split(",")) if args.speedup_variants else set(VARIANTS)
    unknown = wanted - set(VARIANTS)
    if unknown:
        raise SystemExit(f"unknown variants {sorted(unknown)}; choose from {VARIANTS}")
    plan: list[tuple[str, str, Callable[[Context], Any] | None]] = []
    if "repeat" in wanted:
        plan.append(("repeat", "plain again (noise floor)", lambda _ctx: contextlib.nullcontext()))
    if "compile" in wanted:
        flags = f"mode={args.compile_mode or 'default'}, fullgraph={args.compile_fullgraph}"
        plan.append(("compile", f"torch.compile regional ({flags})", _compile))
    if "attn" in wanted:
        for name in CUDA_ATTENTION if cuda else CPU_ATTENTION:
            plan.append((f"attn:{name}", f"attention backend {name}", _attention(name)))
    if "cfg-batch" in wanted:
        plan.append(("cfg-batch", "CFG batching", None))  # not a job: one step's calls replayed
    if "fbc" in wanted:
        plan.append(("fbc", f"FirstBlockCache (threshold {args.fbc_threshold})", _fbc))
    if "magcache" in wanted:
        plan.append(("magcache", "MagCache (calibrated ratios)", _magcache))
    if "taylorseer" in wanted:
        plan.append(("taylorseer", "TaylorSeer (interval 2, order 1)", _taylorseer))
    if "fp8" in wanted:
        plan.append(("fp8", "fp8 e4m3 storage, bf16 compute", _fp8))
    return plan


def run_variant(
    key: str, label: str, apply: Callable[[Context], Any], ctx: Context, name: str, plain: Job
) -> VariantRow:
    row = VariantRow(name, key, label)
    try:
        with apply(ctx):
            if key == "compile":  # compiles on the first job
                started = time.perf_counter()
                run_job(ctx.backend, ctx.request)
                row.note = f"warm-up job (compiling) {time.perf_counter() - started:.1f} s"
            job = run_job(ctx.backend, ctx.request)
    except Skipped as exc:
        row.note = f"skipped: {exc}"
        return row
    except Exception as exc:  # e.g. a kernel this GPU lacks: record it and go on
        row.note = f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
        return row
    row.whole_job_s, row.denoise_loop_s, row.peak_gb = job.whole_job, job.denoise_loop, job.peak_gb
    row.gain_denoise = plain.denoise_loop / job.denoise_loop
    row.gain_whole_job = plain.whole_job / job.whole_job
    row.psnr_db = psnr(plain.frames, job.frames, 255.0)
    row.ssim = ssim(plain.frames, job.frames)
    row.audio_snr_db = audio_snr(plain.audio, job.audio)
    return row


def cfg_batch_row(ctx: Context, name: str, mode: str | None) -> VariantRow:
    """CFG as one batch of 2 against two batch-1 forwards, replaying the transformer calls of one
    real step (captured from the pipeline); quality: PSNR of the guided prediction."""
    row = VariantRow(name, "cfg-batch", "CFG: cond+uncond as one batch of 2 vs two forwards")
    if mode == "distilled":
        row.note = "n/a: the distilled path runs without guidance (one forward per step)"
        return row
    calls: list[dict[str, Any]] = []

    def capture(_module: Any, _args: Any, kwargs: dict[str, Any]) -> None:
        if len(calls) < 2:
            calls.append({k: v.clone() if torch.is_tensor(v) else v for k, v in kwargs.items()})

    with contextlib.ExitStack() as stack:
        stack.callback(ctx.transformer.register_forward_pre_hook(capture, with_kwargs=True).remove)
        with contextlib.suppress(_CapturedEnough):
            ctx.backend.generate(ctx.request, on_progress=lambda _f: None, should_cancel=_stop_after(calls))
    first = calls[0]
    batch = first["hidden_states"].shape[0]
    if batch == 2:  # LTX2Pipeline: negative and positive prompt in one batch
        batched = first
        split = [{k: v[i : i + 1] if torch.is_tensor(v) and v.shape[:1] == (2,) else v for k, v in first.items()}
                 for i in range(2)]  # fmt: skip
        row.note = "the pipeline already batches cond+uncond (batch 2); measured: the unbatched alternative"
    else:  # WanPipeline: cond, then uncond
        split = calls[:2]
        batched = {k: torch.cat([v, split[1][k]]) if torch.is_tensor(v) else v for k, v in split[0].items()}
        row.note = "the pipeline runs cond and uncond as two forwards; measured: batching them"
    scale = ctx.backend.guidance_scale

    def guided(outputs: list[torch.Tensor]) -> torch.Tensor:
        uncond, cond = outputs if batch == 2 else outputs[::-1]
        return uncond + scale * (cond - uncond)

    def batched_call() -> torch.Tensor:
        out = ctx.transformer(**batched)[0]
        return guided(list(out.float().chunk(2)))

    def split_call() -> torch.Tensor:
        return guided([ctx.transformer(**call)[0].float() for call in split])

    with torch.inference_mode():
        seconds = {}
        results = {}
        for label, fn in (("batched", batched_call), ("split", split_call)):
            results[label] = fn()  # warm-up
            sync(ctx.backend.loader.device)
            started = time.perf_counter()
            for _ in range(ctx.args.cfg_repeats):
                fn()
            sync(ctx.backend.loader.device)
            seconds[label] = (time.perf_counter() - started) / ctx.args.cfg_repeats
    row.gain_denoise = seconds["split"] / seconds["batched"]
    ref = results["split"].cpu().numpy()
    row.psnr_db = psnr(ref, results["batched"].cpu().numpy(), float(ref.max() - ref.min()) or 1.0)
    row.note += f"; one guided step: batched {seconds['batched']:.4f} s, two forwards {seconds['split']:.4f} s"
    return row


class _CapturedEnough(Exception):
    pass


def _stop_after(calls: list[dict[str, Any]]) -> Callable[[], bool]:
    def should_cancel() -> bool:
        if len(calls) >= 2:
            raise _CapturedEnough()
        return False

    return should_cancel


# ---------------------------------------------------------------------------------------------
# The report.


@dataclass
class PipelineResult:
    pipeline: str
    mode: str | None
    generation_size: list[int]
    output_size: list[int]
    frames: int
    clip_seconds: float
    steps: dict[str, int]
    forwards: int
    transformer_tflop: float
    timings: dict[str, float]
    whole_job_s: float
    denoise_loop_s: float
    gpu_s_per_generated_s: float
    peak_gb: float | None
    floor_s: float | None
    share_of_peak: float | None
    whole_job_over_floor: float | None
    variants: list[VariantRow] = field(default_factory=list)


def measure_pipeline(name: str, args: Any, root: Path, peak: float | None) -> PipelineResult:
    family, model, mode = PIPELINES[name]
    backend = make_backend(name, args, root)
    shot = Shot(PROMPT, args.seconds)
    request = GenerationRequest(PROMPT, model, 720, 1280, args.seed, (shot,))
    run_job(backend, request)  # loads, warms kernels
    plain = run_job(backend, request)
    loop_tflop = plain.transformer_tflop  # every forward is in the denoising loop
    floor = loop_tflop / peak if peak else None
    result = PipelineResult(
        pipeline=name,
        mode=mode,
        generation_size=plain.metadata["generation_size"],
        output_size=plain.metadata["output_size"],
        frames=len(plain.frames),
        clip_seconds=args.seconds,
        steps=steps if isinstance(steps := plain.metadata["steps"], dict) else {"denoise": int(steps)},
        forwards=plain.forwards,
        transformer_tflop=loop_tflop,
        timings=plain.timings,
        whole_job_s=plain.whole_job,
        denoise_loop_s=plain.denoise_loop,
        gpu_s_per_generated_s=plain.whole_job / args.seconds,
        peak_gb=plain.peak_gb,
        floor_s=floor,
        share_of_peak=floor / plain.denoise_loop if floor else None,
        whole_job_over_floor=plain.whole_job / floor if floor else None,
    )
    pipe = pipes_of(backend, model)[0]
    ctx = Context(backend, request, pipe.transformer, next(iter(result.steps.values())), args)
    for key, label, apply in variant_plan(args, backend.loader.is_cuda):
        if apply is None:
            result.variants.append(cfg_batch_row(ctx, name, mode))
        else:
            result.variants.append(run_variant(key, label, apply, ctx, name, plain))
    return result


def markdown(results: list[PipelineResult], device_name: str, peak: float | None, args: Any) -> str:
    size = "TINY models" if args.tiny else "real-size models"
    lines = [
        f"Whole jobs through the production backends, {size}, random weights, {device_name}; request 720x1280 "
        f"(generated at the size shown, resized), {args.seconds} s clip, seed {args.seed}. "
        + (f"Floors at {peak:.0f} TFLOP/s bf16 peak." if peak else "No bf16 peak known for this device: no floor."),
        "",
        "| pipeline | gen size | frames | steps | forwards | whole job s | GPU-s per generated s | text enc s "
        "| denoise loop s | upsample s | video decode s | audio decode s | peak GPU GiB | transformer TFLOP "
        "| floor s | % of bf16 peak (loop) | whole job / floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        t = r.timings
        share = f"{100 * r.share_of_peak:.0f}%" if r.share_of_peak is not None else "-"
        lines.append(
            f"| {r.pipeline} | {r.generation_size[0]}x{r.generation_size[1]} | {r.frames} | "
            f"{'+'.join(map(str, r.steps.values()))} | {r.forwards} | {r.whole_job_s:.3f} | "
            f"{r.gpu_s_per_generated_s:.3f} | {fmt(t.get('text encoding'))} | {r.denoise_loop_s:.3f} | "
            f"{fmt(t.get('upsample') or None)} | {fmt(t.get('video decode'))} | {fmt(t.get('audio decode'))} | "
            f"{fmt(r.peak_gb, '.2f')} | {r.transformer_tflop:.4g} | {fmt(r.floor_s)} | {share} | "
            f"{fmt(r.whole_job_over_floor, '.2f')} |"
        )
    lines += [
        "",
        "| pipeline | variant | whole job s | denoise loop s | gain (loop) | gain (job) | PSNR dB | SSIM "
        "| audio SNR dB | peak GPU GiB | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for v in r.variants:
            lines.append(
                f"| {v.pipeline} | {v.label} | {fmt(v.whole_job_s)} | {fmt(v.denoise_loop_s)} | "
                f"{fmt(v.gain_denoise, '.2f')}{'x' if v.gain_denoise else ''} | "
                f"{fmt(v.gain_whole_job, '.2f')}{'x' if v.gain_whole_job else ''} | {fmt(v.psnr_db, '.2f')} | "
                f"{fmt(v.ssim, '.4f')} | {fmt(v.audio_snr_db, '.2f')} | {fmt(v.peak_gb, '.2f')} | {v.note} |"
            )
    lines += [
        "",
        "- whole job = the backend's generate less loading: text encoding, denoising loop, upsample, video "
        "and audio decode, resize; GPU-s per generated s = whole job / clip seconds (one device).",
        "- transformer TFLOP: every forward the job ran, counted from its input shapes (ltx2_flops / dit_flops); "
        "floor = that / bf16 peak; % of peak = floor / denoising loop time.",
        "- PSNR/SSIM: decoded frames against the plain run, same seed (SSIM on "
        f"{SSIM_FRAMES} evenly spaced frames); audio SNR: the model's waveform against the plain run's. "
        "Random weights: cache rows say how far skipping moved this model's output, compare them with "
        "`plain again`.",
        "- cfg-batch: one real guided step's transformer calls replayed; its PSNR is of the guided noise prediction.",
    ]
    if args.tiny:
        lines.append(
            "- TINY models: checks the harness and every variant's code path; the times say nothing about a GPU."
        )
    return "\n".join(lines)


def speedups_main(args: Any) -> int:
    args.device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    cuda = args.device.startswith("cuda")
    if not cuda and not args.tiny:
        raise SystemExit("No CUDA device: real-size pipelines need a GPU. Use --speedups --tiny --device cpu.")
    names = args.pipelines.split(",")
    unknown = set(names) - set(PIPELINES)
    if unknown:
        raise SystemExit(f"unknown pipelines {sorted(unknown)}; choose from {sorted(PIPELINES)}")
    args.steps = args.steps or (2 if args.tiny else 40)
    import diffusers

    diffusers.utils.logging.set_verbosity_error()  # the per-cast "keep in float32: []" notices
    device_name = torch.cuda.get_device_name(args.device) if cuda else f"CPU ({torch.get_num_threads()} threads)"
    peak = peak_tflops(device_name)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            results.append(measure_pipeline(name, args, Path(tmp), peak))
            clear_pipeline_cache()  # the next pipeline's model gets the memory
            if cuda:
                torch.cuda.empty_cache()
    text = markdown(results, device_name, peak, args)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=2, default=str))
    return 0
