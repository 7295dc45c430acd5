"""Making finished jobs and the kind of copies people make of them (re-encoded, trimmed, smaller)."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

import av
import cv2
import numpy as np

from feed.models import User
from generation import services, worker
from generation.models import GenerationJob


def finished_job(
    owner: User, prompt: str, *, remix_of: GenerationJob | None = None, seed: int | None = None
) -> GenerationJob:
    """A job run through the real worker and the whole finishing pipeline of settings. Its seed is
    `seed`, else one derived from the prompt: the same render every run (a random seed made the
    preview renders, and what /verify/ matched between them, differ from run to run)."""
    seed = zlib.crc32(prompt.encode()) % 2**31 if seed is None else seed
    job, _ = services.job_create(owner=owner, prompt=prompt, remix_of=remix_of, seed=seed)
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert job.state == "completed", job.error_message
    return job


def reupload_copy(
    source: Path,
    dest: Path,
    *,
    skip_s: float = 2.0,
    scale: float = 0.5,
    bit_rate: int = 300_000,
    edit: Callable[[np.ndarray], np.ndarray] | None = None,
) -> Path:
    """What a re-upload elsewhere does: decode, drop the first `skip_s` seconds, `edit` each frame (a
    crop, a rotation), scale down, encode again at a low bitrate. The result has no C2PA manifest (a
    new file from the frames)."""
    with av.open(str(source)) as src, av.open(str(dest), "w") as out:
        stream = None
        count = 0
        for frame in src.decode(video=0):
            if frame.time is not None and frame.time < skip_s:
                continue
            rgb = frame.to_ndarray(format="rgb24")
            if edit is not None:
                rgb = edit(rgb)
            height, width = rgb.shape[:2]
            size = (round(width * scale / 2) * 2, round(height * scale / 2) * 2)
            small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
            if stream is None:
                stream = out.add_stream("libx264", rate=round(src.streams.video[0].average_rate or 12))
                stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
                stream.bit_rate = bit_rate
            video_frame = av.VideoFrame.from_ndarray(small, format="rgb24")
            video_frame.pts = count
            count += 1
            out.mux(stream.encode(video_frame))
        assert stream is not None and count > 0
        out.mux(stream.encode(None))
    return dest
