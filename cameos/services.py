"""Writes for cameos: challenge, upload, verification, access, use in jobs, the ledger, deletion.

Permission decisions are made by `cameos.selectors.cameo_use_check` only; these services call it at
enqueue (`cameos_for_new_job`) and again on the worker (`cameos_recheck`). Jobs belong to `generation`,
which sits above this app: cameos announce withdrawals through `cameos.signals` and never import it.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import secrets
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from PIL import Image, ImageOps

from cameos import restrictions
from cameos.models import (
    Cameo,
    CameoAccess,
    CameoChallenge,
    CameoPortrait,
    CameoUsage,
    PublicFigure,
    PublicFigurePhoto,
    PublicFigureRequest,
    _random_name,
)
from cameos.selectors import (
    MAX_CAMEOS_PER_VIDEO,
    cameo_access_request_check,
    cameo_status_dict,
    cameo_use_check,
    cameo_use_refusal,
    cameos_mentioned,
    cameos_of_job,
    public_figure_mentioned,
)
from cameos.signals import cameo_access_narrowed, cameo_job_withdrawn
from feed.accounts.models import User, handle_validator
from feed.notifications.services import notification_send, notifications_delete_about
from moderation.cases import audit_record, case_evidence_erase, case_open, cases_about_face, moderator_check
from moderation.models import ModerationCase, ModerationEvent
from sora_site import japanese
from sora_site.celery import task_enqueue
from sora_site.errors import DomainError
from sora_site.events import user_event_send
from sora_site.images import image_open_checked
from sora_site.storage import local_path

if TYPE_CHECKING:  # the verification stack (dlib, torch) loads only in the task that runs it
    from cameos.verification import VerificationReport

log = logging.getLogger(__name__)

Status = Cameo.Status
CHALLENGE_TTL = dt.timedelta(minutes=10)
RECORDING_MAX_BYTES = 60 * 1024 * 1024
RECORDING_TYPES = {"video/webm", "video/mp4", "video/quicktime", "video/x-matroska"}
PHOTO_MAX_BYTES = 8 * 1024 * 1024
CHARACTER_PHOTOS = (1, 5)  # min, max photos of a non-human cameo
BUSY = (Status.QUEUED, Status.VERIFYING)
VOICE_SAMPLE_RATE = 16_000  # what verification decodes the recording's audio at
DIGIT_WORDS = dict(zip("0123456789", "zero one two three four five six seven eight nine".split(), strict=True))


# --- recording -------------------------------------------------------------------------------


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
        _erase_biometrics(cameo)
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
    for position, portrait in enumerate(report.portraits[:5]):
        _portrait_save(cameo, portrait, position)
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


def _portrait_save(cameo: Cameo, image: Image.Image, position: int) -> None:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=90)
    name = default_storage.save(_random_name("portraits", ".jpg"), ContentFile(out.getvalue()))
    CameoPortrait.objects.create(cameo=cameo, image=name, position=position)


def _match_or_activate(cameo: Cameo) -> None:
    """A face already registered by another account, or a public figure's, is refused and goes to
    moderators; anything else becomes active."""
    from cameos.verification import best_face_match

    others = Cameo.objects.filter(kind=Cameo.Kind.HUMAN, status=Status.ACTIVE).exclude(owner=cameo.owner)
    match = best_face_match(cameo.face_encodings, ((c.pk, c.face_encodings) for c in others.only("face_encodings")))
    if match is not None:
        _hold_for_review(
            cameo,
            ModerationCase.Category.LIKENESS_MATCH,
            {"matched_cameo": match[0], "distance": match[1]},
            "This face is already registered as a cameo by another account, so we can't verify it. "
            "A moderator will look at it.",
        )
        return
    photos = PublicFigurePhoto.objects.only("figure_id", "encoding")
    figure = best_face_match(cameo.face_encodings, ((p.figure_id, [p.encoding]) for p in photos))
    if figure is not None:
        _hold_for_review(
            cameo,
            ModerationCase.Category.PUBLIC_FIGURE,
            {"public_figure": figure[0], "distance": figure[1]},
            "This face looks like a public figure, and cameos of public figures are not allowed. "
            "A moderator will look at it in case this is a mistake.",
        )
        return
    cameo.status, cameo.verified_at = Status.ACTIVE, timezone.now()


def _hold_for_review(cameo: Cameo, category: str, detail: dict, message: str) -> None:
    code = "likeness_registered" if category == ModerationCase.Category.LIKENESS_MATCH else "public_figure"
    cameo.status = Status.IN_REVIEW
    cameo.report = {**cameo.report, "passed": False, "failures": [{"code": code, "message": message}]}
    detail = {**detail, "distance": round(float(detail["distance"]), 3), "owner": cameo.owner.username}
    with translation.override(settings.LANGUAGE_CODE):  # a summary for moderators, not the owner's language
        summary = f"New cameo @{cameo.handle}: {ModerationCase.Category(category).label}"
    case_open(
        subject_type="cameo",
        subject_id=str(cameo.pk),
        category=category,
        summary=summary,
        detail=detail,
    )


def _push_status(cameo: Cameo) -> None:
    user_event_send(cameo.owner_id, cameo_status_dict(cameo))


# --- non-human cameos ------------------------------------------------------------------------


def character_create(*, owner: User, handle: str, name: str, kind: str, photos: Sequence[UploadedFile]) -> Cameo:
    """A pet, object or character from photos: no face verification, never matched as a person."""
    handle = handle.strip().lstrip("@").lower()
    if kind not in {Cameo.Kind.PET, Cameo.Kind.OBJECT, Cameo.Kind.CHARACTER}:
        raise DomainError("cameo_bad_kind", gettext("Choose a pet, an object or a character."), field="kind")
    try:
        handle_validator(handle)
    except Exception:
        raise DomainError(
            "cameo_bad_handle",
            gettext("Handles are 3-30 characters: lowercase letters, digits and underscores."),
            field="handle",
        ) from None
    if Cameo.objects.filter(handle=handle).exists() or User.objects.filter(username=handle).exists():
        raise DomainError(
            "cameo_handle_taken",
            gettext("@%(handle)s is taken. Choose another handle.") % {"handle": handle},
            field="handle",
        )
    if not name.strip():
        raise DomainError("cameo_name_missing", gettext("Give your cameo a name."), field="name")
    low, high = CHARACTER_PHOTOS
    if not low <= len(photos) <= high:
        raise DomainError(
            "cameo_photo_count", gettext("Add %(low)d to %(high)d photos.") % {"low": low, "high": high}, field="photos"
        )
    images = [_photo_read(photo) for photo in photos]
    from cameos.verification.faces import encode_image_faces

    for image in images:
        if encode_image_faces(np.asarray(image), min_score=0.5, upsample=0):
            raise DomainError(
                "cameo_photo_has_person",
                gettext(
                    "One of the photos shows a person's face. A cameo of a "
                    "person must be recorded live: use “Record my cameo” instead."
                ),
                field="photos",
            )
    with transaction.atomic():
        cameo = Cameo.objects.create(
            owner=owner,
            handle=handle,
            kind=kind,
            name=name.strip()[:50],
            status=Status.ACTIVE,
            verified_at=timezone.now(),
        )
        for position, image in enumerate(images):
            _portrait_save(cameo, ImageOps.fit(image, (256, 256), Image.Resampling.LANCZOS), position)
    return cameo


def _photo_read(upload: File) -> Image.Image:
    image = image_open_checked(
        upload,
        formats=("JPEG", "PNG", "WEBP"),
        max_bytes=PHOTO_MAX_BYTES,
        max_pixels=40_000_000,
        code_prefix="photo",
        field="photos",
    )
    image.thumbnail((1024, 1024))
    return image


# --- owner settings and access ---------------------------------------------------------------


def cameo_settings_update(
    *, cameo: Cameo, by: User, access: str, preferences: str, restrictions_text: str
) -> list[str]:
    """Change who may use the cameo and its instructions. Returns notices for the owner."""
    _owner_check(cameo, by)
    if access not in Cameo.Access.values:
        raise DomainError("cameo_bad_access", gettext("Choose who can use your cameo."), field="access")
    notices = []
    if by.is_teen and access == Cameo.Access.EVERYONE:
        access = Cameo.Access.MUTUALS
        notices.append(
            gettext(
                "Teen accounts can share their cameo with mutual followers at most, so it is set to mutual followers."
            )
        )
    with transaction.atomic():
        cameo.access = access
        cameo.preferences = preferences.strip()[:300]
        cameo.restrictions = restrictions_text.strip()[:300]
        cameo.save(update_fields=["access", "preferences", "restrictions"])
        revoked = _revoke_jobs_no_longer_allowed(cameo)
    if revoked:
        notices.append(
            gettext("Stopped %(count)d video(s) in progress by people who can no longer use your cameo.")
            % {"count": revoked}
        )
    return notices


def cameo_pause(*, cameo: Cameo, by: User, paused: bool) -> None:
    _owner_check(cameo, by)
    with transaction.atomic():
        cameo.is_paused = paused
        cameo.save(update_fields=["is_paused"])
        if paused:
            _revoke_jobs_no_longer_allowed(cameo)


def cameo_voice_sample_stop(*, cameo: Cameo, by: User) -> None:
    """The owner withdraws consent to their kept voice sample: it is deleted now, and their lines go
    back to the synthetic voice. (Consent is given when recording, the only time speech is at hand.)"""
    _owner_check(cameo, by)
    with transaction.atomic():
        locked = Cameo.objects.select_for_update().get(pk=cameo.pk)
        locked.keep_voice_sample = False
        _erase_voice_sample(locked)
        locked.save(update_fields=["keep_voice_sample", "voice_sample", "voice_sample_text"])


def cameo_request_access(*, cameo: Cameo, by: User) -> CameoAccess:
    """`by` asks the owner to approve them (the owner is told once), if `cameo_access_request_check` lets them."""
    cameo_access_request_check(by, cameo)
    with transaction.atomic():
        entry, created = CameoAccess.objects.get_or_create(
            cameo=cameo, user=by, defaults={"state": CameoAccess.State.REQUESTED}
        )
        if created:
            _notify(
                cameo,
                actor=by,
                kind="cameo_access_requested",
                text=format_lazy(
                    gettext_lazy("@{handle} asked to use your cameo @{cameo}."), handle=by.username, cameo=cameo.handle
                ),
            )
    return entry


def cameo_approve_access(*, cameo: Cameo, by: User, user: User) -> CameoAccess:
    _owner_check(cameo, by)
    entry, _ = CameoAccess.objects.update_or_create(
        cameo=cameo, user=user, defaults={"state": CameoAccess.State.APPROVED, "updated_at": timezone.now()}
    )
    return entry


def cameo_revoke_access(*, cameo: Cameo, by: User, user: User) -> int:
    """`user` may no longer use the cameo, at any level; their videos in progress with it fail."""
    _owner_check(cameo, by)
    with transaction.atomic():
        CameoAccess.objects.update_or_create(
            cameo=cameo, user=user, defaults={"state": CameoAccess.State.REVOKED, "updated_at": timezone.now()}
        )
        return _revoke_jobs_no_longer_allowed(cameo)


def cameo_allow_again(*, cameo: Cameo, by: User, user: User) -> None:
    """Undo a revocation (the level decides again)."""
    _owner_check(cameo, by)
    CameoAccess.objects.filter(cameo=cameo, user=user, state=CameoAccess.State.REVOKED).delete()


def _revoke_jobs_no_longer_allowed(cameo: Cameo) -> int:
    """Tell generation that fewer people may use the cameo; returns how many jobs it stopped."""
    cameo.refresh_from_db()
    return sum(int(stopped or 0) for _, stopped in cameo_access_narrowed.send(sender=Cameo, cameo=cameo))


def revoked_message(cameo: Cameo) -> str:
    return gettext("@%(owner)s withdrew permission to use their cameo @%(cameo)s, so this video was stopped.") % {
        "owner": cameo.owner.username,
        "cameo": cameo.handle,
    }


def _owner_check(cameo: Cameo, user: User) -> None:
    if cameo.owner_id != user.pk:
        raise DomainError(
            "cameo_not_found", gettext("There is no cameo @%(handle)s.") % {"handle": cameo.handle}, status=404
        )


# --- use in generation jobs ------------------------------------------------------------------


def cameos_for_new_job(*, owner: User, texts: Iterable[str], remix_of_job_id: int | None = None) -> list[Cameo]:
    """The cameos a new job will show, checked: @mentions in the prompt and every shot, plus the cameos
    of the video being remixed. Each must be usable by `owner` and the prompt must respect each
    owner's restrictions. Raises DomainError; returns them in order."""
    texts = list(texts)
    cameos = cameos_mentioned(texts)
    parents = cameos_of_job(remix_of_job_id) if remix_of_job_id is not None else []
    for cameo in parents:
        if cameo.pk not in {c.pk for c in cameos}:
            cameos.append(cameo)
    if len(cameos) > MAX_CAMEOS_PER_VIDEO:
        handles = ", ".join(f"@{c.handle}" for c in cameos)
        raise DomainError(
            "too_many_cameos",
            gettext("A video can show at most %(max)d cameos; this one has %(count)d (%(handles)s).")
            % {"max": MAX_CAMEOS_PER_VIDEO, "count": len(cameos), "handles": handles},
            field="prompt",
        )
    prompt = " / ".join(texts)
    public_figure_check(texts, owner=owner)
    for cameo in cameos:
        cameo_use_check(owner, cameo)
        if cameo.owner_id != owner.pk:
            cameo_restrictions_check(cameo, prompt)
    return cameos


