"""Time the Wan2.1-T2V-1.3B denoiser and VAE at full size with random weights.

Compute cost does not depend on weight values, so a randomly initialised model with the exact
Wan2.1-T2V-1.3B architecture times what the real one costs (cache-based speedups such as TeaCache
or FBCache do depend on the weights and are not measured here). The UMT5-XXL text encoder runs
once per clip and is left out: random prompt embeddings of shape (B, 512, 4096) stand in.

Each row adds one weight-independent speedup to the row above it:

    a  fp32, eager, PyTorch's default SDPA choice, CFG as two forwards per step
    b  + bf16 weights and activations
    c  + an explicit SDPA backend (flash attention; cuDNN attention tried as c2 on CUDA)
    d  + torch.compile of the transformer blocks (regional compilation)
    e  + batched CFG: cond and uncond in one batch of 2 (one forward per step)

A few steps are timed after warm-up and extrapolated to 50 steps (the output says so), plus one
full VAE decode of the 81-frame latents. Usage:

    python bench/gpu_generation.py                       # full size on CUDA (H100/H200/4090)
    python bench/gpu_generation.py --tiny --device cpu   # tiny dims, seconds on a laptop CPU
    python bench/gpu_generation.py --cpu-full-check      # full-size transformer, 1 forward, 1 frame, CPU
    python bench/gpu_generation.py --json out.json --steps 3 --variants a,b,c,d,e

LTX-2 (`--ltx2`, see ltx2_main): the joint audio-video transformer with random weights at the
backend's generation size, per mode (distilled = `sora-2`, two_stage = `sora-2-pro`, full), with
each step's guidance passes as the pipeline runs them, next to the FLOP floor computed from the
model's own config at the device's bf16 peak; plus the video VAE, audio VAE and vocoder decode,
and with --tiny the whole job through LTX2Backend on the tiny model the tests build:

    python bench/gpu_generation.py --ltx2                      # full size on CUDA (H100/H200)
    python bench/gpu_generation.py --ltx2 --tiny --device cpu  # tiny dims: checks the harness

Whole jobs per configured pipeline through the production backends, then speed-ups (torch.compile,
attention backends, CFG batching, cache hooks, fp8), each with its gain and PSNR/SSIM against the
plain run (`--speedups`, see bench/gpu_speedups.py):

    python bench/gpu_generation.py --speedups                                # real size on CUDA
    python bench/gpu_generation.py --speedups --tiny --device cpu --steps 2  # every variant, tiny
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch

# --tiny times the tiny Wan the tests build: one definition of the tiny dims, in tests/builders/tiny_wan.py.
from tests.builders.tiny_wan import TINY_TRANSFORMER, TINY_VAE

# Wan 2.1 T2V 1.3B: the tiny architecture at its real dimensions.
FULL_TRANSFORMER = TINY_TRANSFORMER | dict(
    num_attention_heads=12, attention_head_dim=128, text_dim=4096, freq_dim=256, ffn_dim=8960, num_layers=30, eps=1e-6
)
FULL_VAE: dict = {}  # AutoencoderKLWan() defaults are Wan 2.1's VAE (base_dim 96, dim_mult 1,2,4,4)

PEAK_BF16_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0, "4090": 165.0, "L40S": 362.0}
STEPS_PER_VIDEO = 50


@dataclass
class Variant:
    key: str
    label: str
    dtype: str
    sdpa: str | None  # None: PyTorch's own choice
    compile: bool
    batched_cfg: bool


@dataclass
class Row:
    key: str
    label: str
    dtype: str
    attention: str
    compiled: bool
    cfg: str
    seconds_per_step: float | None = None
    seconds_per_forward: float | None = None
    warmup_seconds: float | None = None
    extrapolated_denoise_seconds: float | None = None
    extrapolated_video_seconds: float | None = None
    achieved_tflops: float | None = None
    peak_memory_gb: float | None = None
    error: str | None = None
    timed_steps: int = 0


@dataclass
class Report:
    device: str
    device_name: str
    torch: str
    diffusers: str
    tiny: bool
    width: int
    height: int
    frames: int
    latent_shape: list[int]
    tokens: int
    text_tokens: int
    params: int
    flops_per_forward: float
    timed_steps: int
    warmup_steps: int
    extrapolated_to_steps: int = STEPS_PER_VIDEO
    rows: list[Row] = field(default_factory=list)
    vae: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def dit_flops(cfg: dict, tokens: int, text_tokens: int) -> float:
    """Matmul FLOPs of one WanTransformer3DModel forward (batch 1), the standard 2*m*n*k count."""
    d = cfg["num_attention_heads"] * cfg["attention_head_dim"]
    L, T, f = tokens, text_tokens, cfg["ffn_dim"]
    per_layer = (
        2 * L * d * d * 4  # self-attention q, k, v, o
        + 2 * 2 * L * L * d  # QK^T and PV
        + 2 * L * d * d * 2  # cross-attention q, o
        + 2 * T * d * d * 2  # cross-attention k, v over the text tokens
        + 2 * 2 * L * T * d  # cross-attention scores and values
        + 2 * L * d * f * 2  # feed-forward
    )
    patch = math.prod(cfg["patch_size"]) * cfg["in_channels"]
    return cfg["num_layers"] * per_layer + 2 * L * patch * d + 2 * L * d * patch + 2 * T * cfg["text_dim"] * d


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize(device)


def sdpa_context(name: str | None) -> contextlib.AbstractContextManager[None]:
    if name is None:
        return contextlib.nullcontext()
    from torch.nn.attention import SDPBackend, sdpa_kernel

    backend = {
        "flash": SDPBackend.FLASH_ATTENTION,
        "cudnn": SDPBackend.CUDNN_ATTENTION,
        "efficient": SDPBackend.EFFICIENT_ATTENTION,
        "math": SDPBackend.MATH,
    }[name]
    return sdpa_kernel([backend])


def peak_tflops(device_name: str) -> float | None:
    for key, value in PEAK_BF16_TFLOPS.items():
        if key in device_name:
            return value
    return None


def build_transformer(cfg: dict, device: str) -> Any:  # a diffusers WanTransformer3DModel
    from diffusers import WanTransformer3DModel

    torch.manual_seed(0)
    with torch.device(device):
        model = WanTransformer3DModel(**cfg)
    return model.eval().requires_grad_(False)


def time_variant(
    variant: Variant,
    transformer: Any,  # a diffusers WanTransformer3DModel
    args: argparse.Namespace,
    report: Report,
    shapes: tuple[list[int], int, int],
) -> Row:
    device = args.device
    dtype = getattr(torch, variant.dtype)
    row = Row(
        variant.key,
        variant.label,
        variant.dtype,
        variant.sdpa or "default",
        variant.compile,
        "batch of 2" if variant.batched_cfg else "2 forwards",
    )
    latent_shape, text_tokens, text_dim = shapes
    gen = torch.Generator(device=device).manual_seed(0)
    latents = torch.randn(latent_shape, generator=gen, device=device, dtype=dtype)
    cond = torch.randn((1, text_tokens, text_dim), generator=gen, device=device, dtype=dtype)
    uncond = torch.randn((1, text_tokens, text_dim), generator=gen, device=device, dtype=dtype)
    timestep = torch.full((1,), 999.0, device=device)
    guidance = 5.0

    step: Callable[[], torch.Tensor]
    if variant.batched_cfg:
        x2, ctx2, t2 = torch.cat([latents, latents]), torch.cat([cond, uncond]), timestep.expand(2)

        def step() -> torch.Tensor:
            out = transformer(hidden_states=x2, timestep=t2, encoder_hidden_states=ctx2, return_dict=False)[0]
            c, u = out.chunk(2)
            return u + guidance * (c - u)
    else:

        def step() -> torch.Tensor:
            c = transformer(hidden_states=latents, timestep=timestep, encoder_hidden_states=cond, return_dict=False)[0]
            u = transformer(hidden_states=latents, timestep=timestep, encoder_hidden_states=uncond, return_dict=False)[
                0
            ]
            return u + guidance * (c - u)

    if device.startswith("cuda"):
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
    try:
        with torch.inference_mode(), sdpa_context(variant.sdpa):
            started = time.perf_counter()
            for _ in range(args.warmup):
                step()
            sync(device)
            row.warmup_seconds = round(time.perf_counter() - started, 3)
            started = time.perf_counter()
            for _ in range(args.steps):
                step()
            sync(device)
            elapsed = time.perf_counter() - started
    except Exception as exc:  # a backend this GPU/CPU lacks: record and carry on
        row.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
        return row
    row.timed_steps = args.steps
    row.seconds_per_step = elapsed / args.steps
    row.seconds_per_forward = row.seconds_per_step / 2  # 2 forwards, or one forward of batch 2
    row.extrapolated_denoise_seconds = row.seconds_per_step * STEPS_PER_VIDEO
    row.achieved_tflops = 2 * report.flops_per_forward / row.seconds_per_step / 1e12
    if device.startswith("cuda"):
        row.peak_memory_gb = torch.cuda.max_memory_allocated(device) / 2**30
    return row


def time_vae(
    args: argparse.Namespace, latent_shape: list[int], dtypes: Sequence[str] = ("float32", "bfloat16")
) -> dict[str, dict[str, Any]]:
    from diffusers import AutoencoderKLWan

    device = args.device
    results: dict[str, dict[str, Any]] = {}
    torch.manual_seed(0)
    with torch.device(device):
        vae = AutoencoderKLWan(**(TINY_VAE if args.tiny else FULL_VAE)).eval().requires_grad_(False)
    for name in dtypes:
        dtype = getattr(torch, name)
        to_dtype(vae, dtype)
        z = torch.randn(latent_shape, device=device, dtype=dtype)
        try:
            with torch.inference_mode():
                vae.decode(z[:, :, :2], return_dict=False)  # warm-up: kernels, cuDNN autotune
                sync(device)
                if device.startswith("cuda"):
                    torch.cuda.empty_cache()
                    torch.cuda.reset_peak_memory_stats(device)
                started = time.perf_counter()
                video = vae.decode(z, return_dict=False)[0]
                sync(device)
                seconds = time.perf_counter() - started
            results[name] = {"decode_seconds": seconds, "output_shape": list(video.shape)}
            if device.startswith("cuda"):
                results[name]["peak_memory_gb"] = torch.cuda.max_memory_allocated(device) / 2**30
            del video
        except Exception as exc:
            results[name] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"}
    del vae
    gc.collect()
    return results


def variants_for(args: argparse.Namespace) -> list[Variant]:
    cuda = args.device.startswith("cuda")
    all_variants = [
        Variant("a", "fp32 eager (default)", "float32", None, False, False),
        Variant("b", "+ bf16", "bfloat16", None, False, False),
        Variant("c", "+ SDPA flash attention", "bfloat16", "flash", False, False),
    ]
    if cuda:
        all_variants.append(
            Variant("c2", "+ SDPA cuDNN attention (instead of flash)", "bfloat16", "cudnn", False, False)
        )
    all_variants += [
        Variant("d", "+ torch.compile (regional)", "bfloat16", "best", True, False),
        Variant("e", "+ batched CFG (batch 2)", "bfloat16", "best", True, True),
    ]
    wanted = set(args.variants.split(",")) if args.variants else None
    if wanted is None and not cuda and args.tiny and not args.compile_on_cpu:
        wanted = {"a", "b", "c", "e"}  # inductor on a 2-core CPU takes a minute to warm up
    chosen = [v for v in all_variants if wanted is None or v.key in wanted or (v.key == "c2" and "c" in wanted)]
    if not any(v.key == "d" for v in chosen):  # rows are cumulative: no compile row, no compile below
        for v in chosen:
            if v.key == "e":
                v.compile, v.label = False, "+ batched CFG (batch 2), not compiled"
    return chosen


def to_dtype(model: torch.nn.Module, dtype: torch.dtype) -> None:
    """Cast like from_pretrained(dtype=...): modules the class keeps in fp32 stay fp32."""
    model.to(dtype)
    keep = getattr(model, "_keep_in_fp32_modules", None) or []
    if dtype != torch.float32 and keep:
        for name, param in model.named_parameters():
            if any(part in keep for part in name.split(".")):
                param.data = param.data.to(torch.float32)


def fmt(value: float | None, spec: str = ".3f", none: str = "-") -> str:
    return none if value is None else format(value, spec)


def markdown(report: Report) -> str:
    peak = peak_tflops(report.device_name)
    lines = [
        f"Wan2.1-T2V-1.3B {'TINY dims' if report.tiny else 'full-size'} transformer, random weights, "
        f"{report.width}x{report.height}, {report.frames} frames (latents {report.latent_shape}, "
        f"{report.tokens} tokens), {report.text_tokens} text tokens, {report.params / 1e6:,.2f} M params, "
        f"{report.flops_per_forward / 1e12:.2f} TFLOP per forward; device: {report.device_name}.",
        f"Timed {report.timed_steps} steps after {report.warmup_steps} warm-up step(s) per row and "
        f"EXTRAPOLATED to {report.extrapolated_to_steps} steps (CFG: 2 forwards per step). "
        "Each row adds its change to the row above.",
        "",
        "| row | change | dtype | attention | compile | CFG | s/step | s/forward | 50 steps (s, extrap.) "
        "| + VAE decode (s) | TFLOP/s | peak mem (GiB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in report.rows:
        if row.error:
            lines.append(
                f"| {row.key} | {row.label} | {row.dtype} | {row.attention} | {row.compiled} | {row.cfg} | "
                f"failed: {row.error} | | | | | |"
            )
            continue
        tflops = fmt(row.achieved_tflops, ".1f") if row.achieved_tflops >= 0.1 else fmt(row.achieved_tflops, ".4f")
        if peak and row.achieved_tflops:
            tflops += f" ({100 * row.achieved_tflops / peak:.0f}% of bf16 peak)"
        lines.append(
            f"| {row.key} | {row.label} | {row.dtype} | {row.attention} | {row.compiled} | {row.cfg} | "
            f"{fmt(row.seconds_per_step)} | {fmt(row.seconds_per_forward)} | "
            f"{fmt(row.extrapolated_denoise_seconds, '.1f')} | "
            f"{fmt(row.extrapolated_video_seconds, '.1f')} | "
            f"{tflops} | {fmt(row.peak_memory_gb, '.2f')} |"
        )
    if report.vae:
        lines.append("")
        lines.append("| VAE decode (one clip) | seconds | peak mem (GiB) |")
        lines.append("|---|---|---|")
        for dtype, res in report.vae.items():
            if "error" in res:
                lines.append(f"| {dtype} | failed: {res['error']} | |")
            else:
                lines.append(f"| {dtype} | {res['decode_seconds']:.3f} | {fmt(res.get('peak_memory_gb'), '.2f')} |")
    if report.notes:
        lines.append("")
        lines += [f"- {note}" for note in report.notes]
    return "\n".join(lines)


def cpu_full_check(args: argparse.Namespace) -> int:
    """Full-size transformer, ONE forward at 1 frame on CPU: checks the config, not speed."""
    cfg = FULL_TRANSFORMER
    height, width, frames = args.height, args.width, 1
    latent = [1, 16, (frames - 1) // 4 + 1, height // 8, width // 8]
    tokens = latent[2] * (latent[3] // 2) * (latent[4] // 2)
    started = time.perf_counter()
    model = build_transformer(cfg, "cpu")
    built = time.perf_counter() - started
    params = sum(p.numel() for p in model.parameters())
    x = torch.randn(latent)
    ctx = torch.randn(1, args.text_tokens, cfg["text_dim"])
    with torch.inference_mode():
        started = time.perf_counter()
        out = model(hidden_states=x, timestep=torch.tensor([999.0]), encoder_hidden_states=ctx, return_dict=False)[0]
        seconds = time.perf_counter() - started
    flops = dit_flops(cfg, tokens, args.text_tokens)
    result = {
        "mode": "cpu-full-check",
        "params": params,
        "build_seconds": round(built, 1),
        "latent_shape": latent,
        "tokens": tokens,
        "output_shape": list(out.shape),
        "finite": bool(torch.isfinite(out).all()),
        "forward_seconds": round(seconds, 2),
        "flops_per_forward": flops,
        "cpu_gflops": round(flops / seconds / 1e9, 1),
        "threads": torch.get_num_threads(),
    }
    print(
        f"Full-size Wan2.1-T2V-1.3B transformer on CPU: {params / 1e9:.3f} B params "
        f"(built in {built:.1f} s); "
        f"one fp32 forward at {width}x{height}x{frames} frame ({tokens} tokens): {seconds:.1f} s, "
        f"{flops / 1e12:.2f} TFLOP -> {flops / seconds / 1e9:.0f} GFLOP/s; output {list(out.shape)}, "
        f"finite={result['finite']}. At 480x832x81 (32760 tokens) one forward is "
        f"{dit_flops(cfg, 32760, 512) / 1e12:.0f} TFLOP."
    )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=2)
    return 0


# ---------------------------------------------------------------------------------------------
# LTX-2


def ltx2_flops(cfg: Any, video_tokens: int, audio_tokens: int, text_tokens: int) -> float:
    """Matmul FLOPs of one LTX2VideoTransformer3DModel forward (batch 1), 2*m*n*k, from its config:
    per block video/audio self-attention, text cross-attention, audio<->video cross-attention (in
    the audio width, as the model builds them) and the two 4x feed-forwards."""
    d = cfg["num_attention_heads"] * cfg["attention_head_dim"]
    da = cfg["audio_num_attention_heads"] * cfg["audio_attention_head_dim"]
    L, A, T = video_tokens, audio_tokens, text_tokens

    def attention(q_tokens: int, kv_tokens: int, q_dim: int, kv_dim: int, inner: int) -> float:
        projections = 2 * q_tokens * q_dim * inner * 2 + 2 * kv_tokens * kv_dim * inner * 2  # q, o; k, v
        return projections + 2 * 2 * q_tokens * kv_tokens * inner  # scores and values

    per_layer = (
        attention(L, L, d, d, d)  # video self
        + attention(L, T, d, d, d)  # video <- text (text projected to the video width)
        + attention(A, A, da, da, da)  # audio self
        + attention(A, T, da, da, da)  # audio <- text
        + attention(L, A, d, da, da)  # audio -> video
        + attention(A, L, da, d, da)  # video -> audio
        + 2 * L * d * 4 * d * 2  # video feed-forward
        + 2 * A * da * 4 * da * 2  # audio feed-forward
    )
    io = 2 * L * cfg["in_channels"] * d * 2 + 2 * A * cfg["audio_in_channels"] * da * 2
    captions = 2 * T * cfg["caption_channels"] * (d + da)
    return float(cfg["num_layers"] * per_layer + io + captions)


# LTX-2.0's video VAE (its diffusers vae/config.json); the class defaults are a different VAE. The
# transformer's and the vocoder's class defaults are LTX-2.0's.
LTX2_VIDEO_VAE = dict(
    latent_channels=128,
    block_out_channels=(256, 512, 1024, 2048),
    decoder_block_out_channels=(256, 512, 1024),
    layers_per_block=(4, 6, 6, 2, 2),
    decoder_layers_per_block=(5, 5, 5, 5),
    spatio_temporal_scaling=(True, True, True, True),
    decoder_spatio_temporal_scaling=(True, True, True),
    decoder_inject_noise=(False, False, False, False),
    downsample_type=("spatial", "temporal", "spatiotemporal", "spatiotemporal"),
    upsample_residual=(True, True, True),
    upsample_factor=(2, 2, 2),
    timestep_conditioning=False,
    patch_size=4,
    patch_size_t=1,
    resnet_norm_eps=1e-6,
    encoder_causal=True,
    decoder_causal=False,
    encoder_spatial_padding_mode="zeros",
    decoder_spatial_padding_mode="reflect",
    spatial_compression_ratio=32,
    temporal_compression_ratio=8,
)


@dataclass
class LTX2Stage:
    name: str
    width: int
    height: int
    steps: int
    batches: tuple[int, ...]  # the transformer calls of one step and their batch sizes
    video_tokens: int = 0
    audio_tokens: int = 0
    tflop_per_step: float = 0.0
    seconds_per_step: float | None = None
    floor_seconds_per_step: float | None = None
    error: str | None = None


def ltx2_stages(mode: str, width: int, height: int, steps: dict[str, int]) -> list[LTX2Stage]:
    """The backend's stages for a mode: CFG runs as a batch of 2, then STG and modality isolation
    as one forward each (LTX2Pipeline's loop); distilled and refine steps are one forward."""
    guided = (2, 1, 1)
    if mode == "distilled":
        return [LTX2Stage("denoise (distilled)", width, height, steps["distilled"], (1,))]
    if mode == "two_stage":
        return [
            LTX2Stage("stage 1 (half size, guided)", width // 2, height // 2, steps["full"], guided),
            LTX2Stage("stage 2 refine (distilled sigmas)", width, height, steps["refine"], (1,)),
        ]
    return [LTX2Stage("denoise (guided)", width, height, steps["full"], guided)]


def ltx2_components(tiny: bool, device: str, dtype: torch.dtype) -> dict[str, Any]:
    """Transformer, video VAE, audio VAE and vocoder: the tiny test model's, or LTX-2.0's
    architecture (LTX2_VIDEO_VAE and the other classes' defaults), random weights."""
    if tiny:
        from tests.builders.tiny_ltx2 import tiny_components

        parts = {k: v for k, v in tiny_components().items() if k in ("transformer", "vae", "audio_vae", "vocoder")}
        return {k: v.to(device, dtype).eval().requires_grad_(False) for k, v in parts.items()}
    from diffusers import AutoencoderKLLTX2Audio, AutoencoderKLLTX2Video, LTX2VideoTransformer3DModel
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder

    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)  # build the 19 B parameters in bf16 directly
    try:
        torch.manual_seed(0)
        with torch.device(device):
            parts = {
                "transformer": LTX2VideoTransformer3DModel(),
                "vae": AutoencoderKLLTX2Video(**LTX2_VIDEO_VAE),
                "audio_vae": AutoencoderKLLTX2Audio(),
                "vocoder": LTX2Vocoder(),
            }
    finally:
        torch.set_default_dtype(previous)
    return {k: v.eval().requires_grad_(False) for k, v in parts.items()}


def ltx2_main(args: argparse.Namespace) -> int:
    from generation.backends.ltx2_backend import LTX2_FPS, MODES, SIZE_MULTIPLE
    from generation.backends.shots import frame_plan, generation_size

    device = "meta" if args.flops_only else args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    cuda = device.startswith("cuda")
    if not cuda and not args.tiny and not args.flops_only:
        print("No CUDA device: full-size LTX-2 needs a GPU. Use --ltx2 --tiny or --ltx2 --flops-only.", file=sys.stderr)
        return 2
    dtype = torch.bfloat16 if cuda or args.flops_only else torch.float32
    parts = ltx2_components(args.tiny, device, dtype)
    transformer, vae, audio_vae = parts["transformer"], parts["vae"], parts["audio_vae"]
    text_tokens = 16 if args.tiny else 1024  # LTX2_MAX_SEQUENCE_LENGTH: the connectors' output length
    width, height = args.width or (64 if args.tiny else 720), args.height or (96 if args.tiny else 1280)
    _, n_frames = frame_plan(args.seconds, LTX2_FPS, 121, vae.temporal_compression_ratio)
    steps = {"distilled": 8, "full": args.steps or 40, "refine": 3}
    if args.flops_only:  # no weights (meta tensors), no timing: the floors on the named GPU
        device_name = f"{args.flops_only} (not run: FLOP floors only)"
    else:
        device_name = torch.cuda.get_device_name(device) if cuda else f"CPU ({torch.get_num_threads()} threads)"
    peak = peak_tflops(device_name)
    rate = audio_vae.config.sample_rate / audio_vae.config.mel_hop_length / audio_vae.temporal_compression_ratio
    audio_tokens = round(n_frames / LTX2_FPS * rate)
    results: dict[str, Any] = {"device": device_name, "dtype": str(dtype), "frames": n_frames, "modes": {}}
    lines = [
        f"LTX-2 {'TINY dims' if args.tiny else 'full-size'} joint audio-video transformer, random weights, "
        f"{sum(p.numel() for p in transformer.parameters()) / 1e9:.3f} B params, {dtype}; device: {device_name}; "
        f"requested {width}x{height}, {n_frames} frames at {LTX2_FPS} fps ({n_frames / LTX2_FPS:.2f} s), "
        f"{audio_tokens} audio tokens, {text_tokens} text tokens. Floors at "
        + (f"{peak:.0f} TFLOP/s bf16 peak." if peak else "an unknown peak (CPU): no floor."),
        "",
        "| mode | stage | size | video tokens | passes/step | steps | TFLOP/step | s/step | floor s/step "
        "| % of peak | stage floor s | stage s (extrap.) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for mode in args.ltx2_modes.split(","):
        if mode not in MODES:
            raise SystemExit(f"unknown mode {mode!r}; choose from {MODES}")
        multiple = SIZE_MULTIPLE * (2 if mode == "two_stage" else 1)
        gen_w, gen_h = generation_size(width, height, args.max_area or (64 * 96 if args.tiny else 704 * 1280), multiple)
        stages = ltx2_stages(mode, gen_w, gen_h, steps)
        for stage in stages:
            ltx2_time_stage(stage, transformer, vae, args, device, dtype, n_frames, audio_tokens, text_tokens, peak)
            if args.flops_only:
                stage.seconds_per_step = None
            share = (
                f"{100 * stage.floor_seconds_per_step / stage.seconds_per_step:.0f}%"
                if stage.floor_seconds_per_step and stage.seconds_per_step
                else "-"
            )
            total = stage.seconds_per_step * stage.steps if stage.seconds_per_step else None
            floor = stage.floor_seconds_per_step * stage.steps if stage.floor_seconds_per_step else None
            lines.append(
                f"| {mode} | {stage.name} | {stage.width}x{stage.height} | {stage.video_tokens} | "
                f"{'+'.join(map(str, stage.batches))} | {stage.steps} | {stage.tflop_per_step:.3f} | "
                f"{stage.error or fmt(stage.seconds_per_step)} | {fmt(stage.floor_seconds_per_step, '.4f')} | "
                f"{share} | {fmt(floor, '.2f')} | {fmt(total, '.2f')} |"
            )
        results["modes"][mode] = [asdict(stage) for stage in stages]
        gen_size = (gen_w, gen_h)
    if not args.flops_only:
        decode = ltx2_time_decode(parts, device, dtype, n_frames, gen_size, audio_tokens)
        results["decode"] = decode
        lines += ["", "| decode (one clip, last size) | seconds |", "|---|---|"]
        lines += [f"| {name} | {fmt(seconds)} |" for name, seconds in decode.items()]
    if args.tiny:
        results["whole_job"] = ltx2_whole_job_tiny(args.seconds)
        lines += ["", "| whole job through LTX2Backend (tiny, CPU) | seconds |", "|---|---|"]
        lines += [f"| {k} | {fmt(v)} |" for k, v in results["whole_job"].items()]
    lines += [
        "",
        f"- s/step: {args.steps_timed} timed step(s) after 1 warm-up, each step = the pipeline's transformer "
        "calls for that mode; stage seconds = s/step x steps (extrapolated).",
        "- floor = FLOPs of those calls (ltx2_flops, from the model's config) / bf16 peak: 100% means the "
        "hardware's limit.",
    ]
    if args.tiny:
        lines.append("- TINY dims: checks the harness only; the numbers say nothing about a GPU.")
    print("\n".join(lines))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)
    return 0


def ltx2_time_stage(
    stage: LTX2Stage,
    transformer: Any,
    vae: Any,
    args: argparse.Namespace,
    device: str,
    dtype: torch.dtype,
    n_frames: int,
    audio_tokens: int,
    text_tokens: int,
    peak: float | None,
) -> None:
    cfg = transformer.config
    spatial, temporal = vae.spatial_compression_ratio, vae.temporal_compression_ratio
    f, h, w = (n_frames - 1) // temporal + 1, stage.height // spatial, stage.width // spatial
    stage.video_tokens, stage.audio_tokens = f * h * w, audio_tokens
    flops = ltx2_flops(cfg, stage.video_tokens, audio_tokens, text_tokens)
    stage.tflop_per_step = sum(stage.batches) * flops / 1e12
    if peak:
        stage.floor_seconds_per_step = sum(stage.batches) * flops / (peak * 1e12)
    if device == "meta":
        return
    gen = torch.Generator(device=device).manual_seed(0)

    def inputs(batch: int) -> dict[str, Any]:
        def rand(*shape: int) -> torch.Tensor:
            return torch.randn(shape, generator=gen, device=device, dtype=dtype)

        return dict(
            hidden_states=rand(batch, stage.video_tokens, cfg["in_channels"]),
            audio_hidden_states=rand(batch, audio_tokens, cfg["audio_in_channels"]),
            encoder_hidden_states=rand(batch, text_tokens, cfg["caption_channels"]),
            audio_encoder_hidden_states=rand(batch, text_tokens, cfg["caption_channels"]),
            timestep=torch.full((batch,), 500.0, device=device),
            sigma=torch.full((batch,), 0.5, device=device),
            encoder_attention_mask=torch.ones(batch, text_tokens, device=device),
            audio_encoder_attention_mask=torch.ones(batch, text_tokens, device=device),
            num_frames=f,
            height=h,
            width=w,
            fps=float(24),
            audio_num_frames=audio_tokens,
            return_dict=False,
        )

    calls = [inputs(batch) for batch in stage.batches]
    try:
        with torch.inference_mode():
            for call in calls:  # warm-up
                transformer(**call)
            sync(device)
            started = time.perf_counter()
            for _ in range(args.steps_timed):
                for call in calls:
                    transformer(**call)
            sync(device)
        stage.seconds_per_step = (time.perf_counter() - started) / args.steps_timed
    except Exception as exc:  # e.g. out of memory: record and carry on
        stage.error = f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}"


