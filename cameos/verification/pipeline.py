"""verify_recording(): is this clip one real, live person following the challenge, speaking?

Pure functions, no Django. Steps (each timed in `report.timings`):
  decode  - frames sampled at `face_sample_fps` and 16 kHz mono audio (sora_site.media.decode_video)
  faces   - HOG detection + 68 landmarks per sampled frame, reference encodings, portrait crops
  pose    - yaw per frame (solvePnP SQPNP), judged against the challenge's moves
  voice   - silero VAD speech time, resemblyzer embedding, median pitch

Every problem found is reported (not only the first), each as a stable code plus a message that
tells the person what to do differently.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.utils.translation import gettext_lazy as _
from PIL import Image

from cameos.moves import MOVES_SAID
from sora_site.errors import DomainError
from sora_site.media import DecodedVideo, decode_video
from sora_site.texts import Sentence, SentenceTemplate, sentence, sentence_columns

from . import faces as facemod
from . import pose as posemod
from . import voice as voicemod
from .speech import Transcriber, digits_transcriber

MOVES = posemod.MOVES

# Stable failure codes -> default messages (some are refined with numbers at run time).
# What the person is told for each failed check (sora_site.texts: kept as code + parameters with the
# attempt, written in their language when shown).
MESSAGES: dict[str, SentenceTemplate] = {
    code: sentence(f"cameo_check_{code}", text)
    for code, text in {
        "invalid_video": _("We could not read this recording. Record it again."),
        "too_short": _("The recording is {seconds} s long. Record for {min} to {max} seconds."),
        "too_long": _("The recording is {seconds} s long. Record for {min} to {max} seconds."),
        "no_face": _("We could not see your face. Face the camera in good light."),
        "face_lost": _(
            "We lost sight of your face for part of the recording. Keep your whole face in the "
            "picture, in good light, from start to end."
        ),
        "multiple_faces": _(
            "We saw more than one face. Record alone, with no other people, photos or screens in view."
        ),
        "face_inconsistent": _("The face changed during the recording. Only you should be in it, from start to end."),
        "liveness_still": _("This looks like a still photo. Move your head as asked."),
        "liveness_left": _("We did not see you turn your head far enough to your left. Turn it further when asked."),
        "liveness_right": _("We did not see you turn your head far enough to your right. Turn it further when asked."),
        "liveness_order": _("Turn your head in the order shown: {first}, then {second}."),
        "no_speech": _("We could not hear you. Read the digits out loud, in a quiet place, close to the microphone."),
        "digits_mismatch": _("We could not hear the digits shown. Read them out loud, clearly."),
    }.items()
}


@dataclass(frozen=True)
class Challenge:
    """What the person was asked to do: head moves in order, digits to read, a one-time nonce."""

    moves: tuple[str, ...] = ("left", "right")
    digits: str = ""
    nonce: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "moves", tuple(self.moves))
        unknown = [m for m in self.moves if m not in MOVES]
        if unknown:
            raise ValueError(f"unknown challenge moves {unknown}; allowed: {MOVES}")
        if self.digits and not self.digits.isdigit():
            raise ValueError("challenge digits must be 0-9 only")


@dataclass(frozen=True)
class VerificationSettings:
    min_duration_s: float = 8.0
    max_duration_s: float = 15.0
    duration_tolerance_s: float = 0.5  # browsers stop a little early or late
    face_sample_fps: float = 5.0  # frames per second analysed for faces and pose
    analysis_height: int = 480  # frames are resized to this height for detection (HOG upsample 0)
    min_face_score: float = 0.5  # HOG score for a face to count (lower ones can be patches, posters)
    # A turned head scores lower: a weaker detection still counts for presence and pose when it
    # overlaps a confident face found within `track_window_s`.
    track_min_score: float = -0.3
    track_window_s: float = 1.5
    min_face_frame_ratio: float = 0.9
    max_multi_face_frames: int = 0  # frames with 2+ confident faces tolerated
    max_identity_spread: float = 0.6  # face distance of any reference encoding to their medoid
    reference_count: int = 5
    portrait_size: int = 256
    min_swing_deg: float = 15.0  # each head move, relative to the frontal baseline
    still_range_deg: float = 6.0  # less yaw spread than this (and no swing) = a still picture
    min_speech_s: float = 1.5
    # Speech recogniser (audio float32, rate, the digits asked) -> transcript. None: digits are
    # reported "not_checked" and never claimed to pass. The default is pocketsphinx when installed.
    transcriber: Transcriber | None = None


DEFAULT_SETTINGS = VerificationSettings(transcriber=digits_transcriber())


VOICE_SAMPLE_S = 10.0


@dataclass
class VerificationFailure:
    code: str
    message: str  # in English (what rows from before sentences show)
    sentence: dict = field(default_factory=dict)  # the same as code + parameters, for the reader's language

    @classmethod
    def of(cls, code: str, said: Sentence) -> VerificationFailure:
        english, stored = sentence_columns(said, 500)
        return cls(code, english, stored)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "sentence": self.sentence}


@dataclass
class VerificationReport:
    passed: bool
    failures: list[VerificationFailure]
    digits_check: str  # "not_checked" | "passed" | "failed"
    metrics: dict
    timings: dict[str, float]
    reference_encodings: list[np.ndarray] = field(default_factory=list)  # 128-d float32 each
    portraits: list[Image.Image] = field(default_factory=list)  # square RGB crops
    voice_embedding: np.ndarray | None = None  # 256-d float32
    voice_profile: voicemod.VoiceProfile | None = None
    # The first VOICE_SAMPLE_S of speech (VAD segments joined, 16 kHz): kept only with the owner's consent.
    voice_sample: np.ndarray | None = None
    yaw_trajectory: list[tuple[float, float]] = field(default_factory=list)  # (seconds, relative yaw)

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.failures]

    def summary(self) -> dict:
        """JSON-safe, nothing biometric: what to store with the attempt and show to the person."""
        return {
            "passed": self.passed,
            "failures": [f.as_dict() for f in self.failures],
            "digits_check": self.digits_check,
            "metrics": self.metrics,
            "timings": self.timings,
            "voice_profile": self.voice_profile.as_dict() if self.voice_profile else None,
        }


@dataclass
class _Obs:
    t: float
    index: int  # into decoded.frames
    scale: float
    image_size: tuple[int, int]  # analysis image (w, h)
    faces: list[facemod.FaceDetection]  # all detections above track_min_score, best first
    confident: int = 0
    face: facemod.FaceDetection | None = None  # the one face used (confident or tracked)
    tracked: bool = False
    yaw: float | None = None

    @property
    def found(self) -> facemod.FaceDetection:
        """The face used, on an observation known to have one (filtered on `face`)."""
        if self.face is None:
            raise LookupError(f"frame {self.index} has no face")
        return self.face


def verify_recording(
    path: Path | str, challenge: Challenge, *, settings: VerificationSettings = DEFAULT_SETTINGS
) -> VerificationReport:
    s = settings
    timings: dict[str, float] = {}
    failures: list[VerificationFailure] = []

    def fail(code: str, **params: object) -> None:
        failures.append(VerificationFailure.of(code, MESSAGES[code](**params)))

    started = t0 = time.perf_counter()
    try:
        # Keep at most the frames a clip of the longest allowed length needs (memory); the duration
        # is still measured to the end, so an over-long clip reports "too_long".
        max_frames = int(s.face_sample_fps * (s.max_duration_s + s.duration_tolerance_s + 2)) + 1
        video = decode_video(
            path, sample_fps=s.face_sample_fps, max_frames=max_frames, with_audio=True, audio_rate=voicemod.SAMPLE_RATE
        )
    except DomainError as exc:
        timings["decode"] = time.perf_counter() - t0
        return VerificationReport(
            False,
            [VerificationFailure(exc.code, exc.message, exc.sentence.as_json() if exc.sentence else {})],
            "not_checked",
            {},
            _rounded(timings),
        )
    timings["decode"] = time.perf_counter() - t0

    metrics: dict = {
        "duration_s": round(video.duration_s, 2),
        "fps": round(video.fps, 2),
        "width": video.width,
        "height": video.height,
        "frames_sampled": len(video.frames),
    }
    lo, hi = s.min_duration_s, s.max_duration_s
    length = {"seconds": f"{video.duration_s:.1f}", "min": f"{lo:.0f}", "max": f"{hi:.0f}"}
    if video.duration_s < lo - s.duration_tolerance_s:
        fail("too_short", **length)
    elif video.duration_s > hi + s.duration_tolerance_s:
        fail("too_long", **length)

    # The voice checks need nothing of the faces: they run on a thread of their own meanwhile (silero's
    # ONNX runtime, resemblyzer's torch and pocketsphinx let go of the GIL, as dlib does).
    with ThreadPoolExecutor(1, thread_name_prefix="verify-voice") as voice_pool:
        listening = voice_pool.submit(_listen, video, challenge, s)
        return _look(video, challenge, s, listening, metrics, failures, timings, started)


def _look(
    video: DecodedVideo,
    challenge: Challenge,
    s: VerificationSettings,
    listening: Future[_Heard],
    metrics: dict,
    failures: list[VerificationFailure],
    timings: dict[str, float],
    started: float,
) -> VerificationReport:
    """The faces, the head moves and the references on this thread, then the voice thread's results."""

    def fail(code: str, **params: object) -> None:
        failures.append(VerificationFailure.of(code, MESSAGES[code](**params)))

    # ---- faces -----------------------------------------------------------------------------
    t0 = time.perf_counter()
    obs = _detect(video, s)
    _resolve_tracks(obs, s)
    with_face = [o for o in obs if o.face is not None]
    confident_single = [o for o in obs if o.confident == 1]
    multi = [o for o in obs if o.confident >= 2]
    n = max(1, len(obs))
    metrics.update(
        face_frame_ratio=round(len(with_face) / n, 3),
        confident_face_ratio=round(len(confident_single) / n, 3),
        tracked_face_frames=sum(o.tracked for o in obs),
        multi_face_frames=len(multi),
        max_faces_in_frame=max((o.confident for o in obs), default=0),
    )
    if not any(o.confident for o in obs):
        fail("no_face")
    elif len(with_face) / n < s.min_face_frame_ratio:
        fail("face_lost")
    if len(multi) > s.max_multi_face_frames:
        fail("multiple_faces")
    timings["faces"] = time.perf_counter() - t0

    # ---- pose --------------------------------------------------------------------------------
    t0 = time.perf_counter()
    posed: list[_Obs] = []
    yaws: list[float] = []
    for o in with_face:
        hp = posemod.head_pose(o.found.landmarks, o.image_size)
        o.yaw = hp[0] if hp else None
        if hp:
            posed.append(o)
            yaws.append(hp[0])
    liveness = posemod.analyse_yaw(
        [o.t for o in posed],
        yaws,
        challenge.moves,
        min_swing_deg=s.min_swing_deg,
        still_range_deg=s.still_range_deg,
    )
    rel_yaw = dict(zip((o.index for o in posed), liveness.relative_yaw, strict=True))
    metrics.update(
        yaw_baseline=round(liveness.baseline_yaw, 1),
        yaw_min=round(liveness.yaw_min, 1),
        yaw_max=round(liveness.yaw_max, 1),
        yaw_range=round(liveness.yaw_range, 1),
        move_peaks={m: round(v, 1) for m, v in liveness.peaks.items()},
        move_times={m: (None if v is None else round(v, 2)) for m, v in liveness.reached.items()},
    )
    if len(posed) >= 3:  # with (almost) no face, "no_face" already says what is wrong
        if liveness.still:
            fail("liveness_still")
        else:
            for m in liveness.missing:
                fail(f"liveness_{m}")
            if not liveness.order_ok:
                first, second = (MOVES_SAID[move]() for move in challenge.moves[:2])
                fail("liveness_order", first=first, second=second)
    timings["pose"] = time.perf_counter() - t0

    # ---- references: encodings + portraits (counted as face work) ------------------------------
    t0 = time.perf_counter()
    refs = _pick_references(confident_single, rel_yaw, s.reference_count)
    encodings, portraits = [], []
    for o in refs:
        image, _ = facemod.analysis_image(video.frames[o.index], s.analysis_height)
        encodings.append(facemod.face_encoding(image, o.found))
        left, top, right, bottom = (v / o.scale for v in o.found.box)
        box = (left, top, right, bottom)
        portraits.append(facemod.portrait_crop(video.frames[o.index], box, size=s.portrait_size))
    spread = facemod.identity_spread(encodings)
    metrics["identity_spread"] = round(spread, 3)
    if spread > s.max_identity_spread:
        fail("face_inconsistent")
    timings["faces"] += time.perf_counter() - t0

    # ---- voice (its own thread since decoding, joined here) ---------------------------------------
    heard = listening.result()
    timings["voice"] = heard.seconds
    metrics.update(heard.metrics)
    for code in heard.codes:
        fail(code)
    embedding, profile, speech, digits_check = heard.embedding, heard.profile, heard.speech, heard.digits_check
    timings["total"] = time.perf_counter() - started

    return VerificationReport(
        passed=not failures,
        failures=failures,
        digits_check=digits_check,
        metrics=metrics,
        timings=_rounded(timings),
        reference_encodings=encodings,
        portraits=portraits,
        voice_embedding=embedding,
        voice_profile=profile,
        voice_sample=speech[: int(VOICE_SAMPLE_S * video.sample_rate)] if profile is not None else None,
        yaw_trajectory=[(round(o.t, 2), round(rel_yaw[o.index], 1)) for o in posed],
    )