def public_figure_check(texts: Sequence[str], *, owner: User | None) -> None:
    """Refuse texts that name or describe a real public figure of the registry (`public_figure_mentioned`),
    with the person or office it found, in Japanese for a Japanese text. The refusal goes to the
    moderation log like the prompt stage's (`text_refused`, category public_figures)."""
    mention = public_figure_mentioned(texts)
    if mention is None:
        return
    ModerationEvent.objects.create(
        about_user=owner,
        action="text_refused",
        detail={
            "stage": "prompt",
            "category": "public_figures",
            "reason": f"{mention.how}: {mention.phrase}",
            "figure": mention.figure_id,
            "text": " / ".join(texts)[:1000],
        },
    )
    language = "ja" if any(japanese.has_japanese(text) for text in texts) else translation.get_language()
    with translation.override(language):
        if mention.kind == PublicFigure.Kind.OFFICE:
            message = gettext(
                "This prompt can't be used: it describes a real public figure (%(name)s). Videos can't depict "
                "real public figures, living or dead; use an invented character, or a cameo whose owner allows it."
            )
        else:
            message = gettext(
                "This prompt can't be used: it names or describes a real public figure (%(name)s). Videos can't "
                "depict real public figures, living or dead; use an invented character, or a cameo whose owner "
                "allows it."
            )
    raise DomainError("prompt_blocked", message % {"name": mention.name}, field="prompt")


