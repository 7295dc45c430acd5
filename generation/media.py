"""Media I/O through PyAV: decoding uploads and parents, encoding finished clips.

Everything audio/video goes through here so that codecs, pixel formats and sample formats are
decided in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from sora_site.errors import DomainError


@dataclass
class DecodedVideo:
    frames: list[np.ndarray]  # sampled frames, H x W x 3 uint8 RGB
    frame_times: list[float]  # seconds from the start, one per sampled frame
    fps: float  # the stream's average frame rate (estimated when the container has none)
    duration_s: float  # from the last frame's timestamp: MediaRecorder WebM has no duration
    width: int
    height: int
    audio: np.ndarray | None  # mono float32 in [-1, 1]
    sample_rate: int


def decode_video(
    path: Path | str,
    *,
    sample_fps: float | None = None,
    max_frames: int | None = None,
    with_audio: bool = True,
    audio_rate: int = 16_000,
) -> DecodedVideo:
    """Decode a video file. `sample_fps` keeps about that many frames per second.

    Raises DomainError("invalid_video") for anything PyAV cannot read or that has no video stream.
    """
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise DomainError("invalid_video", f"We could not read this video ({exc.__class__.__name__}).") from exc
    with container:
        if not container.streams.video:
            raise DomainError("invalid_video", "This file has no video track.")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        frames: list[np.ndarray] = []
        times: list[float] = []
        last_time = 0.0
        next_sample_at = 0.0
        decoded = 0
        try:
            for frame in container.decode(stream):
                decoded += 1
                t = float(frame.time) if frame.time is not None else decoded / 30.0
                last_time = max(last_time, t)
                if sample_fps is not None and t + 1e-6 < next_sample_at:
                    continue
                if max_frames is not None and len(frames) >= max_frames:
                    continue
                frames.append(frame.to_ndarray(format="rgb24"))
                times.append(t)
                if sample_fps is not None:
                    next_sample_at = t + 1.0 / sample_fps
        except av.error.FFmpegError as exc:
            if not frames:
                raise DomainError("invalid_video", "This video is corrupt and could not be decoded.") from exc
        if not frames:
            raise DomainError("invalid_video", "This video has no frames.")
        rate = stream.average_rate
        fps = float(rate) if rate else (decoded / last_time if last_time > 0 else 30.0)
        duration = last_time + 1.0 / fps
        height, width = frames[0].shape[:2]

    audio = _decode_audio(path, audio_rate) if with_audio else None
    return DecodedVideo(
        frames=frames,
        frame_times=times,
        fps=fps,
        duration_s=duration,
        width=width,
        height=height,
        audio=audio,
        sample_rate=audio_rate,
    )


def _decode_audio(path: Path | str, rate: int) -> np.ndarray | None:
    """The first audio stream as mono float32 at `rate` Hz, or None when there is none."""
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        chunks: list[np.ndarray] = []
        try:
            for frame in container.decode(container.streams.audio[0]):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except av.error.FFmpegError:
            pass  # keep what decoded; a truncated tail is common in browser recordings
    if not chunks:
        return None
    return np.concatenate(chunks).astype(np.float32)
