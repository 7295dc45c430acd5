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
    args = parser.parse_args(argv)

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