def cameo_restrictions_check(cameo: Cameo, prompt: str) -> None:
    """Refuse a prompt that breaks the cameo owner's own rules ("nothing political")."""
    rule = restrictions.violated_rule(cameo.restrictions, prompt)
    if rule is not None:
        raise DomainError(
            "cameo_restriction",
            gettext("@%(owner)s doesn't allow their cameo in this kind of video: “%(rule)s”. Change the prompt.")
            % {"owner": cameo.owner.username, "rule": rule.text},
            field="prompt",
        )


def cameo_usage_record(*, job_id: int, maker: User, cameos: Sequence[Cameo]) -> None:
    """Ledger rows (in the caller's transaction) and a notification for each cameo owner."""
    for cameo in cameos:
        CameoUsage.objects.create(cameo=cameo, job_id=job_id)
        if cameo.owner_id != maker.pk:
            text = format_lazy(
                gettext_lazy("@{handle} is making a video with your cameo @{cameo}."),
                handle=maker.username,
                cameo=cameo.handle,
            )
            _notify(cameo, actor=maker, kind="cameo_used", text=text)


def cameos_recheck(*, job_id: int, maker: User) -> None:
    """On the worker, before generating: access may have been withdrawn since the job was queued."""
    for cameo in cameos_of_job(job_id):
        if cameo_use_refusal(maker, cameo) is not None:
            raise DomainError("cameo_permission_revoked", revoked_message(cameo))


