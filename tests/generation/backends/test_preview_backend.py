"""The CPU preview renderer: sizes, determinism, cuts, progress/cancel, input image, cameos, remix."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from generation.backends.base import (
    Backend,
    CameoReference,
    GenerationCancelled,
    GenerationRequest,
    GenerationResult,
    Shot,
    VoiceProfile,
)
from generation.backends.preview import PreviewBackend
from generation.finishing import soundtrack_for
from sora_site.media import AUDIO_RATE, encode_mp4


def _request(
    prompt: str = "a quiet lake at sunset",
    *,
    seconds: float = 1.0,
    width: int = 720,
    height: int = 1280,
    seed: int = 7,
    shots: tuple[Shot, ...] | None = None,
    **extra: Any,
) -> GenerationRequest:
    return GenerationRequest(
        prompt=prompt,
        model="sora-2",
        width=width,
        height=height,
        seed=seed,
        shots=shots or (Shot(prompt, seconds),),
        **extra,
    )


def _generate(request: GenerationRequest, **callbacks: Any) -> GenerationResult:
    """The preview's clip with the soundtrack finishing gives it (the backend itself returns silence)."""
    callbacks.setdefault("on_progress", lambda _: None)
    callbacks.setdefault("should_cancel", lambda: False)
    result = PreviewBackend().generate(request, **callbacks)
    assert result.audio is None
    result.audio, result.sample_rate = soundtrack_for(request).audio, AUDIO_RATE
    return result


def _gray(frame: np.ndarray) -> np.ndarray:
    return frame.astype(np.float32).mean(axis=2)


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.ravel() - a.mean(), b.ravel() - b.mean()
    return float((a @ b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))


def _diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b).mean())


def test_is_a_backend() -> None:
    backend: Backend = PreviewBackend()
    assert backend.name == "preview" and backend.is_preview


@pytest.mark.parametrize(("width", "height"), [(720, 1280), (1280, 720), (1024, 1792), (1792, 1024)])
def test_exact_size_duration_and_audio(width, height) -> None:
    result = _generate(_request(width=width, height=height, seconds=1.0))
    assert len(result.frames) == result.fps * 1
    assert all(frame.shape == (height, width, 3) and frame.dtype == np.uint8 for frame in result.frames)
    assert result.audio is not None and result.audio.shape == (result.sample_rate, 2)
    assert result.metadata["backend"] == "preview" and result.metadata["frames"] == len(result.frames)


def test_duration_matches_request_seconds_with_fractional_shots() -> None:
    result = _generate(_request(shots=(Shot("one", 1.5), Shot("two", 0.75), Shot("three", 1.25))))
    assert len(result.frames) / result.fps == pytest.approx(3.5)
    assert [s["frames"] for s in result.metadata["shots"]] == [18, 9, 15]
    assert len(result.audio) / result.sample_rate == pytest.approx(3.5)


def test_never_faster_than_requested_fps() -> None:
    result = _generate(_request(fps=8))
    assert result.fps == 8 and len(result.frames) == 8


def test_same_seed_same_bytes_other_seed_differs() -> None:
    a = _generate(_request("neon city at night", seed=42))
    b = _generate(_request("neon city at night", seed=42))
    c = _generate(_request("neon city at night", seed=43))
    assert all(np.array_equal(x, y) for x, y in zip(a.frames, b.frames, strict=True))
    assert np.array_equal(a.audio, b.audio)
    assert _diff(a.frames[0], c.frames[0]) > 5


def test_preview_label_on_every_frame() -> None:
    result = _generate(_request("deep space", seconds=1.0))
    for frame in result.frames:
        badge = frame[30:50, 30:120].reshape(-1, 3).astype(int)
        red = (badge[:, 0] > 170) & (badge[:, 1] < 90) & (badge[:, 2] < 100)
        assert red.mean() > 0.3


def test_storyboard_has_hard_cuts() -> None:
    shots = (
        Shot("a forest path in the morning", 1.0),
        Shot("the same path at night", 1.0),
        Shot("a clearing with a campfire", 1.0),
    )
    result = _generate(_request(shots=shots, seed=3))
    frames = result.frames
    fps = result.fps
    inside = [_diff(frames[i], frames[i + 1]) for i in range(len(frames) - 1) if (i + 1) % fps]
    cuts = [_diff(frames[k - 1], frames[k]) for k in (fps, 2 * fps)]
    assert min(cuts) > 4 * max(inside)
    assert min(cuts) > 15


