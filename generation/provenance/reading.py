"""What can be read back from a video file someone hands us: its C2PA manifest, our invisible
watermark, and fingerprints and perceptual hashes of its frames (to find a published original after
re-encoding, cropping or reframing)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import imagehash
import numpy as np
from django.utils.translation import gettext
from PIL import Image

from generation.provenance import fingerprints, invisible
from generation.provenance.signing import ManifestSummary, manifest_read
from sora_site.errors import DomainError
from sora_site.media import video_frame_size_check

HASH_FPS = 2.0  # perceptual hashes per second of video, in the index and in a query
MARK_FPS = 8.0  # frames per second of video the watermark reader looks at
READ_MAX_SECONDS = 20.0  # how much of an upload is decoded for the watermark and hashes
# Containers a video may come in (PyAV also opens images and audio, which are not videos here).
VIDEO_CONTAINERS = frozenset({"mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "avi", "mpegts", "flv"})
QUERY_FRAMES = 6  # frames of an upload whose fingerprints are looked up (one a second, from the start)
HASH_MATCH_BITS = 10  # of 64: a frame matches an indexed one at this Hamming distance or less


@dataclass
class VideoReading:
    manifest: ManifestSummary
    watermark_job_pk: int | None  # the job id the invisible watermark carries
    watermark_bits: np.ndarray | None  # soft scores of the coded payload bits (> 0 reads as 1)
    hashes: list[int]  # 64-bit pHashes at HASH_FPS
    # Per frame at fingerprints.INDEX_FPS (QUERY_FRAMES at most): what the index is searched and checked with.
    fingerprints: list[fingerprints.CopyFrame]


def frame_hash(frame: np.ndarray) -> int:
    """A 64-bit pHash; the frame is first area-averaged to 64x64 (pHash looks at 32x32 anyway), so the
    full frames at finishing and the small ones the reader decodes hash alike, and cheaply."""
    small = cv2.resize(frame, (64, 64), interpolation=cv2.INTER_AREA)
    return int(str(imagehash.phash(Image.fromarray(small))), 16)


def frame_hashes(frames: Sequence[np.ndarray], fps: float) -> list[str]:
    """Hex pHashes of frames sampled at HASH_FPS (what the index stores for a finished job)."""
    step = max(1, round(fps / HASH_FPS))
    return [f"{frame_hash(frame):016x}" for frame in frames[::step]]


def _frames(path: Path) -> Iterator[tuple[float, av.VideoFrame]]:
    """(time, decoded frame) for the first READ_MAX_SECONDS."""
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise DomainError("invalid_video", gettext("This file is not a video we can read."), field="video") from exc
    with container:
        if not VIDEO_CONTAINERS & set(container.format.name.split(",")):
            raise DomainError(
                "invalid_video", gettext("This file is not a video (MP4, MOV, WebM, MKV or AVI)."), field="video"
            )
        if not container.streams.video:
            raise DomainError("invalid_video", gettext("This file has no video track."), field="video")
        stream = container.streams.video[0]
        video_frame_size_check(stream.codec_context.width, stream.codec_context.height, field="video")
        stream.thread_type = "AUTO"
        try:
            for index, frame in enumerate(container.decode(stream)):
                at = float(frame.time) if frame.time is not None else index / 24.0
                if at > READ_MAX_SECONDS:
                    break
                video_frame_size_check(frame.width, frame.height, field="video")
                yield at, frame
        except av.error.FFmpegError as exc:
            raise DomainError(
                "invalid_video", gettext("This video is corrupt and could not be decoded."), field="video"
            ) from exc


def video_read(path: Path) -> VideoReading:
    """Read everything the verify page shows. Raises DomainError("invalid_video") for a non-video."""
    mark = invisible.MarkReader()
    hashes: list[int] = []
    prints: list[fingerprints.CopyFrame] = []
    next_hash_at = next_mark_at = next_print_at = 0.0
    for at, frame in _frames(path):
        # The mark is the same in every frame: MARK_FPS of them, spread over the clip, are plenty.
        if at + 1e-6 >= next_mark_at:
            grey = frame.to_ndarray(format="gray")
            mark.add(grey)
            next_mark_at = at + 1.0 / MARK_FPS
            if at + 1e-6 >= next_print_at and len(prints) < QUERY_FRAMES:
                prints.append(fingerprints.copy_frame(grey, at))
                next_print_at = at + 1.0 / fingerprints.INDEX_FPS
        if at + 1e-6 >= next_hash_at:
            hashes.append(frame_hash(frame.to_ndarray(format="rgb24")))
            next_hash_at = at + 1.0 / HASH_FPS
    if not hashes:
        raise DomainError("invalid_video", gettext("This video has no frames."), field="video")
    found = mark.reading()
    return VideoReading(
        manifest=manifest_read(path),
        watermark_job_pk=found.job_id,
        watermark_bits=found.soft_bits,
        hashes=hashes,
        fingerprints=prints,
    )


def hashes_distance(query: Sequence[int], indexed: Sequence[str]) -> float:
    """The median over query frames of the Hamming distance to the nearest indexed frame."""
    if not query or not indexed:
        return 64.0
    q = np.array(query, dtype=np.uint64)[:, None]
    ix = np.array([int(h, 16) for h in indexed], dtype=np.uint64)[None, :]
    xor = (q ^ ix).view(np.uint8).reshape(len(query), len(indexed), 8)
    nearest = np.unpackbits(xor, axis=2).sum(axis=2).min(axis=1)
    return float(np.median(nearest))