def _notify(cameo: Cameo, *, actor: User | None, kind: str, text: str | Promise) -> None:
    notification_send(recipient=cameo.owner, actor=actor, kind=kind, text=text, subject=_subject(cameo))


def _subject(cameo: Cameo) -> str:
    return f"cameo:{cameo.pk}"


# --- the owner's ledger ----------------------------------------------------------------------


def usage_remove(*, cameo: Cameo, by: User, usage_id: int) -> str:
    """The owner removes a video with their cameo: a post is taken down, a draft deleted with its files,
    a job in progress stopped. Returns what was done, for the owner."""
    _owner_check(cameo, by)
    usage = CameoUsage.objects.filter(pk=usage_id, cameo=cameo).first()
    if usage is None:
        raise DomainError("usage_not_found", gettext("That video is not in your cameo's list."), status=404)
    return _withdraw(cameo, usage.job_id, reason=f"Removed by @{cameo.owner.username}, whose cameo it shows.")


def _withdraw(cameo: Cameo, job_id: int, *, reason: str) -> str:
    """Have the job's video taken down, stopped or deleted (generation decides which); returns which."""
    outcomes = [
        outcome for _, outcome in cameo_job_withdrawn.send(sender=Cameo, cameo=cameo, job_id=job_id, reason=reason)
    ]
    return next(outcome for outcome in outcomes if outcome)


