"""bench/gpu_generation.py --speedups on its CPU path: tiny LTX-2 and Wan through the production
backends, every variant a CPU can run, and the tables' rows and columns computed from real runs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench.gpu_generation import main

pytestmark = pytest.mark.slow

TINY = ["--speedups", "--tiny", "--device", "cpu", "--steps", "2", "--distilled-steps", "2", "--refine-steps", "1"]


def run_bench(tmp_path: Path, pipelines: str, variants: str) -> tuple[list[dict], str]:
    out_json, out_md = tmp_path / "bench.json", tmp_path / "bench.md"
    argv = [*TINY, "--seconds", "0.4", "--pipelines", pipelines, "--speedup-variants", variants]
    assert main([*argv, "--json", str(out_json), "--markdown", str(out_md)]) == 0
    return json.loads(out_json.read_text()), out_md.read_text()


def test_two_stage_ltx2_plain_run_and_variants(tmp_path: Path) -> None:
    results, table = run_bench(tmp_path, "ltx2-two_stage", "repeat,attn,cfg-batch,fbc,taylorseer,fp8")
    (plain,) = results
    assert plain["pipeline"] == "ltx2-two_stage"
    assert plain["steps"] == {"denoise": 2, "refine": 1}
    # 2 guided steps (CFG as a batch of 2, STG, modality: 3 forwards each) + 1 refine step.
    assert plain["forwards"] == 2 * 3 + 1
    assert plain["transformer_tflop"] > 0
    timings = plain["timings"]
    for part in ("text encoding", "upsample", "video decode", "audio decode"):
        assert timings[part] > 0, part
    assert 0 < plain["denoise_loop_s"] < plain["whole_job_s"]
    assert plain["gpu_s_per_generated_s"] == pytest.approx(plain["whole_job_s"] / 0.4)
    assert plain["floor_s"] is None and plain["peak_gb"] is None  # a CPU: no bf16 peak, no GPU memory

    rows = {row["key"]: row for row in plain["variants"]}
    assert list(rows) == ["repeat", "attn:native", "attn:_native_math", "cfg-batch", "fbc", "taylorseer", "fp8"]
    repeat = rows["repeat"]
    assert repeat["psnr_db"] == math.inf and repeat["ssim"] == 1.0 and repeat["audio_snr_db"] == math.inf
    for key in ("repeat", "attn:native", "attn:_native_math", "taylorseer"):
        row = rows[key]
        assert row["whole_job_s"] > 0 and row["gain_denoise"] > 0 and row["gain_whole_job"] > 0, key
    # TaylorSeer predicts the second guided step instead of computing it: the output moves, a little.
    taylor = rows["taylorseer"]
    assert math.isfinite(taylor["psnr_db"]) and taylor["psnr_db"] > 10
    assert 0 < taylor["ssim"] < 1
    # LTX2Pipeline batches cond+uncond itself; the unbatched alternative was timed on a real step.
    cfg = rows["cfg-batch"]
    assert "already batches" in cfg["note"] and cfg["gain_denoise"] > 0 and cfg["psnr_db"] > 60
    # diffusers 0.42's FirstBlockCache does not know LTX-2's block: skipped, and the reason given.
    fbc = rows["fbc"]
    assert "not registered" in fbc["note"] if fbc["psnr_db"] is None else math.isfinite(fbc["psnr_db"])
    assert rows["fp8"]["note"].startswith("skipped: fp8 e4m3 needs CUDA")
    assert table.count("| ltx2-two_stage |") == 1 + len(rows)


def test_wan_cache_hooks_and_cfg_batching(tmp_path: Path) -> None:
    results, _ = run_bench(tmp_path, "wan-t2v", "repeat,cfg-batch,magcache")
    (plain,) = results
    assert plain["forwards"] == 2 * 2  # WanPipeline: cond and uncond as two forwards per step
    rows = {row["key"]: row for row in plain["variants"]}
    assert rows["repeat"]["psnr_db"] == math.inf
    assert "two forwards" in rows["cfg-batch"]["note"] and rows["cfg-batch"]["gain_denoise"] > 0
    # MagCache, calibrated on this model, skips the second step's blocks: a finite, measured PSNR.
    mag = rows["magcache"]
    assert math.isfinite(mag["psnr_db"]) and 0 < mag["ssim"] <= 1, mag
