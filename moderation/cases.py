"""Cases and the moderators' decisions on them: the one moderator check, opening a case (an automatic
flag, a held publish), its evidence, and `case_act`, the one path every decision takes: the queue's
quick buttons and the case page's actions alike.

Every decision is an append-only `ModerationEvent`, written in the same transaction as the case's
status and the subject's visibility (the case is the per-subject status row). What a decision does to
the subject itself belongs to the app that owns it (see `registry`).
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from feed.accounts.models import User
from moderation.models import CaseFrame, ModerationCase, ModerationEvent, Sanction
from moderation.registry import SubjectType, subject_type_get
from moderation.sanctions import SUSPEND_DAYS_MAX, sanction_create, sanction_tell
from moderation.selectors import user_is_moderator
from sora_site.errors import DomainError
from sora_site.texts import Sentence, sentence_columns

# The queue shows the most severe cases first (then the oldest). A reported case takes the severity of
# its worst report.
CASE_SEVERITY: dict[str, int] = {
    ModerationCase.Category.LIKENESS_BLOCKED: 4,
    ModerationCase.Category.LIKENESS_WITHOUT_CONSENT: 4,
    ModerationCase.Category.NUDITY: 3,
    ModerationCase.Category.LIKENESS_MATCH: 3,
    ModerationCase.Category.PUBLIC_FIGURE: 3,
    ModerationCase.Category.HELD_TEXT: 2,
    ModerationCase.Category.REPORTED: 1,
}


def moderator_check(user: User) -> None:
    """The one moderator check: every moderator view and service calls this."""
    if not user_is_moderator(user):
        raise DomainError("not_moderator", gettext("Only moderators can do this."), status=403)


def audit_record(*, actor: User, action: str, detail: dict[str, Any]) -> ModerationEvent:
    """A moderator's change that concerns no case (the public-figure registry), audited all the same."""
    moderator_check(actor)
    return ModerationEvent.objects.create(actor=actor, action=action, detail=detail)


def case_open(
    *,
    subject_type: str,
    subject_id: str,
    category: str,
    summary: str | Sentence,
    actor: User | None = None,
    action: str = "flagged",
    detail: dict[str, Any] | None = None,
    stage: str = "",
    visibility: str = "",
) -> ModerationCase:
    """A new open case with its first event (`actor` None: an automatic flag). `stage` and `visibility`
    default to what the subject and category imply (a post held at publish says both)."""
    english_summary, stored_summary = sentence_columns(summary, 300)
    with transaction.atomic():
        case = ModerationCase.objects.create(
            subject_type=subject_type,
            subject_id=subject_id,
            category=category,
            summary=english_summary,
            summary_sentence=stored_summary,
            stage=stage or _stage_of(subject_type, category),
            visibility=visibility or subject_visibility_last(subject_type=subject_type, subject_id=subject_id),
            severity=CASE_SEVERITY.get(category, 1),
        )
        ModerationEvent.objects.create(case=case, actor=actor, action=action, detail=detail or {})
    return case


def case_frame_add(*, case: ModerationCase, image: ContentFile, seconds: float, finding: str) -> CaseFrame:
    """Keep one frame as the case's evidence (served to moderators only)."""
    return CaseFrame.objects.create(case=case, image=image, seconds=seconds, finding=finding[:100])


def cases_about_face(*, kind: str, key: int) -> list[ModerationCase]:
    """Cases whose automatic decision matched this registered face (a held cameo's match, a blocked
    video's frames): what must go when that face's cameo is deleted."""
    events = ModerationEvent.objects.filter(case__isnull=False, actor=None)
    matched = events.filter(detail__matched_cameo=key) if kind == "cameo" else events.none()
    shown = events.filter(detail__kind=kind, detail__key=key)
    ids = set(matched.values_list("case_id", flat=True)) | set(shown.values_list("case_id", flat=True))
    return list(ModerationCase.objects.filter(pk__in=ids))


def case_evidence_erase(*, case: ModerationCase, reason: str) -> int:
    """Delete a case's evidence frames (files and rows), logged on the case. Returns how many."""
    frames = list(case.frames.all())
    for frame in frames:
        if frame.image.name:
            frame.image.storage.delete(frame.image.name)
    CaseFrame.objects.filter(pk__in=[f.pk for f in frames]).delete()
    ModerationEvent.objects.create(
        case=case, action="evidence_erased", detail={"reason": reason, "frames": len(frames)}
    )
    return len(frames)


def _stage_of(subject_type: str, category: str) -> str:
    if subject_type == "job":
        return ModerationCase.Stage.FRAMES
    if subject_type == "cameo" and category != ModerationCase.Category.LIKENESS_WITHOUT_CONSENT:
        return ModerationCase.Stage.VERIFICATION
    return ModerationCase.Stage.REPORT


def subject_visibility_last(*, subject_type: str, subject_id: str) -> str:
    """A new case on a subject starts where the last one left it (a hidden post reported again)."""
    last = ModerationCase.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by("-pk").first()
    return last.visibility if last is not None else ModerationCase.Visibility.VISIBLE