def usage_report(*, cameo: Cameo, by: User, usage_id: int, note: str = "") -> ModerationCase:
    _owner_check(cameo, by)
    usage = CameoUsage.objects.select_related("job__owner").filter(pk=usage_id, cameo=cameo).first()
    if usage is None:
        raise DomainError("usage_not_found", gettext("That video is not in your cameo's list."), status=404)
    return case_open(
        subject_type="job",
        subject_id=str(usage.job_id),
        category=ModerationCase.Category.LIKENESS_WITHOUT_CONSENT,
        summary=f"@{by.username} reports @{usage.job.owner.username}'s video with cameo @{cameo.handle}",
        actor=by,
        action="reported",
        detail={"note": note[:500]},
    )


def cameo_delete(*, cameo: Cameo, by: User) -> dict[str, int]:
    """Delete the cameo and everything biometric: recording, encodings, voice, portraits. Drafts that
    used it are deleted, jobs in progress stopped, posts showing it taken down."""
    _owner_check(cameo, by)
    done = {"taken_down": 0, "stopped": 0, "deleted": 0}
    reason = "A cameo in this video was deleted by its owner."
    with transaction.atomic():
        cameo = Cameo.objects.select_for_update().get(pk=cameo.pk)
        for job_id in CameoUsage.objects.filter(cameo=cameo).values_list("job_id", flat=True):
            done[_withdraw(cameo, job_id, reason=reason)] += 1
        _erase_biometrics(cameo)
        _erase_copies_of_face(cameo)
        if cameo.recording.name:
            default_storage.delete(cameo.recording.name)
        notifications_delete_about(subject=_subject(cameo))
        cameo.delete()
    return done


def _erase_copies_of_face(cameo: Cameo) -> None:
    """The same face kept elsewhere goes with the cameo: another account's attempt held because it
    matched this face (its encodings and crops are this person's), and evidence frames of videos
    blocked for showing it."""
    reason = f"The cameo @{cameo.handle} whose face this matched was deleted."
    for case in cases_about_face(kind="cameo", key=cameo.pk):
        case_evidence_erase(case=case, reason=reason)
        if case.subject_type != "cameo" or not case.subject_id.isdigit():
            continue
        held = Cameo.objects.select_for_update().filter(pk=int(case.subject_id), status=Status.IN_REVIEW).first()
        if held is not None:
            _erase_biometrics(held)
            held.status = Status.REJECTED
            held.report = {**held.report, "failures": [{"code": "likeness_registered", "message": reason}]}
            held.save()


def _erase_biometrics(cameo: Cameo) -> None:
    for portrait in cameo.portraits.all():
        if portrait.image.name:
            default_storage.delete(portrait.image.name)
    cameo.portraits.all().delete()
    cameo.face_encodings, cameo.voice_embedding, cameo.voice_pitch_hz, cameo.espeak_voice = [], None, None, ""
    _erase_voice_sample(cameo)


def _erase_voice_sample(cameo: Cameo) -> None:
    if cameo.voice_sample.name:
        default_storage.delete(cameo.voice_sample.name)
    cameo.voice_sample.name, cameo.voice_sample_text = "", ""
    if cameo.recording.name and cameo.pk is not None and cameo.status not in BUSY:
        default_storage.delete(cameo.recording.name)
        cameo.recording.name = ""


# --- moderators ------------------------------------------------------------------------------


STARTER_REGISTRY = Path(__file__).resolve().parent / "data" / "public_figures.toml"
_STARTER_FIELDS = ("name", "kind", "aliases", "ambiguous_names", "cues", "descriptions", "deceased")


