"""Writes for moderation: the text checks of stage 1, the one moderator check, opening cases, the
moderators' actions on them, sanctions on people and their appeals.

Every decision is an append-only `ModerationEvent`, written in the same transaction as the case's
status and the subject's visibility (the case is the per-subject status row). What a decision does to
the subject itself belongs to the app that owns it (see `registry`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from feed.accounts.models import User
from feed.graph.services import block_create
from feed.notifications.services import notification_send
from moderation.languages import UNSUPPORTED_LANGUAGE, unsupported_message
from moderation.models import Appeal, CaseFrame, ModerationCase, ModerationEvent, Report, Sanction
from moderation.policy import Audience, policy_load, texts_verdict
from moderation.registry import SubjectType, subject_type_get
from moderation.selectors import (
    APPEAL_WINDOW,
    LIKENESS_SUBJECTS,
    REPORT_SUBJECTS,
    sanction_blocking,
    user_is_moderator,
)
from sora_site import japanese
from sora_site.errors import DomainError
from sora_site.fields import float_field

PROMPT_SURFACES = ("prompt", "storyboard", "remix")
REPORT_SECONDS_MAX = 3600.0  # a reported time range lies within the video: an hour is past any video made here

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
REPORT_SEVERITY: dict[str, int] = {
    Report.Category.MINOR_SAFETY: 5,
    Report.Category.LIKENESS: 4,
    Report.Category.SEXUAL: 4,
    Report.Category.SELF_HARM: 4,
    Report.Category.EXTREMISM: 4,
    Report.Category.VIOLENCE: 3,
    Report.Category.HATE: 3,
    Report.Category.ILLEGAL: 3,
    Report.Category.IMPERSONATION: 2,
}
_NOUNS = {"prompt": "prompt", "storyboard": "shot", "remix": "remix prompt", "caption": "caption", "comment": "comment"}
_NOUNS_JA = {
    "prompt": "プロンプト",
    "storyboard": "ショット",
    "remix": "リミックスのプロンプト",
    "caption": "キャプション",
    "comment": "コメント",
}


def text_check(
    *, text: str, surface: str, user: User | None, uses_cameo: bool = False, field: str | None = None
) -> None:
    """Stage 1 on one text (a comment, a profile): `texts_check` with that text alone."""
    texts_check(texts=[(field or surface, text)], surface=surface, user=user, uses_cameo=uses_cameo)


def texts_check(
    *,
    texts: Sequence[tuple[str, str]],
    surface: str,
    user: User | None,
    uses_cameo: bool = False,
    context: Sequence[str] = (),
) -> None:
    """Stage 1: refuse a request whose texts the policy (moderation/policy.toml) refuses, for this
    person and surface. `texts` are (field, text) pairs: a prompt, or a storyboard's shots (an
    extension's are the source's shots and the new one); `context` the texts they go with (a remix's
    parent prompt, the prompt of a video being captioned), which a refusal never names. Each text is
    judged alone and then all of them together (`texts_verdict`), so a harmful meaning split across
    shots or turned at the end is found; the refusal names the field of the one text at fault, or
    the first field when no one text is.

    `surface` is one of prompt, storyboard, remix (code `prompt_blocked`), caption or comment
    (`text_blocked`). Stricter for teens and when the video uses a real person's cameo. The person is
    told the category and how to rephrase (or, for a language the policy cannot read, which languages
    it can); the scores go to the moderation log only.
    """
    audience = Audience(surface=surface, is_teen=bool(user and user.is_teen), uses_cameo=uses_cameo)
    at_fault, verdict = texts_verdict([text for _, text in texts] + list(context), audience)
    if verdict.category is None:
        return
    fields = [field for field, _ in texts]
    field = fields[at_fault] if at_fault is not None and at_fault < len(fields) else fields[0]
    text = (
        texts[at_fault][1]
        if at_fault is not None and at_fault < len(texts)
        else "\n".join([t for _, t in texts] + list(context))
    )
    whole = at_fault is None and len(texts) + len(context) > 1  # no text alone: the texts together
    ModerationEvent.objects.create(
        about_user=user,
        action="text_refused",
        detail={
            "stage": "prompt",
            "surface": surface,
            "field": field,
            "whole": whole,
            "category": verdict.category,
            "reason": verdict.reason,
            "scores": verdict.scores,
            "text": text[:1000],
        },
    )
    code = "prompt_blocked" if surface in PROMPT_SURFACES else "text_blocked"
    if verdict.category == UNSUPPORTED_LANGUAGE:
        noun = (_NOUNS_JA if translation.get_language() == "ja" else _NOUNS).get(surface, _NOUNS["prompt"])
        raise DomainError(code, unsupported_message(language=verdict.language, noun=noun), field=field)
    category = policy_load().categories[verdict.category]
    if (japanese.has_japanese(text) or translation.get_language() == "ja") and category.label_ja:
        # In Japanese for a Japanese interface, and for a Japanese text whatever the interface language.
        noun = "リクエスト" if whole else _NOUNS_JA.get(surface, "テキスト")
        message = f"この{noun}は使用できません：{category.label_ja}に該当するようです。{category.rephrase_ja}"
    else:
        noun = "request (its texts together)" if whole else _NOUNS.get(surface, "text")
        message = f"This {noun} can't be used: it looks like {category.label}. {category.rephrase}"
    raise DomainError(code, message, field=field)


# What a case is about, in words for its owner ("a moderator acted on your post").
SUBJECT_NOUNS = {
    "post": gettext_lazy("post"),
    "comment": gettext_lazy("comment"),
    "profile": gettext_lazy("profile"),
    "cameo": gettext_lazy("cameo"),
    "job": gettext_lazy("video"),
}


def report_create(
    *,
    reporter: User,
    subject_type: str,
    subject_id: str,
    category: str,
    note: str = "",
    start_s: float | None = None,
    end_s: float | None = None,
    also_block: User | None = None,
) -> Report:
    """File a report. It joins the subject's open case (or opens one); floods from one account are
    refused (`MODERATION_REPORTS_PER_HOUR`). `also_block`: the reporter blocks that account too (in the
    same transaction; never themselves)."""
    if subject_type not in REPORT_SUBJECTS:
        raise DomainError("report_bad_subject", gettext("That can't be reported."))
    if category not in Report.Category.values or (
        category == Report.Category.LIKENESS and subject_type not in LIKENESS_SUBJECTS
    ):
        raise DomainError("report_bad_category", gettext("Choose what is wrong with it."), field="category")
    # Checked here too, for callers without a form: PostgreSQL's JSON refuses NaN and infinities in the detail.
    start_s, end_s = report_seconds(start_s, field="start_s"), report_seconds(end_s, field="end_s")
    if start_s is not None and end_s is not None and not start_s < end_s:
        raise DomainError("report_bad_range", gettext("The time range should start before it ends."), field="start_s")
    subject = subject_type_get(subject_type)
    if subject is not None and subject.owner is not None and subject.owner(subject_id) == reporter:
        raise DomainError("report_own", gettext("This is yours: you can edit or delete it instead."))
    since = timezone.now() - dt.timedelta(hours=1)
    if Report.objects.filter(reporter=reporter, created_at__gte=since).count() >= settings.MODERATION_REPORTS_PER_HOUR:
        raise DomainError(
            "report_rate_limited", gettext("You have sent many reports in the last hour. Try again later."), status=429
        )
    with transaction.atomic():
        case = (
            ModerationCase.objects.select_for_update()
            .filter(subject_type=subject_type, subject_id=subject_id)
            .exclude(status=ModerationCase.Status.CLOSED)
            .first()
        )
        if case is None:
            with translation.override(settings.LANGUAGE_CODE):  # a summary for moderators, not the reporter's language
                summary = f"Reported {subject_type} {subject_id}: {Report.Category(category).label}"
            case = ModerationCase.objects.create(
                subject_type=subject_type,
                subject_id=subject_id,
                category=ModerationCase.Category.REPORTED,
                summary=summary,
                visibility=_visibility_now(subject_type, subject_id),
            )
        case.severity = max(case.severity, REPORT_SEVERITY.get(category, 1))
        report = Report.objects.create(
            reporter=reporter,
            subject_type=subject_type,
            subject_id=subject_id,
            category=category,
            note=note.strip()[:500],
            start_s=start_s,
            end_s=end_s,
            case=case,
        )
        detail = {"category": category, "note": report.note, "start_s": start_s, "end_s": end_s}
        ModerationEvent.objects.create(case=case, actor=reporter, action="reported", detail=detail)
        case.updated_at = timezone.now()
        case.save(update_fields=["updated_at", "severity"])
        if also_block is not None and also_block.pk != reporter.pk:
            block_create(blocker=reporter, blocked=also_block)
    return report


def report_seconds(value: str | float | None, *, field: str) -> float | None:
    """A time in the video, finite and in range: as typed in a report form, or a number ("" or None: none)."""
    return float_field(
        value, name=field, minimum=0.0, maximum=REPORT_SECONDS_MAX, default=None, code="report_bad_range"
    )


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
    summary: str,
    actor: User | None = None,
    action: str = "flagged",
    detail: dict[str, Any] | None = None,
    stage: str = "",
    visibility: str = "",
) -> ModerationCase:
    """A new open case with its first event (`actor` None: an automatic flag). `stage` and `visibility`
    default to what the subject and category imply (a post held at publish says both)."""
    with transaction.atomic():
        case = ModerationCase.objects.create(
            subject_type=subject_type,
            subject_id=subject_id,
            category=category,
            summary=summary[:300],
            stage=stage or _stage_of(subject_type, category),
            visibility=visibility or _visibility_now(subject_type, subject_id),
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


def case_decide(*, case_id: int, by: User, approve: bool) -> ModerationCase:
    """A moderator approves or rejects the case's subject (through its registered type, if any), and
    the case closes. A closed case cannot be decided again."""
    moderator_check(by)
    with transaction.atomic():
        case = _case_locked(case_id)
        if case.status == ModerationCase.Status.CLOSED:
            raise DomainError("case_closed", gettext("This case is already closed."))
        subject_type = subject_type_get(case.subject_type)
        if subject_type is not None:
            subject_type.decide(subject_id=case.subject_id, approve=approve, by=by)
        ModerationEvent.objects.create(case=case, actor=by, action="approved" if approve else "rejected")
        case.visibility = ModerationCase.Visibility.VISIBLE if approve else ModerationCase.Visibility.REMOVED
        _case_close(case)
    return case


def _stage_of(subject_type: str, category: str) -> str:
    if subject_type == "job":
        return ModerationCase.Stage.FRAMES
    if subject_type == "cameo" and category != ModerationCase.Category.LIKENESS_WITHOUT_CONSENT:
        return ModerationCase.Stage.VERIFICATION
    return ModerationCase.Stage.REPORT


def _visibility_now(subject_type: str, subject_id: str) -> str:
    """A new case on a subject starts where the last one left it (a hidden post reported again)."""
    last = ModerationCase.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by("-pk").first()
    return last.visibility if last is not None else ModerationCase.Visibility.VISIBLE


def _case_locked(case_id: int) -> ModerationCase:
    case = ModerationCase.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise DomainError("case_not_found", gettext("No such case."), status=404)
    return case


def _case_close(case: ModerationCase) -> None:
    """Close the case and settle its reports (the status row is saved with the event's transaction)."""
    now = timezone.now()
    case.reports.filter(resolved_at=None).update(resolved_at=now)
    case.status, case.updated_at = ModerationCase.Status.CLOSED, now
    case.save(update_fields=["status", "visibility", "updated_at"])


# A moderator's actions on a case. Those in `_SANCTIONS` touch the subject's owner, who is told why
# and may appeal; approve, hide, remove and resolve settle the case.
CASE_ACTIONS = ("approve", "hide", "remove", "strike", "suspend", "ban", "escalate", "note", "resolve")
_SANCTIONS = {
    "hide": Sanction.Kind.HIDE,
    "remove": Sanction.Kind.REMOVE,
    "strike": Sanction.Kind.STRIKE,
    "suspend": Sanction.Kind.SUSPEND,
    "ban": Sanction.Kind.BAN,
}
_VISIBILITY_AFTER = {
    "approve": ModerationCase.Visibility.VISIBLE,
    "hide": ModerationCase.Visibility.HIDDEN,
    "remove": ModerationCase.Visibility.REMOVED,
}
_SETTLING = ("approve", "hide", "remove", "resolve")
SUSPEND_DAYS_MAX = 365


def case_act(*, case_id: int, by: User, action: str, reason: str = "", days: int | None = None) -> ModerationCase:
    """One moderator action on a case, audited as an event in the same transaction as the case's status
    and visibility. The subject changes through its registered type; a sanction is told to its owner."""
    moderator_check(by)
    reason = reason.strip()[:300]
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
    with transaction.atomic():
        case = _case_locked(case_id)
        if case.status == ModerationCase.Status.CLOSED and action != "note":
            raise DomainError("case_closed", gettext("This case is already closed."))
        subject_type = subject_type_get(case.subject_type)
        detail: dict[str, Any] = {"reason": reason} if reason else {}
        # Whose it is, asked first: removing some subjects (a draft) deletes them.
        owner = subject_type.owner(case.subject_id) if subject_type is not None and subject_type.owner else None
        if action in _VISIBILITY_AFTER:
            _subject_show(case, subject_type, _VISIBILITY_AFTER[action], reason, by)
        if action in _SANCTIONS:
            sanction = _sanction_create(case, owner, _SANCTIONS[action], reason, days)
            detail |= {"sanction": sanction.pk, "user": sanction.user_id, "days": days}
        if action == "resolve":
            detail["reports"] = case.reports.filter(resolved_at=None).count()
        if action == "escalate":
            case.status = ModerationCase.Status.ESCALATED
        ModerationEvent.objects.create(case=case, actor=by, action=action, detail=detail)
        if action in _SETTLING:
            _case_close(case)
        else:
            case.updated_at = timezone.now()
            case.save(update_fields=["status", "visibility", "updated_at"])
    return case


def _subject_show(
    case: ModerationCase, subject_type: SubjectType | None, visibility: str, reason: str, by: User
) -> None:
    """Set the subject's visibility through its type: `act` where it has one, otherwise approve and
    remove fall back to its `decide` (a held cameo), and hiding is not possible."""
    if subject_type is not None and subject_type.act is not None:
        subject_type.act(subject_id=case.subject_id, visibility=visibility, reason=reason, by=by)
    elif visibility == ModerationCase.Visibility.HIDDEN:
        raise DomainError(
            "moderation_cannot_hide", gettext("This kind of subject can't be hidden; remove or approve it.")
        )
    elif subject_type is not None:
        subject_type.decide(subject_id=case.subject_id, approve=visibility == ModerationCase.Visibility.VISIBLE, by=by)
    case.visibility = visibility


def _sanction_create(case: ModerationCase, owner: User | None, kind: str, reason: str, days: int | None) -> Sanction:
    if owner is None:
        raise DomainError("moderation_no_owner", gettext("This subject has no known owner to act on."))
    now = timezone.now()
    sanction = Sanction.objects.create(
        user=owner,
        case=case,
        kind=kind,
        reason=reason,
        created_at=now,
        ends_at=now + dt.timedelta(days=days) if kind == Sanction.Kind.SUSPEND and days else None,
    )
    # Lazy parts: notification_send writes the text in the owner's language.
    kind_words = lazy(lambda: sanction.get_kind_display().lower(), str)()
    ends_at = sanction.ends_at
    until = (
        format_lazy(gettext_lazy(" until {date}"), date=lazy(lambda: date_format(ends_at), str)()) if ends_at else ""
    )
    notification_send(
        recipient=owner,
        actor=None,
        kind="moderation_action",
        subject=f"sanction:{sanction.pk}",
        text=format_lazy(
            gettext_lazy(
                "A moderator acted on your {subject}: {kind}{until}. Reason: {reason}. "
                "You can appeal within {days} days."
            ),
            subject=SUBJECT_NOUNS.get(case.subject_type, case.subject_type),
            kind=kind_words,
            until=until,
            reason=reason,
            days=APPEAL_WINDOW.days,
        ),
    )
    return sanction


def account_standing_check(*, user: User) -> None:
    """Refuse creating, posting and commenting to a suspended or banned account (the reason and end date told)."""
    sanction = sanction_blocking(user)
    if sanction is None:
        return
    if sanction.ends_at is None:
        raise DomainError(
            "account_banned",
            gettext("Your account is banned from creating, posting and commenting. Reason: %(reason)s")
            % {"reason": sanction.reason},
            status=403,
        )
    raise DomainError(
        "account_suspended",
        gettext(
            "Your account is suspended until %(until)s UTC, so you can't create, post or comment until then. "
            "Reason: %(reason)s"
        )
        % {"until": f"{sanction.ends_at:%d %b %Y %H:%M}", "reason": sanction.reason},
        status=403,
    )


def appeal_create(*, sanction_id: int, by: User, text: str) -> Appeal:
    """`by` appeals an action on them: once per action, within `APPEAL_WINDOW`. The case goes back to
    the queue (reopened if it was closed)."""
    text = text.strip()[:1000]
    if not text:
        raise DomainError(
            "appeal_text_required", gettext("Tell the moderators why the action was wrong."), field="text"
        )
    with transaction.atomic():
        sanction = Sanction.objects.select_for_update().filter(pk=sanction_id, user=by).first()
        if sanction is None:
            raise DomainError("sanction_not_found", gettext("There is no such action on your account."), status=404)
        if Appeal.objects.filter(sanction=sanction).exists():
            raise DomainError(
                "appeal_exists", gettext("You already appealed this action. Each action can be appealed once.")
            )
        if sanction.lifted_at is not None:
            raise DomainError("sanction_lifted", gettext("This action was already lifted."))
        if timezone.now() - sanction.created_at > APPEAL_WINDOW:
            raise DomainError(
                "appeal_too_late",
                gettext("Actions can be appealed for %(days)d days; this one is older.") % {"days": APPEAL_WINDOW.days},
            )
        appeal = Appeal.objects.create(sanction=sanction, text=text)
        case = _case_locked(sanction.case_id)
        ModerationEvent.objects.create(
            case=case, actor=by, action="appealed", detail={"sanction": sanction.pk, "appeal": appeal.pk, "text": text}
        )
        if case.status == ModerationCase.Status.CLOSED:
            case.status = ModerationCase.Status.OPEN
        case.updated_at = timezone.now()
        case.save(update_fields=["status", "updated_at"])
    return appeal


def appeal_decide(*, appeal_id: int, by: User, uphold: bool, reason: str = "") -> Appeal:
    """A moderator upholds an appeal (the action is reversed: the subject shown again, the strike,
    suspension or ban lifted) or denies it. The person is told; the case closes when no appeal is left."""
    moderator_check(by)
    reason = reason.strip()[:300]
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().filter(pk=appeal_id).select_related("sanction__user").first()
        if appeal is None:
            raise DomainError("appeal_not_found", gettext("No such appeal."), status=404)
        if appeal.status != Appeal.Status.PENDING:
            raise DomainError("appeal_decided", gettext("This appeal is already decided."))
        sanction = appeal.sanction
        case = _case_locked(sanction.case_id)
        if uphold:
            if sanction.kind in (Sanction.Kind.HIDE, Sanction.Kind.REMOVE):
                visible = ModerationCase.Visibility.VISIBLE
                _subject_show(case, subject_type_get(case.subject_type), visible, reason or "appeal upheld", by)
            sanction.lifted_at = timezone.now()
            sanction.save(update_fields=["lifted_at"])
        appeal.status = Appeal.Status.UPHELD if uphold else Appeal.Status.DENIED
        appeal.save(update_fields=["status"])
        ModerationEvent.objects.create(
            case=case,
            actor=by,
            action="appeal_upheld" if uphold else "appeal_denied",
            detail={"appeal": appeal.pk, "sanction": sanction.pk, "reason": reason},
        )
        if Appeal.objects.filter(sanction__case=case, status=Appeal.Status.PENDING).exists():
            case.updated_at = timezone.now()
            case.save(update_fields=["visibility", "updated_at"])
        else:
            _case_close(case)
        outcome = (
            gettext_lazy("Your appeal against {kind} was upheld: the action was reversed.{reason}")
            if uphold
            else gettext_lazy("Your appeal against {kind} was denied: the action stays.{reason}")
        )
        notification_send(
            recipient=sanction.user,
            actor=None,
            kind="moderation_appeal",
            subject=f"sanction:{sanction.pk}",
            text=format_lazy(
                outcome,
                kind=lazy(lambda: sanction.get_kind_display().lower(), str)(),
                reason=f" {reason}" if reason else "",
            ),
        )
    return appeal
