"""Media I/O through PyAV: decoding uploads and parents, encoding finished clips.

Everything audio/video goes through here so that codecs, pixel formats and sample formats are
decided in one place.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from av.subtitles.subtitle import SubtitleSet
from django.utils.translation import gettext
from PIL import Image

from sora_site.errors import DomainError

# The largest frame any upload may have (4K UHD). A decoded 8192x8192 frame costs seconds of CPU and
# hundreds of MB however small the file, so larger frames are refused before they are decoded.
VIDEO_MAX_PIXELS = 3840 * 2160


def video_frame_size_check(width: int, height: int, *, field: str | None = None) -> None:
    """Refuses a frame over VIDEO_MAX_PIXELS: from the stream's header before decoding, and per frame
    (a stream may change size midway)."""
    if width * height > VIDEO_MAX_PIXELS:
        message = gettext("Video frames can be at most 3840x2160 pixels; this one is %(width)dx%(height)d.")
        raise DomainError("invalid_video", message % {"width": width, "height": height}, field=field)


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
    audio_channels: int = 1,
    window: tuple[float, float] | None = None,
) -> DecodedVideo:
    """Decode a video file. `sample_fps` keeps about that many frames per second; `window` (start, end
    in seconds) only the frames shown in it (the audio stays whole); `audio_channels` 2 keeps stereo.

    Raises DomainError("invalid_video") for anything PyAV cannot read or that has no video stream.
    """
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise DomainError(
            "invalid_video", gettext("We could not read this video (%(error)s).") % {"error": exc.__class__.__name__}
        ) from exc
    with container:
        if not container.streams.video:
            raise DomainError("invalid_video", gettext("This file has no video track."))
        stream = container.streams.video[0]
        video_frame_size_check(stream.codec_context.width, stream.codec_context.height)
        stream.thread_type = "AUTO"
        frames: list[np.ndarray] = []
        times: list[float] = []
        last_time = 0.0
        next_sample_at = 0.0
        decoded = 0
        try:
            for frame in container.decode(stream):
                video_frame_size_check(frame.width, frame.height)
                decoded += 1
                t = float(frame.time) if frame.time is not None else decoded / 30.0
                last_time = max(last_time, t)
                if window is not None and t >= window[1]:
                    break
                if window is not None and t + 1e-6 < window[0]:
                    continue
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
                raise DomainError("invalid_video", gettext("This video is corrupt and could not be decoded.")) from exc
        if not frames:
            raise DomainError("invalid_video", gettext("This video has no frames."))
        rate = stream.average_rate
        fps = float(rate) if rate else (decoded / last_time if last_time > 0 else 30.0)
        duration = last_time + 1.0 / fps
        height, width = frames[0].shape[:2]

    audio = _decode_audio(path, audio_rate, audio_channels) if with_audio else None
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


def _decode_audio(path: Path | str, rate: int, channels: int = 1) -> np.ndarray | None:
    """The first audio stream as float32 at `rate` Hz (mono samples, or samples x 2 for `channels` 2),
    or None when there is none."""
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        resampler = av.AudioResampler(format="flt", layout="stereo" if channels == 2 else "mono", rate=rate)
        chunks: list[np.ndarray] = []
        try:
            for frame in container.decode(container.streams.audio[0]):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1, channels))  # packed: channels interleaved
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1, channels))
        except av.error.FFmpegError:
            pass  # keep what decoded; a truncated tail is common in browser recordings
    if not chunks:
        return None
    audio = np.concatenate(chunks).astype(np.float32)
    return audio[:, 0] if channels == 1 else audio


# --- Encoding finished clips -------------------------------------------------------------------

AUDIO_RATE = 48_000  # what every MP4 we write carries
# On top of preset veryfast: a shorter lookahead, one reference frame, the cheapest motion search and
# no trellis or weighted prediction cut libx264's CPU by about a quarter at the same CRF, with the
# same file size and PSNR within 0.1 dB on our clips (docs/BENCHMARKS.md, "Finishing").
X264_PARAMS = "rc-lookahead=10:ref=1:subme=1:me=dia:trellis=0:weightp=0"
_AAC_FRAME = 1024  # samples per AAC frame


@dataclass(frozen=True)
class ProbeInfo:
    duration_s: float
    width: int
    height: int
    fps: float
    video_codec: str  # e.g. "h264"
    audio_codec: str | None  # e.g. "aac"; None when there is no audio track


def encode_mp4(
    frames: Iterable[np.ndarray],
    fps: int,
    audio: np.ndarray | None,
    sample_rate: int,
    dest: Path | str,
    *,
    crf: int = 21,
    subtitles: Sequence[TimedText] = (),
    subtitles_language: str = "und",
) -> None:
    """Write H.264 (yuv420p) + AAC (48 kHz) MP4 with the index up front (faststart).

    `frames` are H x W x 3 uint8 RGB with even sides, streamed one by one (an iterator is fine).
    `audio` is samples or samples x channels (1 or 2) float in [-1, 1] at `sample_rate`; it is
    resampled to 48 kHz, interleaved with the video as it goes and cut at the video's end.
    `subtitles` (start, end in seconds, one line of text) become a text track (mov_text, what players
    and editors read from an MP4) in `subtitles_language` (ISO 639-2: "eng", "jpn").
    """
    pcm = _prepare_audio(audio, sample_rate) if audio is not None else None
    with av.open(str(dest), "w", options={"movflags": "+faststart"}) as container:
        video: av.VideoStream | None = None
        sound = None
        if pcm is not None:
            layout = "stereo" if pcm.shape[0] == 2 else "mono"
            sound = container.add_stream("aac", rate=AUDIO_RATE, layout=layout)
            sound.bit_rate = 128_000
        written = 0  # audio samples muxed so far
        count = 0
        for frame in frames:
            if video is None:
                video = _add_video_stream(container, frame, fps, crf)
                text = _add_text_stream(container, subtitles_language) if subtitles else None
            vf = av.VideoFrame.from_ndarray(yuv420p(frame), format="yuv420p")
            vf.pts = count
            container.mux(video.encode(vf))
            count += 1
            if sound is not None and pcm is not None:
                upto = min(pcm.shape[1], count * AUDIO_RATE // fps)
                written = _mux_audio(container, sound, pcm, written, upto)
        if video is None:
            raise ValueError("encode_mp4 needs at least one frame")
        container.mux(video.encode(None))
        if sound is not None and pcm is not None:
            _mux_audio(container, sound, pcm, written, min(pcm.shape[1], count * AUDIO_RATE // fps))
            container.mux(sound.encode(None))
        if text is not None:
            _mux_subtitles(container, text, subtitles)


# BT.601, limited range (what libswscale makes of rgb24 for yuv420p, and what players assume for an
# untagged H.264 stream): the chroma rows of the RGB -> YCbCr matrix, with their offsets.
_CHROMA_601 = np.array([[-0.148, -0.291, 0.439, 128.0], [0.439, -0.368, -0.071, 128.0]], dtype=np.float32)


def yuv420p(frame: np.ndarray) -> np.ndarray:
    """An H x W x 3 uint8 RGB frame as planar YUV 4:2:0 ((H * 3 / 2) x W: Y, then U, then V), BT.601
    limited range, each chroma sample the average of its 2 x 2 pixels. Half the CPU of letting PyAV's
    swscale convert it (docs/BENCHMARKS.md, "Finishing"), and closer to the frame (OpenCV's own 4:2:0
    conversion takes one pixel of four for the chroma: jagged colour edges)."""
    rgb = np.ascontiguousarray(frame)
    height, width = rgb.shape[:2]
    out: np.ndarray = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)  # its Y plane is BT.601 limited range
    chroma = cv2.transform(cv2.resize(rgb, (width // 2, height // 2), interpolation=cv2.INTER_AREA), _CHROMA_601)
    planes = out.reshape(-1)  # U then V, each (height / 2) x (width / 2), after the Y plane
    luma, quarter = height * width, height * width // 4
    planes[luma : luma + quarter] = chroma[..., 0].reshape(-1)
    planes[luma + quarter :] = chroma[..., 1].reshape(-1)
    return out


TimedText = tuple[float, float, str]  # start and end in seconds, one line
# mov_text is encoded from ASS events; the encoder needs a script header with one style.
_ASS_HEADER = (
    b"[Script Info]\nScriptType: v4.00+\n\n[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, "
    b"SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, "
    b"Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\nStyle: Default,Sans,16,"
    b"&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\n\n[Events]\nFormat: Layer, Start, End, "
    b"Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
)


def _add_text_stream(container: av.container.OutputContainer, language: str) -> av.subtitles.stream.SubtitleStream:
    stream = container.add_stream("mov_text")
    stream.codec_context.subtitle_header = _ASS_HEADER
    stream.time_base = Fraction(1, 1000)
    stream.metadata["language"] = language
    return stream


def _mux_subtitles(
    container: av.container.OutputContainer, stream: av.subtitles.stream.SubtitleStream, lines: Sequence[TimedText]
) -> None:
    for start, end, text in lines:
        # Braces open ASS override blocks; a line break is ASS's \N.
        event = text.replace("{", "(").replace("}", ")").replace("\n", "\\N")
        cue = SubtitleSet.create(
            f"0,0,Default,,0,0,0,,{event}".encode(), 0, round((end - start) * 1000), pts=round(start * 1000)
        )
        encoded = stream.codec_context.encode_subtitle(cue)
        for packet in encoded if isinstance(encoded, list) else [encoded]:
            packet.stream = stream
            container.mux(packet)


def _add_video_stream(container: av.container.OutputContainer, first: np.ndarray, fps: int, crf: int) -> av.VideoStream:
    height, width = first.shape[:2]
    if first.ndim != 3 or first.shape[2] != 3 or first.dtype != np.uint8:
        raise ValueError("frames must be H x W x 3 uint8 RGB")
    if width % 2 or height % 2:
        raise ValueError(f"yuv420p needs even sides, got {width}x{height}")
    options = {"crf": str(crf), "preset": "veryfast", "x264-params": X264_PARAMS}
    stream = container.add_stream("libx264", rate=Fraction(fps), options=options)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.time_base = Fraction(1, fps)
    return stream


def _prepare_audio(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """channels x samples float32 at 48 kHz, clipped to [-1, 1]."""
    pcm = np.asarray(audio, dtype=np.float32)
    if pcm.ndim == 1:
        pcm = pcm[:, None]
    if pcm.ndim != 2 or pcm.shape[1] not in (1, 2):
        raise ValueError("audio must be samples or samples x 1|2 channels")
    if sample_rate != AUDIO_RATE:
        pcm = resample(pcm, sample_rate, AUDIO_RATE)
    return np.ascontiguousarray(np.clip(pcm, -1.0, 1.0).T)


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Polyphase resampling along axis 0 (float32 in, float32 out)."""
    if from_rate == to_rate:
        return samples.astype(np.float32, copy=False)
    from scipy.signal import resample_poly

    g = math.gcd(int(from_rate), int(to_rate))
    resampled: np.ndarray = resample_poly(samples, to_rate // g, from_rate // g, axis=0).astype(np.float32)
    return resampled


def _mux_audio(
    container: av.container.OutputContainer, stream: av.AudioStream, pcm: np.ndarray, start: int, stop: int
) -> int:
    """Encode whole AAC frames of pcm[:, start:stop]; at the very end a short tail is padded by
    the encoder. Returns the new start."""
    at_end = stop >= pcm.shape[1] or stop <= start
    while stop - start >= _AAC_FRAME or (at_end and stop > start):
        end = min(start + _AAC_FRAME, stop)
        layout = "stereo" if pcm.shape[0] == 2 else "mono"
        af = av.AudioFrame.from_ndarray(np.ascontiguousarray(pcm[:, start:end]), format="fltp", layout=layout)
        af.sample_rate = AUDIO_RATE
        af.pts = start
        container.mux(stream.encode(af))
        start = end
    return start


def _thumbnail(frame: np.ndarray, max_side: int) -> Image.Image:
    rgb: np.ndarray = np.ascontiguousarray(frame[..., :3]).astype(np.uint8, copy=False)
    height, width = rgb.shape[:2]
    scale = max_side / max(width, height)
    if scale < 1:  # area averaging: sharp enough for a downscale and ~10x cheaper than Lanczos in PIL
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    return Image.fromarray(rgb, "RGB")


def poster_webp(frame: np.ndarray, max_side: int = 720, *, quality: int = 80) -> bytes:
    """A WebP poster of one RGB frame, its longer side at most `max_side` pixels."""
    out = io.BytesIO()
    _thumbnail(frame, max_side).save(out, format="WEBP", quality=quality, method=4)
    return out.getvalue()


@dataclass(frozen=True)
class Spritesheet:
    data: bytes  # JPEG
    tiles: int  # how many of the grid's cells hold a frame (the last row may be short)
    columns: int
    rows: int
    tile_width: int
    tile_height: int
    interval_s: float  # seconds of video between tiles


def spritesheet_jpeg(
    frames: Sequence[np.ndarray], fps: float, *, tiles: int = 25, tile_side: int = 160, quality: int = 75
) -> Spritesheet:
    """A JPEG grid of `tiles` frames evenly spread over the clip (row-major), for scrub previews."""
    count = min(tiles, len(frames))
    if count == 0:
        raise ValueError("spritesheet_jpeg needs at least one frame")
    picks = [round(i * (len(frames) - 1) / max(1, count - 1)) for i in range(count)] if count > 1 else [0]
    thumbs = [_thumbnail(frames[i], tile_side) for i in picks]
    tile_w, tile_h = thumbs[0].size
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    sheet = Image.new("RGB", (columns * tile_w, rows * tile_h))
    for index, thumb in enumerate(thumbs):
        sheet.paste(thumb, ((index % columns) * tile_w, (index // columns) * tile_h))
    out = io.BytesIO()
    sheet.save(out, format="JPEG", quality=quality, optimize=True)
    interval = (len(frames) - 1) / fps / max(1, count - 1)
    return Spritesheet(out.getvalue(), count, columns, rows, tile_w, tile_h, round(interval, 3))


def probe(path: Path | str) -> ProbeInfo:
    """Container facts about a media file. Raises DomainError("invalid_video") when unreadable."""
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        message = gettext("We could not read this video (%(error)s).") % {"error": exc.__class__.__name__}
        raise DomainError("invalid_video", message) from exc
    with container:
        if not container.streams.video:
            raise DomainError("invalid_video", gettext("This file has no video track."))
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        if container.duration is not None:
            duration = container.duration / av.time_base
        elif video.duration is not None and video.time_base is not None:
            duration = float(video.duration * video.time_base)
        else:
            duration = 0.0
        rate = video.average_rate or video.guessed_rate
        return ProbeInfo(
            duration_s=float(duration),
            width=video.codec_context.width,
            height=video.codec_context.height,
            fps=float(rate) if rate else 0.0,
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name if audio is not None else None,
        )