def public_figure_create(
    *,
    by: User,
    name: str,
    notes: str = "",
    aliases: Sequence[str] = (),
    descriptions: Sequence[str] = (),
    deceased: bool = False,
    photos: Sequence[UploadedFile] = (),
) -> PublicFigure:
    """A moderator adds someone: their names and descriptions are refused in prompts at once, and
    their photos' faces (each must show exactly one) are matched by the likeness checks."""
    moderator_check(by)
    if not name.strip():
        raise DomainError("figure_name_missing", gettext("Give the public figure's name."), field="name")
    encoded = [(photo, public_figure_photo_encoding(photo)) for photo in photos]
    with transaction.atomic():
        figure = PublicFigure.objects.create(
            name=name.strip()[:100],
            notes=notes.strip()[:300],
            aliases=_phrases(aliases),
            descriptions=_phrases(descriptions),
            deceased=deceased,
            created_by=by,
        )
        for photo, encoding in encoded:
            photo.seek(0)
            PublicFigurePhoto.objects.create(figure=figure, image=photo, encoding=encoding)
        audit_record(
            actor=by,
            action="public_figure_added",
            detail={"figure": figure.pk, "name": figure.name, "photos": len(encoded)},
        )
    return figure


def _phrases(texts: Iterable[str]) -> list[str]:
    """Names or descriptions as typed (one per line), trimmed, without blanks or repeats."""
    out: list[str] = []
    for text in texts:
        phrase = " ".join(text.split())[:200]
        if phrase and phrase not in out:
            out.append(phrase)
    return out[:50]


def public_figures_starter_load(*, path: Path = STARTER_REGISTRY) -> tuple[int, int]:
    """Add the shipped registry's entries, and bring those already here up to date, by `key`. Idempotent
    (run by `manage.py public_figures_load` at start-up); moderators' own entries are never touched, and
    a shipped entry a moderator removed is not added again. Returns (added, updated)."""
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["figure"]
    existing = {figure.key: figure for figure in PublicFigure.objects.exclude(key="")}
    # A shipped entry a moderator removed stays removed (the audit log remembers its key).
    removed = set(
        ModerationEvent.objects.filter(action="public_figure_removed", detail__has_key="key").values_list(
            "detail__key", flat=True
        )
    )
    added = updated = 0
    with transaction.atomic():
        for entry in entries:
            if entry["key"] in removed and entry["key"] not in existing:
                continue
            values = {
                "name": entry["name"],
                "kind": entry.get("kind", PublicFigure.Kind.PERSON),
                "aliases": entry.get("aliases", []),
                "ambiguous_names": entry.get("ambiguous_names", []),
                "cues": entry.get("cues", []),
                "descriptions": entry.get("descriptions", []),
                "deceased": entry.get("deceased", False),
            }
            figure = existing.get(entry["key"])
            if figure is None:
                PublicFigure.objects.create(key=entry["key"], **values)
                added += 1
            elif any(getattr(figure, field) != values[field] for field in _STARTER_FIELDS):
                for field, value in values.items():
                    setattr(figure, field, value)
                figure.save()
                updated += 1
    return added, updated


FIGURE_REQUEST_SUBJECT = "figure_request"  # the moderation subject type of requests to be added


def public_figure_request_create(
    *,
    name: str,
    aliases: Sequence[str],
    descriptions: Sequence[str],
    deceased: bool,
    requester_name: str,
    relation: str,
    contact: str,
    photo: UploadedFile | None = None,
) -> PublicFigureRequest:
    """Someone asks for a name to be added to the registry (for themselves, or as the estate of someone
    who died): the request goes to the moderation queue, where approving it adds the figure."""
    if not name.strip():
        raise DomainError("figure_name_missing", gettext("Give the name to add."), field="name")
    if not requester_name.strip():
        raise DomainError("requester_name_missing", gettext("Tell us who is asking."), field="requester_name")
    if relation not in PublicFigureRequest.Relation.values:
        raise DomainError(
            "requester_relation_missing", gettext("Choose how you are related to them."), field="relation"
        )
    try:
        validate_email(contact.strip())
    except ValidationError:
        raise DomainError(
            "requester_contact_invalid", gettext("Give an email address where we can reach you."), field="contact"
        ) from None
    if photo is not None:
        _photo_read(photo)  # a real image, within limits; its face is compared only once approved
        photo.seek(0)
    with transaction.atomic():
        request = PublicFigureRequest.objects.create(
            name=" ".join(name.split())[:100],
            aliases=_phrases(aliases),
            descriptions=_phrases(descriptions),
            deceased=deceased or relation == PublicFigureRequest.Relation.ESTATE,
            requester_name=" ".join(requester_name.split())[:100],
            relation=relation,
            contact=contact.strip()[:200],
            photo=photo if photo is not None else "",
        )
        case_open(
            subject_type=FIGURE_REQUEST_SUBJECT,
            subject_id=str(request.pk),
            category=ModerationCase.Category.FIGURE_REQUEST,
            summary=f"Asks to be added to the public-figure registry: {request.name} ({request.relation})",
            detail={"name": request.name, "relation": request.relation, "deceased": request.deceased},
        )
    return request


