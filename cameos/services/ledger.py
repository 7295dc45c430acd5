"""The owner's ledger and erasure: removing or reporting a video that shows their cameo, deleting the
cameo, and erasing its biometrics (and the copies of its face kept elsewhere)."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from cameos.models import Cameo, CameoUsage
from cameos.selectors import BUSY, cameo_check_for_viewer
from cameos.signals import cameo_job_withdrawn
from feed.accounts.models import User
from feed.notifications.services import notifications_delete_about
from moderation.cases import case_evidence_erase, case_open, cases_about_face
from moderation.models import ModerationCase
from sora_site.errors import DomainError
from sora_site.texts import Sentence, sentence, sentence_columns

# Why a video showing a cameo was taken down, stopped or deleted, as its maker reads it.
REMOVED_BY_OWNER = sentence("cameo_owner_removed", gettext_lazy("Removed by @{owner}, whose cameo it shows."))
USE_REPORTED = sentence(
    "case_cameo_use_reported", gettext_lazy("@{handle} reports @{owner}'s video with cameo @{cameo}")
)
MATCHED_DELETED = sentence(
    "cameo_check_matched_deleted", gettext_lazy("The cameo @{handle} whose face this matched was deleted.")
)
CAMEO_DELETED = sentence("cameo_deleted", gettext_lazy("A cameo in this video was deleted by its owner."))

Status = Cameo.Status


def notification_subject(cameo: Cameo) -> str:
    """What the owner's notifications about the cameo are filed under: they go when it is deleted."""
    return f"cameo:{cameo.pk}"


def usage_remove(*, cameo: Cameo, by: User, usage_id: int) -> str:
    """The owner removes a video with their cameo: a post is taken down, a draft deleted with its files,
    a job in progress stopped. Returns what was done, for the owner."""
    cameo_check_for_viewer(cameo, by, to="manage")
    usage = CameoUsage.objects.filter(pk=usage_id, cameo=cameo).first()
    if usage is None:
        raise DomainError("usage_not_found", gettext("That video is not in your cameo's list."), status=404)
    return withdraw(cameo, usage.job_id, reason=REMOVED_BY_OWNER(owner=cameo.owner.username))


def withdraw(cameo: Cameo, job_id: int, *, reason: Sentence) -> str:
    """Have the job's video taken down, stopped or deleted (generation decides which); returns which."""
    outcomes = [
        outcome for _, outcome in cameo_job_withdrawn.send(sender=Cameo, cameo=cameo, job_id=job_id, reason=reason)
    ]
    return next(outcome for outcome in outcomes if outcome)


def usage_report(*, cameo: Cameo, by: User, usage_id: int, note: str = "") -> ModerationCase:
    cameo_check_for_viewer(cameo, by, to="manage")
    usage = CameoUsage.objects.select_related("job__owner").filter(pk=usage_id, cameo=cameo).first()
    if usage is None:
        raise DomainError("usage_not_found", gettext("That video is not in your cameo's list."), status=404)
    return case_open(
        subject_type="job",
        subject_id=str(usage.job_id),
        category=ModerationCase.Category.LIKENESS_WITHOUT_CONSENT,
        summary=USE_REPORTED(handle=by.username, owner=usage.job.owner.username, cameo=cameo.handle),
        actor=by,
        action="reported",
        detail={"note": note[:500]},
    )


def cameo_delete(*, cameo: Cameo, by: User) -> dict[str, int]:
    """Delete the cameo and everything biometric: recording, encodings, voice, portraits. Drafts that
    used it are deleted, jobs in progress stopped, posts showing it taken down."""
    cameo_check_for_viewer(cameo, by, to="manage")
    done = {"taken_down": 0, "stopped": 0, "deleted": 0}
    reason = CAMEO_DELETED()
    with transaction.atomic():
        cameo = Cameo.objects.select_for_update().get(pk=cameo.pk)
        for job_id in CameoUsage.objects.filter(cameo=cameo).values_list("job_id", flat=True):
            done[withdraw(cameo, job_id, reason=reason)] += 1
        erase_biometrics(cameo)
        _erase_copies_of_face(cameo)
        if cameo.recording.name:
            default_storage.delete(cameo.recording.name)
        notifications_delete_about(subject=notification_subject(cameo))
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
            erase_biometrics(held)
            held.status = Status.REJECTED
            english, said = sentence_columns(MATCHED_DELETED(handle=cameo.handle), 500)
            failure = {"code": "likeness_registered", "message": english, "sentence": said}
            held.report = {**held.report, "failures": [failure]}
            held.save()


def erase_biometrics(cameo: Cameo) -> None:
    for portrait in cameo.portraits.all():
        if portrait.image.name:
            default_storage.delete(portrait.image.name)
    cameo.portraits.all().delete()
    cameo.face_encodings, cameo.voice_embedding, cameo.voice_pitch_hz, cameo.espeak_voice = [], None, None, ""
    erase_voice_sample(cameo)


def erase_voice_sample(cameo: Cameo) -> None:
    if cameo.voice_sample.name:
        default_storage.delete(cameo.voice_sample.name)
    cameo.voice_sample.name, cameo.voice_sample_text = "", ""
    if cameo.recording.name and cameo.pk is not None and cameo.status not in BUSY:
        default_storage.delete(cameo.recording.name)
        cameo.recording.name = ""
