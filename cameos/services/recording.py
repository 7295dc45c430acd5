"""Recording and verification of a person's cameo: the challenge, the upload, the verification task,
the match against faces already registered (another account's cameo, a public figure's photo), and
the moderator's decision on a cameo held for that match."""

from __future__ import annotations

import datetime as dt
import io
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from cameos.models import Cameo, CameoChallenge, PublicFigurePhoto, _random_name
from cameos.selectors import BUSY, cameo_status_dict
from cameos.services.ledger import erase_biometrics
from cameos.services.photos import portrait_save
from feed.accounts.models import User
from moderation.cases import case_open, moderator_check
from moderation.models import ModerationCase
from sora_site.celery import task_enqueue
from sora_site.errors import DomainError
from sora_site.events import user_event_send
from sora_site.storage import local_path
from sora_site.texts import SentenceTemplate, sentence, sentence_columns

if TYPE_CHECKING:  # the verification stack (dlib, torch) loads only in the task that runs it
    from cameos.verification import VerificationReport

Status = Cameo.Status
CHALLENGE_TTL = dt.timedelta(minutes=10)
RECORDING_MAX_BYTES = 60 * 1024 * 1024
RECORDING_TYPES = {"video/webm", "video/mp4", "video/quicktime", "video/x-matroska"}
PORTRAITS_KEPT = 5  # face crops kept from a verified recording (the consent page says how many)
VOICE_SAMPLE_RATE = 16_000  # what verification decodes the recording's audio at
DIGIT_WORDS = dict(zip("0123456789", "zero one two three four five six seven eight nine".split(), strict=True))


def random_moves() -> tuple[str, ...]:
    """Left and right, in a random order (tests pin this to film a clip in a known order)."""
    return tuple(secrets.SystemRandom().sample(["left", "right"], 2))


def random_digits() -> str:
    """Four digits to read aloud (tests pin this to the digits their recording says)."""
    return "".join(secrets.choice("123456789") for _ in range(4))


def challenge_issue(*, owner: User) -> CameoChallenge:
    return CameoChallenge.objects.create(
        owner=owner,
        nonce=secrets.token_urlsafe(24),
        moves=list(random_moves()),
        digits=random_digits(),
        expires_at=timezone.now() + CHALLENGE_TTL,
    )


def human_cameo_for(owner: User) -> Cameo:
    """The owner's own cameo, created on first use (handle = their @handle)."""
    cameo, _ = Cameo.objects.get_or_create(owner=owner, kind=Cameo.Kind.HUMAN, defaults={"handle": owner.username})
    return cameo