def test_progress_is_monotonic_and_reaches_one() -> None:
    seen: list[float] = []
    _generate(_request(seconds=2.0), on_progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert len(seen) >= 11  # at least every ~10%
    assert max(b - a for a, b in zip(seen, seen[1:], strict=False)) <= 0.11


def test_cancel_raises() -> None:
    calls = {"n": 0}

    def should_cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    with pytest.raises(GenerationCancelled):
        _generate(_request(seconds=2.0), should_cancel=should_cancel)
    with pytest.raises(GenerationCancelled):
        _generate(_request(), should_cancel=lambda: True)


def _photo(width: int, height: int) -> Image.Image:
    """A structured test image: big diagonal stripes and a disc."""
    ys, xs = np.mgrid[0:height, 0:width]
    stripes = ((xs + ys) // 90) % 2
    image = np.stack([stripes * 220 + 20, 60 + stripes * 40, 200 - stripes * 150], axis=-1).astype(np.uint8)
    disc = (xs - width * 0.6) ** 2 + (ys - height * 0.3) ** 2 < (width * 0.15) ** 2
    image[disc] = (250, 250, 250)
    return Image.fromarray(image)


def test_input_image_is_animated() -> None:
    image = _photo(1280, 720)
    with_image = _generate(_request("coffee steam rising", width=1280, height=720, input_image=image))
    without = _generate(_request("coffee steam rising", width=1280, height=720))
    target = _gray(np.asarray(image))
    assert _corr(_gray(with_image.frames[0]), target) > 0.9
    assert _corr(_gray(with_image.frames[-1]), target) > 0.5
    assert _corr(_gray(without.frames[0]), target) < 0.3
    assert _diff(with_image.frames[0], with_image.frames[-1]) > 3  # the camera moves
    assert with_image.metadata["shots"][0]["background"] == "image"


def _portrait(colour: tuple[int, int, int]) -> Image.Image:
    return Image.new("RGB", (256, 256), colour)


def test_cameos_are_composited_with_their_portraits() -> None:
    green, magenta = (0, 255, 0), (255, 0, 255)
    cameos = (
        CameoReference("alice", True, (_portrait(green),), VoiceProfile(200, espeak_voice="en-us+f3")),
        CameoReference("rex", False, (_portrait(magenta),), None),
    )
    result = _generate(_request('@alice and @rex say "hi"', cameos=cameos))
    for frame in result.frames[::4]:
        px = frame.reshape(-1, 3).astype(int)
        for colour in (green, magenta):
            hits = (np.abs(px - colour).sum(axis=1) < 12).sum()
            assert hits > 0.03 * len(px)
    assert result.metadata["cameos"] == ["alice", "rex"]


def test_remix_derives_from_parent_but_differs(tmp_path) -> None:
    photo = np.asarray(_photo(720, 1280))
    parent_frames = [np.roll(photo, 3 * i, axis=1) for i in range(12)]  # a slow pan
    parent = tmp_path / "parent.mp4"
    encode_mp4(parent_frames, 12, None, 48_000, parent)

    remix = _generate(_request("make it anime", parent_video=parent))
    fresh = _generate(_request("make it anime"))
    target = _gray(parent_frames[0])
    frame = remix.frames[0]
    assert _diff(frame, parent_frames[0]) > 25  # visibly transformed
    assert _corr(_gray(frame), target) > 0.6  # but it is the parent underneath
    assert _corr(_gray(fresh.frames[0]), target) < 0.3
    assert remix.metadata["remix"] is True


def _edges(band: np.ndarray) -> float:
    """Mean absolute Laplacian: high where there is sharp text, low over soft backgrounds."""
    return float(np.abs(cv2.Laplacian(_gray(band), cv2.CV_32F)).mean())


def test_portrait_caption_stays_clear_of_the_feed_overlay() -> None:
    """The feed puts the @handle, caption and action rail over a portrait video's bottom third."""
    frame = _generate(_request("a red kite over green hills, drawn as a long caption that wraps")).frames[0]
    height = frame.shape[0]
    assert _edges(frame[int(height * 0.12) : int(height * 0.3)]) > 3 * _edges(frame[int(height * 0.66) :])


def test_remix_does_not_show_the_parents_burned_in_text(tmp_path) -> None:
    photo = Image.new("RGB", (720, 1280), (40, 90, 160))
    draw = ImageDraw.Draw(photo)
    for y in (60, 200, 1050, 1150):  # badges and captions, where any of our renders put them
        draw.text((30, y), "OLD CAPTION TEXT " * 3, fill=(255, 255, 255), font_size=40)
    parent_frames = [np.asarray(photo)] * 12
    parent = tmp_path / "parent.mp4"
    encode_mp4(parent_frames, 12, None, 48_000, parent)
    frame = _generate(_request("make it anime", parent_video=parent)).frames[0]
    bottom = slice(int(1280 * 0.8), None)
    assert _edges(frame[bottom]) < 0.25 * _edges(parent_frames[0][bottom])


@pytest.mark.slow
def test_twelve_second_storyboard_with_everything(tmp_path) -> None:
    cameos = (CameoReference("alice", True, (_portrait((200, 120, 90)),), VoiceProfile(pitch_hz=190)),)
    shots = tuple(Shot(f'shot {i}: rain over the city, "line number {i}"', 3.0) for i in range(4))
    result = _generate(_request(shots=shots, cameos=cameos, seed=9))
    assert len(result.frames) == 12 * result.fps
    dest = tmp_path / "long.mp4"
    encode_mp4(result.frames, result.fps, result.audio, result.sample_rate, dest)
    from sora_site.media import probe

    assert probe(dest).duration_s == pytest.approx(12.0, abs=0.1)