def ltx2_time_decode(
    parts: dict[str, Any], device: str, dtype: torch.dtype, n_frames: int, size: tuple[int, int], audio_tokens: int
) -> dict[str, float]:
    vae, audio_vae, vocoder = parts["vae"], parts["audio_vae"], parts["vocoder"]
    spatial, temporal = vae.spatial_compression_ratio, vae.temporal_compression_ratio
    latents = torch.randn(
        1, vae.config.latent_channels, (n_frames - 1) // temporal + 1, size[1] // spatial, size[0] // spatial,
        device=device, dtype=dtype,
    )  # fmt: skip
    mel_bins = audio_vae.config.mel_bins // audio_vae.mel_compression_ratio
    audio_latents = torch.randn(1, audio_vae.config.latent_channels, audio_tokens, mel_bins, device=device, dtype=dtype)
    out: dict[str, float] = {}
    with torch.inference_mode():
        started = time.perf_counter()
        vae.decode(latents, None, return_dict=False)
        sync(device)
        out["video VAE decode"] = time.perf_counter() - started
        started = time.perf_counter()
        mel = audio_vae.decode(audio_latents, return_dict=False)[0]
        sync(device)
        out["audio VAE decode"] = time.perf_counter() - started
        started = time.perf_counter()
        vocoder(mel)
        sync(device)
        out["vocoder"] = time.perf_counter() - started
    return out