def recording_upload(
    *,
    owner: User,
    nonce: str,
    upload: UploadedFile | None,
    keep_recording: bool = False,
    keep_voice_sample: bool = False,
) -> Cameo:
    """Store a recording made for a challenge and queue its verification. `keep_voice_sample`: the
    owner's consent to keep a few seconds of its speech as the prompt of their cloned voice."""
    if upload is None:
        raise DomainError("recording_missing", gettext("Record a clip first."), field="recording")
    if upload.size is not None and upload.size > RECORDING_MAX_BYTES:
        raise DomainError(
            "recording_too_large",
            gettext("Recordings can be at most %(mb)d MB. Record 8 to 15 seconds.")
            % {"mb": RECORDING_MAX_BYTES // 2**20},
            field="recording",
            status=413,
        )
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    head = upload.read(12)
    upload.seek(0)
    looks_like_video = head[:4] == b"\x1a\x45\xdf\xa3" or head[4:8] == b"ftyp"  # WebM/Matroska, MP4/MOV
    if content_type not in RECORDING_TYPES or not looks_like_video:
        raise DomainError(
            "recording_bad_type",
            gettext("That is not a video we accept. Record in the browser (WebM) or upload an MP4."),
            field="recording",
            status=415,
        )
    with transaction.atomic():
        challenge = CameoChallenge.objects.select_for_update().filter(nonce=nonce, owner=owner).first()
        if challenge is None or challenge.used_at is not None:
            raise DomainError(
                "challenge_used",
                gettext("This challenge was already used. Start a new recording."),
                field="nonce",
                status=409,
            )
        if challenge.expires_at < timezone.now():
            raise DomainError(
                "challenge_expired",
                gettext("This challenge expired. Start a new recording: you have %(minutes)d minutes for each one.")
                % {"minutes": int(CHALLENGE_TTL.total_seconds() // 60)},
                field="nonce",
                status=409,
            )
        cameo = Cameo.objects.select_for_update().get(pk=human_cameo_for(owner).pk)
        if cameo.status in BUSY:
            raise DomainError("cameo_busy", gettext("Your last recording is still being checked."), status=409)
        if cameo.status in (Status.ACTIVE, Status.IN_REVIEW):
            raise DomainError(
                "cameo_exists", gettext("You already have a cameo. Delete it to record a new one."), status=409
            )
        challenge.used_at = timezone.now()
        challenge.save(update_fields=["used_at"])
        erase_biometrics(cameo)
        suffix = ".mp4" if head[4:8] == b"ftyp" else ".webm"
        cameo.recording.name = default_storage.save(_random_name("recordings", suffix), upload)
        cameo.challenge, cameo.keep_recording = challenge, keep_recording
        cameo.keep_voice_sample = keep_voice_sample
        cameo.status, cameo.report = Status.QUEUED, {}
        cameo.save()
        _push_status(cameo)
        transaction.on_commit(lambda: task_enqueue("cameos.tasks.cameo_verify", cameo.pk))
    return cameo


def cameo_verify(*, cameo_id: int) -> None:
    """The verification task's body (queue `default`). A duplicate delivery of a finished one is a no-op."""
    from cameos.verification import Challenge, verify_recording

    claimed = Cameo.objects.filter(pk=cameo_id, status__in=BUSY).update(status=Status.VERIFYING)
    if not claimed:
        return
    cameo = Cameo.objects.select_related("challenge", "owner").get(pk=cameo_id)
    _push_status(cameo)
    challenge = (
        Challenge(moves=tuple(cameo.challenge.moves), digits=cameo.challenge.digits, nonce=cameo.challenge.nonce)
        if cameo.challenge
        else Challenge()
    )
    with local_path(cameo.recording.name or "") as path:
        report = verify_recording(path, challenge)
    with transaction.atomic():
        locked = Cameo.objects.select_for_update().filter(pk=cameo_id).first()
        if locked is None or locked.status != Status.VERIFYING:
            return  # deleted or restarted meanwhile
        cameo = locked
        cameo.report = report.summary()
        if report.passed:
            _keep_biometrics(cameo, report)
            _match_or_activate(cameo)
        else:
            cameo.status = Status.REJECTED
        if not cameo.keep_recording and cameo.recording.name:
            default_storage.delete(cameo.recording.name)
            cameo.recording.name = ""
        cameo.save()
        _push_status(cameo)


def _keep_biometrics(cameo: Cameo, report: VerificationReport) -> None:
    cameo.face_encodings = [np.asarray(e, dtype=np.float64).round(6).tolist() for e in report.reference_encodings]
    if report.voice_embedding is not None:
        cameo.voice_embedding = np.asarray(report.voice_embedding, dtype=np.float64).round(6).tolist()
    if report.voice_profile is not None:
        cameo.voice_pitch_hz = report.voice_profile.pitch_hz
        cameo.espeak_voice = report.voice_profile.espeak_voice
    for position, portrait in enumerate(report.portraits[:PORTRAITS_KEPT]):
        portrait_save(cameo, portrait, position)
    if cameo.keep_voice_sample and report.voice_sample is not None:
        _voice_sample_save(cameo, report.voice_sample, report.digits_check, cameo.challenge)


def _voice_sample_save(cameo: Cameo, speech: np.ndarray, digits_check: str, challenge: CameoChallenge | None) -> None:
    """The kept speech as a 16 kHz WAV. Its text is known when the recogniser heard the challenge's
    digits (all the recording asks the person to say); otherwise it is left empty."""
    out = io.BytesIO()
    sf.write(out, np.clip(speech, -1.0, 1.0), VOICE_SAMPLE_RATE, format="WAV", subtype="PCM_16")
    cameo.voice_sample.name = default_storage.save(_random_name("voices", ".wav"), ContentFile(out.getvalue()))
    digits = challenge.digits if challenge is not None and digits_check == "passed" else ""
    cameo.voice_sample_text = " ".join(DIGIT_WORDS[d] for d in digits)


def _push_status(cameo: Cameo) -> None:
    with translation.override(cameo.owner.reading_language):
        user_event_send(cameo.owner_id, cameo_status_dict(cameo))


def cameo_review_decide(*, subject_id: str, visibility: str, reason: str, by: User) -> None:
    """A moderator settles a held cameo: approve (visible) makes it active; take down (removed) erases
    its biometrics.

    The "cameo" subject's `show` (registered in cameos/wiring.py): it runs inside
    `moderation.cases.case_act`, which records the decision and closes the case. A cameo no longer
    held (deleted meanwhile) is left alone."""
    moderator_check(by)
    with transaction.atomic():
        cameo = (
            Cameo.objects.select_for_update().filter(pk=int(subject_id), status=Status.IN_REVIEW).first()
            if subject_id.isdigit()
            else None
        )
        if cameo is None:
            return
        if visibility == "visible":
            cameo.status, cameo.verified_at = Status.ACTIVE, timezone.now()
        else:
            erase_biometrics(cameo)
            cameo.status = Status.REJECTED
        cameo.save()
        _push_status(cameo)


@dataclass(frozen=True)
class _Hold:
    """Why a new cameo whose face matches one already registered is held for a moderator."""

    category: str  # of the moderation case
    code: str  # of the failure the owner sees
    detail_key: str  # the matched registry entry's id, in the case's detail
    message: SentenceTemplate


NEW_CAMEO_HELD = sentence("case_new_cameo", gettext_lazy("New cameo @{handle}: {category}"))
_LIKENESS_REGISTERED = _Hold(
    ModerationCase.Category.LIKENESS_MATCH,
    "likeness_registered",
    "matched_cameo",
    sentence(
        "cameo_check_likeness_registered",
        gettext_lazy(
            "This face is already registered as a cameo by another account, so we can't verify it. "
            "A moderator will look at it."
        ),
    ),
)
_PUBLIC_FIGURE = _Hold(
    ModerationCase.Category.PUBLIC_FIGURE,
    "public_figure",
    "public_figure",
    sentence(
        "cameo_check_public_figure",
        gettext_lazy(
            "This face looks like a public figure, and cameos of public figures are not allowed. "
            "A moderator will look at it in case this is a mistake."
        ),
    ),
)


def _match_or_activate(cameo: Cameo) -> None:
    """A face already registered by another account, or a public figure's, is refused and goes to
    moderators; anything else becomes active. The registries are searched in that order, each only
    when the one before found nothing."""
    from cameos.verification import best_face_match

    others = Cameo.objects.filter(kind=Cameo.Kind.HUMAN, status=Status.ACTIVE).exclude(owner=cameo.owner)
    photos = PublicFigurePhoto.objects.only("figure_id", "encoding")
    registries = (
        (_LIKENESS_REGISTERED, ((c.pk, c.face_encodings) for c in others.only("face_encodings"))),
        (_PUBLIC_FIGURE, ((p.figure_id, [p.encoding]) for p in photos)),
    )
    for hold, faces in registries:
        match = best_face_match(cameo.face_encodings, faces)
        if match is not None:
            _hold_for_review(cameo, hold, matched_id=match[0], distance=match[1])
            return
    cameo.status, cameo.verified_at = Status.ACTIVE, timezone.now()


def _hold_for_review(cameo: Cameo, hold: _Hold, *, matched_id: int, distance: float) -> None:
    cameo.status = Status.IN_REVIEW
    english, said = sentence_columns(hold.message(), 500)
    failure = {"code": hold.code, "message": english, "sentence": said}
    cameo.report = {**cameo.report, "passed": False, "failures": [failure]}
    detail = {hold.detail_key: matched_id, "distance": round(float(distance), 3), "owner": cameo.owner.username}
    summary = NEW_CAMEO_HELD(handle=cameo.handle, category=ModerationCase.Category(hold.category).label)
    case_open(
        subject_type="cameo",
        subject_id=str(cameo.pk),
        category=hold.category,
        summary=summary,
        detail=detail,
    )
