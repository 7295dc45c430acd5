"""encode_mp4 / probe / poster_webp / spritesheet_jpeg / decode_video: real encodes through PyAV, small and fast."""

from __future__ import annotations

import io

import av
import cv2
import numpy as np
import pytest
from PIL import Image

from generation.backends.base import GenerationRequest, Shot
from generation.backends.preview import PreviewBackend
from generation.finishing import soundtrack_for
from sora_site.errors import DomainError
from sora_site.media import AUDIO_RATE, decode_video, encode_mp4, poster_webp, probe, spritesheet_jpeg, yuv420p


def _frames(n: int, width: int = 320, height: int = 240) -> list[np.ndarray]:
    """A bright bar moving left to right over a dark gradient."""
    base = np.linspace(20, 90, width, dtype=np.uint8)[None, :, None].repeat(height, 0).repeat(3, 2)
    out = []
    for i in range(n):
        frame = base.copy()
        x = int(i / n * (width - 40))
        frame[:, x : x + 40] = (240, 200, 40)
        out.append(frame)
    return out


def _tone(seconds: float, rate: int, channels: int = 2) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    mono = (0.4 * np.sin(2 * np.pi * 330 * t)).astype(np.float32)
    return np.stack([mono] * channels, axis=1) if channels > 1 else mono


def test_round_trip_h264_aac(tmp_path) -> None:
    frames = _frames(24)
    dest = tmp_path / "clip.mp4"
    encode_mp4(frames, 12, _tone(2.0, 48_000), 48_000, dest)

    info = probe(dest)
    assert (info.width, info.height) == (320, 240)
    assert info.video_codec == "h264" and info.audio_codec == "aac"
    assert info.fps == pytest.approx(12.0)
    assert info.duration_s == pytest.approx(2.0, abs=0.1)

    decoded = decode_video(dest)
    assert len(decoded.frames) == 24
    assert decoded.frames[0].shape == (240, 320, 3)
    assert np.abs(decoded.frames[5].astype(int) - frames[5]).mean() < 6  # crf 21: close to the source
    assert decoded.audio is not None
    assert float(np.sqrt(np.mean(decoded.audio**2))) > 0.1


def test_faststart_puts_the_index_first(tmp_path) -> None:
    dest = tmp_path / "fast.mp4"
    encode_mp4(_frames(6), 12, _tone(0.5, 48_000), 48_000, dest)
    data = dest.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")


def test_video_only_and_resampled_mono_audio(tmp_path) -> None:
    silent = tmp_path / "silent.mp4"
    encode_mp4(iter(_frames(12)), 24, None, 48_000, silent)  # an iterator is fine
    info = probe(silent)
    assert info.audio_codec is None and info.duration_s == pytest.approx(0.5, abs=0.05)

    mono = tmp_path / "mono.mp4"
    encode_mp4(_frames(12), 12, _tone(3.0, 22_050, channels=1), 22_050, mono)
    decoded = decode_video(mono)
    assert probe(mono).audio_codec == "aac"
    assert decoded.audio is not None
    # audio longer than the video is cut at the video's end
    assert len(decoded.audio) / decoded.sample_rate == pytest.approx(1.0, abs=0.1)


def test_encode_rejects_odd_sizes(tmp_path) -> None:
    with pytest.raises(ValueError):
        encode_mp4([np.zeros((241, 320, 3), np.uint8)], 12, None, 48_000, tmp_path / "odd.mp4")


def test_poster_webp_is_a_small_webp() -> None:
    frame = np.zeros((1280, 720, 3), np.uint8)
    frame[:, :, 0] = 200
    data = poster_webp(frame)
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    image = Image.open(io.BytesIO(data))
    assert image.size == (405, 720)
    assert abs(int(image.convert("RGB").getpixel((200, 300))[0]) - 200) < 8
    small = poster_webp(np.zeros((100, 60, 3), np.uint8))
    assert Image.open(io.BytesIO(small)).size == (60, 100)  # never upscaled


def test_spritesheet_is_a_grid_of_frames_in_order() -> None:
    frames = [np.full((1280, 720, 3), level, np.uint8) for level in range(0, 250, 5)]  # 50 frames, darker first
    sheet = spritesheet_jpeg(frames, 24, tiles=9, tile_side=160)
    assert (sheet.tiles, sheet.columns, sheet.rows, sheet.tile_width, sheet.tile_height) == (9, 3, 3, 90, 160)
    assert sheet.interval_s == round(49 / 24 / 8, 3)
    image = Image.open(io.BytesIO(sheet.data)).convert("L")
    assert image.format is None or image.size == (270, 480)
    first, last = image.getpixel((45, 80)), image.getpixel((225, 400))
    assert first < 10 and last > 235  # row-major: first frame top left, last bottom right


def test_corrupt_input_is_invalid_video(tmp_path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 20)
    with pytest.raises(DomainError) as caught:
        decode_video(junk)
    assert caught.value.code == "invalid_video"
    with pytest.raises(DomainError) as caught:
        probe(junk)
    assert caught.value.code == "invalid_video"


def test_truncated_mp4_is_invalid_video(tmp_path) -> None:
    good = tmp_path / "good.mp4"
    encode_mp4(_frames(12), 12, None, 48_000, good)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(good.read_bytes()[:300])
    with pytest.raises(DomainError) as caught:
        decode_video(cut)
    assert caught.value.code == "invalid_video"


def test_preview_clip_round_trip_with_dialogue(tmp_path) -> None:
    request = GenerationRequest(
        prompt='a cat on a sofa says "hello there, my friend"',
        model="sora-2",
        width=720,
        height=1280,
        seed=3,
        shots=(Shot('a cat on a sofa says "hello there, my friend"', 2.0),),
    )
    result = PreviewBackend().generate(request, on_progress=lambda _: None, should_cancel=lambda: False)
    dest = tmp_path / "preview.mp4"
    encode_mp4(result.frames, result.fps, soundtrack_for(request).audio, AUDIO_RATE, dest)

    info = probe(dest)
    assert (info.width, info.height) == (720, 1280)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert info.duration_s == pytest.approx(2.0, abs=0.1)
    decoded = decode_video(dest)
    assert decoded.duration_s == pytest.approx(2.0, abs=0.1)
    assert decoded.audio is not None
    speech = decoded.audio[int(0.3 * 16_000) : int(1.2 * 16_000)]
    assert float(np.sqrt(np.mean(speech**2))) > 0.05  # the quoted line is audible


@pytest.mark.parametrize("size", [(1280, 720), (722, 1282)])
def test_frames_reach_the_encoder_as_swscale_would_convert_them(size: tuple[int, int]) -> None:
    """encode_mp4 converts RGB to YUV 4:2:0 itself (cheaper): BT.601 limited range like libswscale's
    conversion, within one level on every plane, and the chroma averaged over 2 x 2 pixels."""
    rng = np.random.default_rng(3)
    frame = cv2.GaussianBlur(rng.integers(0, 256, (*size, 3), dtype=np.uint8), (0, 0), 3)
    theirs = av.VideoFrame.from_ndarray(frame, format="rgb24").reformat(format="yuv420p").to_ndarray()
    ours = yuv420p(frame)
    assert ours.shape == theirs.shape == (size[0] * 3 // 2, size[1])
    assert np.abs(ours.astype(int) - theirs).max() <= 1
