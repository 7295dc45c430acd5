"""DiffusersBackend on a tiny random-weight Wan model, saved and loaded back through from_pretrained.

The model is built once per module (tiny_wan.build_tiny_wan) into a temp dir; every test goes through
the production backend: model-name mapping, capability discovery, lazy resident loading, the three
Wan pipelines, the decode and resize. No network, no database.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from generation.backends import loading
from generation.backends.base import (
    CameoReference,
    GenerationCancelled,
    GenerationRequest,
    Shot,
)
from generation.backends.diffusers_backend import DiffusersBackend
from generation.backends.shots import frame_plan, generation_size
from sora_site.errors import DomainError
from tests.builders.tiny_wan import build_tiny_wan

TINY_AREA = 48 * 64  # generation stays tiny whatever the requested output size


def never() -> bool:
    return False


def ignore(_fraction: float) -> None:
    pass


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    return build_tiny_wan(tmp_path_factory.mktemp("wan") / "tiny-wan")


@pytest.fixture(scope="module")
def backend(tiny_model) -> DiffusersBackend:
    return make_backend(tiny_model)


def make_backend(path: Path, **kwargs: Any) -> DiffusersBackend:
    options = dict(device="cpu", num_inference_steps=2, guidance_scale=5.0, max_area=TINY_AREA)
    options.update(kwargs)
    return DiffusersBackend({"sora-2": path, "sora-2-pro": path}, **options)


def request(**kwargs: Any) -> GenerationRequest:
    fields = dict(
        prompt="a cat walking on the beach at night",
        model="sora-2",
        width=720,
        height=1280,
        seed=7,
        shots=(Shot("a cat walking on the beach at night", 0.5),),
    )
    fields.update(kwargs)
    return GenerationRequest(**fields)


def portrait(color: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", (40, 48), color)
    image.paste((255, 220, 180), (10, 10, 30, 38))
    return image


def cameo(handle: str, color: tuple[int, int, int]) -> CameoReference:
    return CameoReference(handle=handle, is_human=True, portraits=(portrait(color),), voice=None)


def write_mp4(path: Path, frames: int, value: int, size=(64, 36)) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=16)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for i in range(frames):
            arr = np.full((size[1], size[0], 3), value, np.uint8)
            arr[:, (i * 3) % size[0] :] = 255 - value  # something that moves
            for packet in stream.encode(av.VideoFrame.from_ndarray(arr, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def as_array(result) -> np.ndarray:
    return np.stack(result.frames)


# -- pure helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(720, 1280), (1280, 720), (1024, 1792), (1792, 1024)])
def test_generation_size_keeps_orientation_within_budget(size) -> None:
    width, height = size
    gen_w, gen_h = generation_size(width, height, 480 * 832)
    assert gen_w % 16 == 0 and gen_h % 16 == 0
    assert gen_w * gen_h <= 480 * 832
    assert (gen_w > gen_h) == (width > height)
    assert abs((gen_w / gen_h) / (width / height) - 1) < 0.05
    assert max(gen_w, gen_h) == 832


def test_frame_plan_is_4k_plus_1_and_capped() -> None:
    assert frame_plan(5, 16, 81) == (80, 81)
    assert frame_plan(0.5, 16, 81) == (8, 9)
    assert frame_plan(1, 16, 81) == (16, 17)
    assert frame_plan(12, 16, 81) == (192, 81)  # capped: stretched in time later
    assert frame_plan(0.01, 16, 81) == (1, 1)


# -- the backend on the tiny model -------------------------------------------------------------


def test_text_to_video_size_frames_and_metadata(backend) -> None:
    result = backend.generate(request(), on_progress=ignore, should_cancel=never)
    assert len(result.frames) == 8  # 0.5 s at Wan's 16 fps
    assert result.fps == 16
    assert all(f.shape == (1280, 720, 3) and f.dtype == np.uint8 for f in result.frames)
    assert result.audio is None
    meta = result.metadata
    assert meta["backend"] == "diffusers" and meta["pipeline"] == "t2v"
    assert meta["pipeline_classes"] == {"t2v": "WanPipeline"}
    assert meta["steps"] == 2 and meta["generation_size"] == [32, 64]
    assert meta["shots"][0]["generated_frames"] == 9
    assert set(meta["timings"]) >= {"load", "denoise", "decode", "total"}
    assert "gpu_seconds" not in meta  # CPU
    assert backend.is_preview is False and backend.name == "diffusers"


def test_seed_determinism(backend) -> None:
    first = as_array(backend.generate(request(seed=3), on_progress=ignore, should_cancel=never))
    again = as_array(backend.generate(request(seed=3), on_progress=ignore, should_cancel=never))
    other = as_array(backend.generate(request(seed=4), on_progress=ignore, should_cancel=never))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_pipeline_loads_once_and_shares_components(backend, tiny_model) -> None:
    backend.generate(request(), on_progress=ignore, should_cancel=never)
    loads = loading.LOAD_COUNT
    result = backend.generate(request(seed=11), on_progress=ignore, should_cancel=never)
    assert loading.LOAD_COUNT == loads
    assert result.metadata["timings"]["load"] == 0.0
    # A second backend object in the same process reuses the resident pipeline too.
    make_backend(tiny_model).generate(request(), on_progress=ignore, should_cancel=never)
    assert loading.LOAD_COUNT == loads
    # t2v and vace hold the same text encoder and VAE objects (loaded once).
    t2v, _ = backend.loader.pipeline(tiny_model / "t2v", "t2v")
    vace, _ = backend.loader.pipeline(tiny_model / "vace", "vace")
    assert vace.text_encoder is t2v.text_encoder and vace.vae is t2v.vae
    assert vace.transformer is not t2v.transformer


def test_image_to_video(backend) -> None:
    image = Image.new("RGB", (720, 1280), (200, 30, 30))
    result = backend.generate(request(input_image=image), on_progress=ignore, should_cancel=never)
    assert result.metadata["pipeline"] == "i2v"
    assert result.metadata["pipeline_classes"] == {"i2v": "WanImageToVideoPipeline"}
    assert len(result.frames) == 8 and result.frames[0].shape == (1280, 720, 3)


def test_cameos_use_vace_reference_images(backend) -> None:
    cameos = (cameo("alice", (20, 60, 200)), cameo("bob", (200, 200, 40)))
    with_refs = backend.generate(request(cameos=cameos), on_progress=ignore, should_cancel=never)
    assert with_refs.metadata["pipeline"] == "vace"
    assert with_refs.metadata["shots"][0]["reference_images"] == 2
    assert len(with_refs.frames) == 8  # the reference frames are not part of the output
    assert with_refs.frames[0].shape == (1280, 720, 3)
    other = (cameo("alice", (250, 250, 250)), cameo("bob", (0, 0, 0)))
    with_other = backend.generate(request(cameos=other), on_progress=ignore, should_cancel=never)
    assert not np.array_equal(as_array(with_refs), as_array(with_other))  # the portraits condition it


def test_remix_conditions_on_parent_video(backend, tmp_path) -> None:
    dark = write_mp4(tmp_path / "dark.mp4", 20, 10)
    light = write_mp4(tmp_path / "light.mp4", 20, 240)
    req = request(width=1280, height=720)
    first = backend.generate(
        request(width=1280, height=720, parent_video=dark), on_progress=ignore, should_cancel=never
    )
    assert first.metadata["pipeline"] == "vace" and first.metadata["shots"][0]["remix_from_s"] == 0.0
    assert len(first.frames) == 8 and first.frames[0].shape == (720, 1280, 3)
    second = backend.generate(
        request(width=1280, height=720, parent_video=light), on_progress=ignore, should_cancel=never
    )
    plain = backend.generate(req, on_progress=ignore, should_cancel=never)
    assert not np.array_equal(as_array(first), as_array(second))
    assert plain.metadata["pipeline"] == "t2v"


def test_storyboard_concatenates_shots_with_shared_seed(backend) -> None:
    shots = (Shot("a dog running in the city", 0.5), Shot("a bird flying over the ocean", 0.25))
    result = backend.generate(request(shots=shots), on_progress=ignore, should_cancel=never)
    assert len(result.frames) == 8 + 4
    assert [s["frames"] for s in result.metadata["shots"]] == [8, 4]
    assert [s["generated_frames"] for s in result.metadata["shots"]] == [9, 5]


def test_progress_is_monotonic_and_reaches_one(backend) -> None:
    seen: list[float] = []
    shots = (Shot("a dog running", 0.25), Shot("a bird flying", 0.25))
    backend.generate(request(shots=shots), on_progress=seen.append, should_cancel=never)
    assert seen == sorted(seen)
    assert seen[-1] == 1.0 and 0.0 < seen[0] < 0.5
    assert len(seen) >= 2 * 2  # at least one report per step per shot


def test_cancel_stops_at_the_next_step(tiny_model) -> None:
    slow = make_backend(tiny_model, num_inference_steps=6)  # same resident pipeline, more steps
    seen: list[float] = []
    with pytest.raises(GenerationCancelled):
        slow.generate(
            request(shots=(Shot("a cat", 0.25), Shot("a dog", 0.25))),
            on_progress=seen.append,
            should_cancel=lambda: len(seen) >= 1,  # cancel once the first step has reported
        )
    assert len(seen) == 1  # 1 of 12 steps ran: the interrupt stopped the loop, no second shot


def test_cancel_before_start_loads_nothing(backend) -> None:
    loads = loading.LOAD_COUNT
    with pytest.raises(GenerationCancelled):
        backend.generate(request(), on_progress=ignore, should_cancel=lambda: True)
    assert loading.LOAD_COUNT == loads


def test_unknown_and_unavailable_models(backend, tmp_path) -> None:
    with pytest.raises(DomainError) as err:
        backend.generate(request(model="sora-3"), on_progress=ignore, should_cancel=never)
    assert err.value.code == "unknown_model"
    missing = DiffusersBackend({"sora-2": tmp_path / "nope"}, device="cpu")
    with pytest.raises(DomainError) as err:
        missing.generate(request(), on_progress=ignore, should_cancel=never)
    assert err.value.code == "model_unavailable"


def test_missing_capabilities_and_vace_fallback(tmp_path) -> None:
    t2v_only = make_backend(build_tiny_wan(tmp_path / "t2v-only", kinds=("t2v",)))
    assert set(t2v_only.loader.capabilities(t2v_only.model_paths["sora-2"])) == {"t2v"}
    for req in (
        request(cameos=(cameo("alice", (1, 2, 3)),)),
        request(input_image=Image.new("RGB", (720, 1280))),
    ):
        with pytest.raises(DomainError) as err:
            t2v_only.generate(req, on_progress=ignore, should_cancel=never)
        assert err.value.code == "model_capability_missing"

    # A VACE-only model (one folder, like Wan2.1-VACE-1.3B) serves text and image requests too.
    vace_dir = build_tiny_wan(tmp_path / "vace-only", kinds=("vace",)) / "vace"
    vace_only = make_backend(vace_dir)
    assert set(vace_only.loader.capabilities(vace_dir)) == {"vace"}
    text = vace_only.generate(request(), on_progress=ignore, should_cancel=never)
    assert text.metadata["pipeline"] == "vace" and len(text.frames) == 8
    image = vace_only.generate(
        request(input_image=Image.new("RGB", (720, 1280), (0, 200, 0))),
        on_progress=ignore,
        should_cancel=never,
    )
    assert image.metadata["shots"][0]["first_frame"] == "input_image"