@dataclass
class _Heard:
    """What the voice thread found (`_listen`)."""

    seconds: float
    metrics: dict
    codes: list[str]  # failures, in the order they were found
    embedding: np.ndarray | None
    profile: voicemod.VoiceProfile | None
    speech: np.ndarray
    digits_check: str


def _listen(video: DecodedVideo, challenge: Challenge, s: VerificationSettings) -> _Heard:
    """Speech time (silero VAD), the voice embedding and profile, and the spoken digits."""
    t0 = time.perf_counter()
    codes: list[str] = []
    audio = video.audio
    segments = voicemod.speech_segments(audio, video.sample_rate) if audio is not None else []
    speech = voicemod.speech_audio(audio, segments) if audio is not None and segments else np.zeros(0, np.float32)
    speech_s = len(speech) / video.sample_rate
    metrics: dict = {"has_audio": audio is not None, "speech_s": round(speech_s, 2), "speech_segments": len(segments)}
    embedding, profile = None, None
    if speech_s < s.min_speech_s:
        codes.append("no_speech")
    else:
        embedding = voicemod.voice_embedding(speech, video.sample_rate)
        profile = voicemod.voice_profile(speech, video.sample_rate)
        metrics["pitch_hz"] = profile.pitch_hz
    digits_check = "not_checked"
    if s.transcriber is not None and audio is not None and challenge.digits and speech_s >= s.min_speech_s:
        # From just before the first word to just after the last: given seconds of quiet lead-in, the
        # decoder fits filler words to it and loses the digits.
        pad = round(0.3 * video.sample_rate)
        spoken = audio[max(0, segments[0][0] - pad) : segments[-1][1] + pad]
        transcript = s.transcriber(spoken, video.sample_rate, challenge.digits)
        digits_check = "passed" if digits_spoken(transcript, challenge.digits) else "failed"
        if digits_check == "failed":
            codes.append("digits_mismatch")
    return _Heard(time.perf_counter() - t0, metrics, codes, embedding, profile, speech, digits_check)