def public_figure_request_decide(*, subject_id: str, visibility: str, reason: str, by: User) -> None:
    """A moderator settles a request (the "figure_request" subject's `show`, inside `case_act`):
    approving adds the figure with its names, descriptions and photo (a photo without exactly one face
    is left out, the names still count); either way the request's photo is then deleted."""
    moderator_check(by)
    request = (
        PublicFigureRequest.objects.select_for_update()
        .filter(pk=int(subject_id) if subject_id.isdigit() else 0, status=PublicFigureRequest.Status.PENDING)
        .first()
    )
    if request is None:
        raise DomainError("figure_request_not_found", gettext("That request was already settled."), status=404)
    photo_name = request.photo.name
    approve = visibility == "visible"  # removed: declined
    if approve:
        photos: list[UploadedFile] = []
        if photo_name:
            with default_storage.open(photo_name) as stored:
                upload = SimpleUploadedFile(Path(photo_name).name, stored.read())
            try:
                public_figure_photo_encoding(upload)
                upload.seek(0)
                photos.append(upload)
            except DomainError:
                log.info("figure request %s: its photo has no single face; added by name only", request.pk)
        relation = PublicFigureRequest.Relation(request.relation).label
        request.figure = public_figure_create(
            by=by,
            name=request.name,
            notes=f"Asked by {request.requester_name} ({relation}), {request.contact}",
            aliases=request.aliases,
            descriptions=request.descriptions,
            deceased=request.deceased,
            photos=photos,
        )
    request.status = PublicFigureRequest.Status.APPROVED if approve else PublicFigureRequest.Status.REJECTED
    request.photo.name = ""
    request.save(update_fields=["status", "figure", "photo"])
    if photo_name:
        transaction.on_commit(lambda: _files_delete([photo_name]))


def public_figure_delete(*, by: User, figure_id: int) -> str:
    """Take someone off the registry: their photos (files and encodings) go; the removal is audited.
    Returns their name."""
    moderator_check(by)
    with transaction.atomic():
        figure = PublicFigure.objects.select_for_update().filter(pk=figure_id).first()
        if figure is None:
            raise DomainError("figure_not_found", gettext("That public figure is not in the registry."), status=404)
        names = [photo.image.name for photo in figure.photos.all() if photo.image.name]
        audit_record(
            actor=by,
            action="public_figure_removed",
            detail={"figure": figure.pk, "name": figure.name, "photos": len(names), "key": figure.key},
        )
        name = figure.name
        figure.delete()
        transaction.on_commit(lambda: _files_delete(names))
    return name


def _files_delete(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)


def public_figure_photo_encoding(photo: File) -> list[float]:
    """The encoding of the one face in a registry photo; a photo with none (or several) is refused."""
    from cameos.verification.faces import encode_image_faces

    image = _photo_read(photo)
    faces = encode_image_faces(np.asarray(image), min_score=0.3, upsample=1)
    label = getattr(photo, "name", None) or gettext("a photo")
    if not faces:
        raise DomainError(
            "figure_photo_no_face",
            gettext("We found no face in %(photo)s. Use a clear photo of their face.") % {"photo": label},
            field="photos",
        )
    if len(faces) > 1:
        raise DomainError(
            "figure_photo_many_faces",
            gettext("%(photo)s shows %(count)d faces. Crop it to this person.") % {"photo": label, "count": len(faces)},
            field="photos",
        )
    encoding: list[float] = np.asarray(faces[0], dtype=np.float64).round(6).tolist()
    return encoding


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
            _erase_biometrics(cameo)
            cameo.status = Status.REJECTED
        cameo.save()
        _push_status(cameo)