def case_locked(case_id: int) -> ModerationCase:
    case = ModerationCase.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise DomainError("case_not_found", gettext("No such case."), status=404)
    return case


def case_close(case: ModerationCase) -> None:
    """Close the case and settle its reports (the status row is saved with the event's transaction)."""
    now = timezone.now()
    case.reports.filter(resolved_at=None).update(resolved_at=now)
    case.status, case.updated_at = ModerationCase.Status.CLOSED, now
    case.save(update_fields=["status", "visibility", "updated_at"])


# A moderator's actions on a case. The queue's quick buttons are two of them: "Keep" is approve, and
# "Take down" (the subject type's `reject_label`) is take_down: the subject removed and the case
# settled with no sanction on its owner, as the queue's reject always did. A moderator clearing the
# queue judges the thing; marking the person (a sanction they are told of and may appeal) is a
# separate choice, made on the case page with a reason: hide and remove do both, strike, suspend and
# ban only the second. approve, take_down, hide, remove and resolve settle the case.
CASE_ACTIONS = ("approve", "take_down", "hide", "remove", "strike", "suspend", "ban", "escalate", "note", "resolve")
_SANCTIONS = {
    "hide": Sanction.Kind.HIDE,
    "remove": Sanction.Kind.REMOVE,
    "strike": Sanction.Kind.STRIKE,
    "suspend": Sanction.Kind.SUSPEND,
    "ban": Sanction.Kind.BAN,
}
_VISIBILITY_AFTER = {
    "approve": ModerationCase.Visibility.VISIBLE,
    "take_down": ModerationCase.Visibility.REMOVED,
    "hide": ModerationCase.Visibility.HIDDEN,
    "remove": ModerationCase.Visibility.REMOVED,
}
_SETTLING = ("approve", "take_down", "hide", "remove", "resolve")


def case_act(*, case_id: int, by: User, action: str, reason: str = "", days: int | None = None) -> ModerationCase:
    """One moderator decision on a case: checked, then done (the subject through its registered type,
    the sanction, the case's status and visibility, and the audit event, in one transaction with the
    case row locked), then told (a sanction's owner; the notice is pushed after commit)."""
    reason = reason.strip()[:300]
    _case_act_check(by=by, action=action, reason=reason, days=days)
    with transaction.atomic():
        case = case_locked(case_id)
        if case.status == ModerationCase.Status.CLOSED and action != "note":
            raise DomainError("case_closed", gettext("This case is already closed."))
        subject_type = subject_type_get(case.subject_type)
        detail: dict[str, Any] = {"reason": reason} if reason else {}
        # Whose it is, asked first: removing some subjects (a draft) deletes them.
        owner = subject_type.owner(case.subject_id) if subject_type is not None and subject_type.owner else None
        if action in _VISIBILITY_AFTER:
            subject_show(case, subject_type, _VISIBILITY_AFTER[action], reason, by)
        sanction = None
        if action in _SANCTIONS:
            sanction = sanction_create(case=case, owner=owner, kind=_SANCTIONS[action], reason=reason, days=days)
            detail |= {"sanction": sanction.pk, "user": sanction.user_id, "days": days}
        if action == "resolve":
            detail["reports"] = case.reports.filter(resolved_at=None).count()
        if action == "escalate":
            case.status = ModerationCase.Status.ESCALATED
        ModerationEvent.objects.create(case=case, actor=by, action=action, detail=detail)
        if action in _SETTLING:
            case_close(case)
        else:
            case.updated_at = timezone.now()
            case.save(update_fields=["status", "visibility", "updated_at"])
        if sanction is not None:
            sanction_tell(sanction=sanction)
    return case


def _case_act_check(*, by: User, action: str, reason: str, days: int | None) -> None:
    """What can be refused before the case is locked: who acts, the action, its reason and days."""
    moderator_check(by)
    if action not in CASE_ACTIONS:
        raise DomainError("moderation_bad_action", gettext("Choose an action."), field="action")
    if (action in _SANCTIONS or action == "note") and not reason:
        raise DomainError(
            "moderation_reason_required", gettext("Say why: the person concerned is told."), field="reason"
        )
    if action == "suspend" and (days is None or not 1 <= days <= SUSPEND_DAYS_MAX):
        raise DomainError(
            "moderation_bad_days", gettext("Suspend for 1 to %(max)d days.") % {"max": SUSPEND_DAYS_MAX}, field="days"
        )


def subject_show(
    case: ModerationCase, subject_type: SubjectType | None, visibility: str, reason: str, by: User
) -> None:
    """Set the subject's visibility through its registered type (a subject nobody registered has only
    the case's); only a `hideable` type can be hidden."""
    if visibility == ModerationCase.Visibility.HIDDEN and (subject_type is None or not subject_type.hideable):
        raise DomainError(
            "moderation_cannot_hide", gettext("This kind of subject can't be hidden; remove or approve it.")
        )
    if subject_type is not None:
        subject_type.show(subject_id=case.subject_id, visibility=visibility, reason=reason, by=by)
    case.visibility = visibility
