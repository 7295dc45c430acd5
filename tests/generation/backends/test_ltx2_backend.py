"""LTX2Backend on a tiny random-weight LTX-2, saved with save_pretrained and loaded back through
the production from_pretrained path: modes, conditioning, the model's audio, progress, cancel, seeds.

What reaches the model is observed with torch forward hooks on the resident pipeline's own
encoders (the video VAE encodes keyframes, the audio VAE encodes the dialogue): nothing is mocked.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from generation.audio import dialogue
from generation.backends import loading
from generation.backends.base import (
    CameoReference,
    GenerationCancelled,
    GenerationResult,
    Shot,
    VoiceProfile,
)
from generation.backends.ltx2_backend import LTX2Backend, sigma_schedule
from generation.backends.ltx2_dialogue import log_mel
from sora_site.errors import DomainError
from tests.builders.tiny_ltx2 import AUDIO_SAMPLE_RATE, build_tiny_ltx2, inputs_of
from tests.generation.backends.test_diffusers_backend import ignore, never, request, write_mp4

TINY_AREA = 64 * 96
MODES = {"sora-2": "distilled", "sora-2-pro": "two_stage", "full": "full"}


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_ltx2(tmp_path_factory.mktemp("ltx2") / "tiny-ltx2")


def make_backend(path: Path, **kwargs: Any) -> LTX2Backend:
    options: dict[str, Any] = dict(
        modes=MODES,
        device="cpu",
        num_inference_steps=2,
        distilled_steps=2,
        refine_steps=2,
        max_area=TINY_AREA,
        max_sequence_length=16,
    )
    options.update(kwargs)
    return LTX2Backend(dict.fromkeys(MODES, path), **options)


@pytest.fixture(scope="module")
def backend(tiny_model: Path) -> LTX2Backend:
    return make_backend(tiny_model)


def run(backend: LTX2Backend, **kwargs: Any) -> GenerationResult:
    return backend.generate(request(**kwargs), on_progress=ignore, should_cancel=never)


def cameo(handle: str, color: tuple[int, int, int], pitch: float = 180.0) -> CameoReference:
    portrait = Image.new("RGB", (40, 48), color)
    portrait.paste((255, 220, 180), (10, 10, 30, 38))
    return CameoReference(handle=handle, is_human=True, portraits=(portrait,), voice=VoiceProfile(pitch, "en-us"))


# -- pure helpers ---------------------------------------------------------------------------


def test_sigma_schedule_keeps_the_ends_of_a_published_schedule() -> None:
    published = [1.0, 0.99375, 0.9875, 0.98125, 0.975, 0.909375, 0.725, 0.421875]
    assert sigma_schedule(published, 8) == published
    assert sigma_schedule(published, 20) == published
    assert sigma_schedule(published, 2) == [1.0, 0.421875]
    assert sigma_schedule(published, 1) == [1.0]
    assert len(sigma_schedule(published, 4)) == 4


def test_log_mel_frames_and_silence_floor() -> None:
    mel = log_mel(np.zeros(16_000, np.float32), 16_000, 160, 8)
    assert mel.shape == (101, 8)
    assert np.allclose(mel, np.log(1e-5))


# -- the backend on the tiny model -------------------------------------------------------------


def test_distilled_text_to_video_makes_video_and_the_models_audio(backend: LTX2Backend) -> None:
    result = run(backend)
    assert len(result.frames) == 12  # 0.5 s at LTX-2's 24 fps
    assert result.fps == 24
    assert all(f.shape == (1280, 720, 3) and f.dtype == np.uint8 for f in result.frames)
    assert result.sample_rate == AUDIO_SAMPLE_RATE  # the vocoder's rate
    assert result.audio is not None and result.audio.shape == (AUDIO_SAMPLE_RATE // 2, 2)
    assert result.audio.dtype == np.float32 and np.abs(result.audio).max() <= 1.0
    assert np.abs(result.audio).max() > 0  # the vocoder made a waveform
    meta = result.metadata
    assert (meta["family"], meta["mode"], meta["pipeline"]) == ("ltx2", "distilled", "t2v")
    assert meta["pipeline_classes"] == {"t2v": "LTX2Pipeline"}
    assert meta["steps"] == {"denoise": 2} and meta["guidance_passes_per_step"] == 1
    assert meta["shots"][0]["generated_frames"] == 17  # 8k+1
    assert meta["audio"] == {"source": "model", "sample_rate": AUDIO_SAMPLE_RATE}
    assert backend.is_preview is False and backend.name == "diffusers"


def test_seed_determinism_of_picture_and_sound(backend: LTX2Backend) -> None:
    first, again, other = (run(backend, seed=seed) for seed in (3, 3, 4))
    assert np.array_equal(np.stack(first.frames), np.stack(again.frames))
    assert first.audio is not None and again.audio is not None and other.audio is not None
    assert np.array_equal(first.audio, again.audio)
    assert not np.array_equal(np.stack(first.frames), np.stack(other.frames))
    assert not np.array_equal(first.audio, other.audio)


def test_pro_runs_two_stages_through_the_latent_upsampler(backend: LTX2Backend) -> None:
    seen: list[float] = []
    result = backend.generate(request(model="sora-2-pro"), on_progress=seen.append, should_cancel=never)
    meta = result.metadata
    assert (meta["mode"], meta["pipeline"]) == ("two_stage", "t2v+upsample")
    assert meta["pipeline_classes"]["upsample"] == "LTX2LatentUpsamplePipeline"
    assert meta["steps"] == {"denoise": 2, "refine": 2}
    assert meta["generation_size"][0] % 64 == 0 and meta["generation_size"][1] % 64 == 0
    assert meta["timings"]["upsample"] > 0 and meta["timings"]["refine"] > 0
    assert len(result.frames) == 12 and result.audio is not None and result.audio.shape[0] == AUDIO_SAMPLE_RATE // 2
    assert len(seen) >= 4 and seen == sorted(seen) and seen[-1] == 1.0


def test_full_mode_uses_guidance(backend: LTX2Backend) -> None:
    meta = run(make_backend(backend.model_paths["full"], num_inference_steps=1), model="full").metadata
    assert meta["mode"] == "full" and meta["guidance_passes_per_step"] == 4


def test_pipelines_load_once_and_share_the_transformer(backend: LTX2Backend, tiny_model: Path) -> None:
    run(backend)
    loads = loading.LOAD_COUNT
    assert run(backend, seed=11).metadata["timings"]["load"] == 0.0
    assert loading.LOAD_COUNT == loads
    t2v, _ = backend.loader.pipeline(tiny_model / "t2v", "t2v")
    condition, _ = backend.loader.pipeline(tiny_model / "condition", "condition")
    assert condition.transformer is t2v.transformer and condition.text_encoder is t2v.text_encoder


def test_image_to_video(backend: LTX2Backend) -> None:
    image = Image.new("RGB", (720, 1280), (200, 30, 30))
    result = run(backend, input_image=image)
    assert result.metadata["pipeline_classes"] == {"i2v": "LTX2ImageToVideoPipeline"}
    assert len(result.frames) == 12 and result.audio is not None


def test_cameo_portrait_is_the_keyframe_and_dialogue_holds_the_audio(backend: LTX2Backend, tiny_model: Path) -> None:
    condition, _ = backend.loader.pipeline(tiny_model / "condition", "condition")
    prompt = 'alice says "hello there"'
    shots = (Shot(prompt, 0.5),)
    alice = cameo("alice", (20, 60, 200), pitch=220.0)
    with inputs_of(condition.vae.encoder) as pictures, inputs_of(condition.audio_vae.encoder) as mels:
        result = run(backend, prompt=prompt, shots=shots, cameos=(alice,))
    shot = result.metadata["shots"][0]
    assert result.metadata["pipeline"] == "condition"
    assert shot["keyframes"] == [{"what": "cameos", "index": 0, "strength": 1.0}]
    assert shot["dialogue_conditioned"] is True
    # The portrait reached the VAE that encodes keyframes: blue tile, skin-coloured centre.
    frame = (pictures[0][0, :, 0].permute(1, 2, 0).numpy() + 1.0) * 127.5  # H x W x 3, the keyframe
    assert frame.shape[:2] == tuple(reversed(result.metadata["generation_size"]))
    centre = frame[frame.shape[0] // 2, frame.shape[1] // 2]
    edge = frame[2, 2]
    assert np.allclose(centre, (255, 220, 180), atol=20) and np.allclose(edge, (20, 60, 200), atol=20)
    # The dialogue in alice's voice reached the audio VAE that makes the audio conditioning.
    speech = dialogue(shots, (alice.voice,), AUDIO_SAMPLE_RATE).tracks[0]  # type: ignore[arg-type]
    expected = log_mel(speech, AUDIO_SAMPLE_RATE, 160, 8)
    given = mels[0][0, 0].numpy()
    assert np.allclose(given[: len(expected)], expected[: len(given)], atol=1e-4)
    # The same face in a lower voice: the model's audio follows the dialogue it was held to.
    lower = run(backend, prompt=prompt, shots=shots, cameos=(cameo("alice", (20, 60, 200), pitch=90.0),))
    assert lower.audio is not None and result.audio is not None
    assert not np.array_equal(result.audio, lower.audio)


def test_cameo_with_an_input_image_goes_last(backend: LTX2Backend) -> None:
    image = Image.new("RGB", (720, 1280), (0, 200, 0))
    result = run(backend, input_image=image, cameos=(cameo("alice", (1, 2, 3)),))
    assert result.metadata["shots"][0]["keyframes"] == [
        {"what": "input_image", "index": 0, "strength": 1.0},
        {"what": "cameos", "index": -1, "strength": 1.0},
    ]


def test_remix_starts_from_the_parents_frame(backend: LTX2Backend, tmp_path: Path) -> None:
    dark = run(backend, width=1280, height=720, parent_video=write_mp4(tmp_path / "dark.mp4", 20, 10))
    light = run(backend, width=1280, height=720, parent_video=write_mp4(tmp_path / "light.mp4", 20, 240))
    assert dark.metadata["shots"][0]["keyframes"] == [{"what": "remix_parent", "index": 0, "strength": 1.0}]
    assert dark.frames[0].shape == (720, 1280, 3)
    assert not np.array_equal(np.stack(dark.frames), np.stack(light.frames))


def test_storyboard_joins_shots_and_their_audio(backend: LTX2Backend) -> None:
    shots = (Shot('a dog says "woof"', 0.5), Shot("a bird flying over the ocean", 0.25))
    result = run(backend, shots=shots)
    assert len(result.frames) == 12 + 6
    assert result.audio is not None and result.audio.shape[0] == AUDIO_SAMPLE_RATE * 3 // 4
    assert [s["dialogue_conditioned"] for s in result.metadata["shots"]] == [True, False]


def test_cancel_mid_run_stops_at_the_step_and_decodes_nothing(tiny_model: Path) -> None:
    slow = make_backend(tiny_model, distilled_steps=8)
    seen: list[float] = []
    with inputs_of(slow.loader.pipeline(tiny_model / "t2v", "t2v")[0].vae.decoder) as decodes:
        with pytest.raises(GenerationCancelled):
            slow.generate(
                request(shots=(Shot("a cat", 0.25), Shot("a dog", 0.25))),
                on_progress=seen.append,
                should_cancel=lambda: len(seen) >= 1,
            )
    assert len(seen) == 1 and not decodes


def test_cancel_before_start_loads_nothing(tiny_model: Path) -> None:
    loads = loading.LOAD_COUNT
    with pytest.raises(GenerationCancelled):
        make_backend(tiny_model).generate(request(), on_progress=ignore, should_cancel=lambda: True)
    assert loading.LOAD_COUNT == loads


def test_missing_capabilities(tmp_path: Path) -> None:
    t2v_only = make_backend(build_tiny_ltx2(tmp_path / "t2v-only", kinds=("t2v",)))
    for req in (request(model="sora-2-pro"), request(cameos=(cameo("alice", (1, 2, 3)),))):
        with pytest.raises(DomainError) as err:
            t2v_only.generate(req, on_progress=ignore, should_cancel=never)
        assert err.value.code == "model_capability_missing"
    with pytest.raises(ValueError):
        LTX2Backend({}, modes={"sora-2": "turbo"})