_WORDS = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "for": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "to": "2",
    "too": "2",
}


def digits_spoken(transcript: str, digits: str) -> bool:
    """True when the digits appear, in order and adjacent, in a transcript ("4 7 1 9", "four seven...")."""
    tokens = re.findall(r"[a-z]+|\d", transcript.lower())
    spoken = "".join(_WORDS.get(t, t) if not t.isdigit() else t for t in tokens if t.isdigit() or t in _WORDS)
    return digits in spoken


DETECT_THREADS = 2  # dlib's HOG lets go of the GIL: the sampled frames are shared between this many threads


def _detect(video: DecodedVideo, s: VerificationSettings) -> list[_Obs]:
    """Every sampled frame's faces, in frame order (each frame on its own: the threads change nothing)."""

    def observe(i: int) -> _Obs:
        image, scale = facemod.analysis_image(video.frames[i], s.analysis_height)
        found = facemod.detect_faces(image, min_score=s.track_min_score, upsample=0)
        o = _Obs(t=video.frame_times[i], index=i, scale=scale, image_size=(image.shape[1], image.shape[0]), faces=found)
        confident = [f for f in found if f.score > s.min_face_score]
        o.confident = len(confident)
        if confident:
            o.face = confident[0]
        return o

    with ThreadPoolExecutor(DETECT_THREADS, thread_name_prefix="verify-faces") as pool:
        return list(pool.map(observe, range(len(video.frames))))


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _resolve_tracks(obs: list[_Obs], s: VerificationSettings) -> None:
    """Accept a weak detection (a turned head) where it overlaps a confident face close in time."""
    anchors = [o for o in obs if o.confident >= 1]
    for o in obs:
        if o.face is not None or not o.faces:
            continue
        near = [a for a in anchors if abs(a.t - o.t) <= s.track_window_s]
        for cand in o.faces:
            if any(_iou(cand.box, a.found.box) >= 0.3 for a in near):
                o.face, o.tracked = cand, True
                break


def _pick_references(obs: list[_Obs], rel_yaw: dict[int, float], count: int) -> list[_Obs]:
    """Up to `count` frames spread over the clip (one per time bin), the most frontal in each bin."""
    if not obs:
        return []
    bins = np.array_split(np.arange(len(obs)), min(count, len(obs)))
    picked = []
    for b in bins:
        members = [obs[k] for k in b]
        picked.append(min(members, key=lambda o: (abs(rel_yaw.get(o.index, 90.0)), -o.face.score)))
    return picked


def _rounded(timings: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in timings.items()}