def ltx2_whole_job_tiny(seconds: float) -> dict[str, float]:
    """One sora-2 (distilled) job through the production backend on the tiny model: text encoding,
    denoising, VAE and audio decode, loaded with from_pretrained like real weights."""
    import tempfile

    from generation.backends.base import GenerationRequest, Shot
    from generation.backends.ltx2_backend import LTX2Backend
    from tests.builders.tiny_ltx2 import build_tiny_ltx2

    with tempfile.TemporaryDirectory() as tmp:
        folder = build_tiny_ltx2(Path(tmp) / "tiny-ltx2", kinds=("t2v",))
        backend = LTX2Backend(
            {"sora-2": folder}, modes={"sora-2": "distilled"}, device="cpu", max_area=64 * 96, max_sequence_length=16
        )
        shot = Shot('a fox says "hello"', seconds)
        request = GenerationRequest(shot.prompt, "sora-2", 720, 1280, 1, (shot,))
        backend.generate(request, on_progress=lambda _f: None, should_cancel=lambda: False)  # loads
        result = backend.generate(request, on_progress=lambda _f: None, should_cancel=lambda: False)
    return {k: float(v) for k, v in result.metadata["timings"].items() if k != "load"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="tiny dims and 64x64x9: runs on a CPU in seconds")
    parser.add_argument("--device", default=None, help="cuda (default when present) or cpu")
    parser.add_argument("--steps", type=int, default=None, help="timed steps per row (default 3; tiny 2)")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up steps per row (default 1; 2 with compile)")
    parser.add_argument("--variants", default=None, help="comma-separated rows: a,b,c,d,e")
    parser.add_argument("--width", type=int, default=None)
    parser.add_argument("--height", type=int, default=None)
    parser.add_argument("--frames", type=int, default=None)
    parser.add_argument("--text-tokens", type=int, default=512)
    parser.add_argument("--no-vae", action="store_true", help="skip the VAE decode timing")
    parser.add_argument("--compile-on-cpu", action="store_true", help="include row d on CPU in --tiny mode")
    parser.add_argument("--cpu-full-check", action="store_true", help="full-size transformer, 1 forward, 1 frame, CPU")
    parser.add_argument("--json", default=None, metavar="OUT", help="also write the results as JSON")
    parser.add_argument("--ltx2", action="store_true", help="time LTX-2 (joint audio-video) instead of Wan")
    parser.add_argument("--ltx2-modes", default="distilled,two_stage,full", help="LTX-2 modes to time")
    parser.add_argument("--seconds", type=float, default=5.0, help="LTX-2 clip length (frames at 24 fps, 8k+1)")
    parser.add_argument("--max-area", type=int, default=None, help="LTX-2 generation pixels per frame")
    parser.add_argument("--steps-timed", type=int, default=1, help="LTX-2: timed steps per stage")
    parser.add_argument(
        "--flops-only", default=None, metavar="GPU", help="LTX-2: floors only, for GPU (e.g. H200), no weights, no run"
    )
    parser.add_argument("--speedups", action="store_true", help="whole jobs + speed-up variants (gpu_speedups.py)")
    parser.add_argument("--pipelines", default="ltx2-distilled,ltx2-two_stage,ltx2-full,wan-t2v")
    parser.add_argument("--speedup-variants", default=None, help="comma-separated; default: all")
    parser.add_argument("--distilled-steps", type=int, default=8)
    parser.add_argument("--refine-steps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--compile-mode", default=None, help="torch.compile mode, e.g. max-autotune-no-cudagraphs")
    parser.add_argument("--no-fullgraph", dest="compile_fullgraph", action="store_false")
    parser.add_argument("--fbc-threshold", type=float, default=0.05)
    parser.add_argument("--cfg-repeats", type=int, default=3, help="timed repeats of the CFG step replay")
    parser.add_argument("--markdown", default=None, metavar="OUT", help="--speedups: also write the tables here")
    args = parser.parse_args(argv)
    if args.speedups:
        from bench.gpu_speedups import speedups_main

        return speedups_main(args)
    if args.ltx2:
        return ltx2_main(args)

    if args.cpu_full_check:
        args.height, args.width = args.height or 480, args.width or 832
        return cpu_full_check(args)

    args.device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    cuda = args.device.startswith("cuda")
    if not cuda and not args.tiny:
        print("No CUDA device: full size needs a GPU. Use --tiny (or --cpu-full-check).", file=sys.stderr)
        return 2
    args.width = args.width or (64 if args.tiny else 832)
    args.height = args.height or (64 if args.tiny else 480)
    args.frames = args.frames or (9 if args.tiny else 81)
    if args.tiny and args.text_tokens == 512:
        args.text_tokens = 32
    args.steps = args.steps or (2 if args.tiny else 3)
    cfg = TINY_TRANSFORMER if args.tiny else FULL_TRANSFORMER
    if (args.frames - 1) % 4 or args.width % 16 or args.height % 16:
        parser.error("frames must be 4k+1, width and height multiples of 16")
    latent_shape = [1, 16, (args.frames - 1) // 4 + 1, args.height // 8, args.width // 8]
    tokens = latent_shape[2] * (latent_shape[3] // 2) * (latent_shape[4] // 2)

    import diffusers

    diffusers.utils.logging.set_verbosity_error()  # the fp32-modules cast warning: handled by to_dtype
    device_name = (
        torch.cuda.get_device_name(args.device)
        if cuda
        else f"CPU ({platform.processor() or 'cpu'}, {torch.get_num_threads()} threads)"
    )
    transformer = build_transformer(cfg, args.device)
    report = Report(
        device=args.device,
        device_name=device_name,
        torch=torch.__version__,
        diffusers=diffusers.__version__,
        tiny=args.tiny,
        width=args.width,
        height=args.height,
        frames=args.frames,
        latent_shape=latent_shape,
        tokens=tokens,
        text_tokens=args.text_tokens,
        params=sum(p.numel() for p in transformer.parameters()),
        flops_per_forward=dit_flops(cfg, tokens, args.text_tokens),
        timed_steps=args.steps,
        warmup_steps=args.warmup or 1,
    )
    shapes = (latent_shape, args.text_tokens, cfg["text_dim"])
    best_sdpa = None
    compiled = False
    current_dtype = "float32"
    base_warmup = args.warmup
    for variant in variants_for(args):
        if current_dtype != variant.dtype:
            to_dtype(transformer, getattr(torch, variant.dtype))
            current_dtype = variant.dtype
            if cuda:
                torch.cuda.empty_cache()
        if variant.sdpa == "best":
            variant.sdpa = best_sdpa
        if variant.compile and not compiled:
            transformer.compile_repeated_blocks(fullgraph=True)
            compiled = True
        if variant.compile:
            torch.compiler.reset()  # a fresh static-shape graph for this row's batch size
        args.warmup = base_warmup or (2 if variant.compile else 1)
        row = time_variant(variant, transformer, args, report, shapes)
        report.rows.append(row)
        if variant.key in ("c", "c2") and row.seconds_per_step is not None:
            prev = next((r for r in report.rows if r.key in ("c", "c2") and r is not row and r.seconds_per_step), None)
            if prev is None or row.seconds_per_step < prev.seconds_per_step:
                best_sdpa = variant.sdpa
        print(f"[{row.key}] {row.label}: {fmt(row.seconds_per_step)} s/step {row.error or ''}", file=sys.stderr)

    del transformer
    gc.collect()
    if cuda:
        torch.cuda.empty_cache()
    if not args.no_vae:
        report.vae = time_vae(args, latent_shape)
    vae_seconds = report.vae.get("float32", {}).get("decode_seconds") if report.vae else None
    for row in report.rows:
        if row.extrapolated_denoise_seconds is not None:
            row.extrapolated_video_seconds = row.extrapolated_denoise_seconds + (vae_seconds or 0.0)

    report.notes.append(
        f"Per-video figures = {STEPS_PER_VIDEO} x (seconds per step, measured over {args.steps} steps) "
        "+ one fp32 VAE decode; the text encoder (UMT5-XXL, once per clip) is not included."
    )
    if not cuda:
        report.notes.append("CPU run: no GPU memory figures; bf16 on CPU is usually slower than fp32.")
    if args.tiny:
        report.notes.append("TINY dims: checks the harness only; the numbers say nothing about a GPU.")
    else:
        report.notes.append(
            "Anchors: Wan2.1-T2V-1.3B 480p 81 frames 50 steps+CFG ~4 min on an RTX 4090; "
            f"{report.flops_per_forward / 1e12:.0f} TFLOP per forward => >= "
            f"{2 * STEPS_PER_VIDEO * report.flops_per_forward / 989e12:.0f} s per clip "
            "on one H100 at 100% of bf16 peak."
        )
    print(markdown(report))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(asdict(report), fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
