"""Writes for moderation: the text checks of stage 1, the one moderator check, opening cases and deciding them.

Every decision is an append-only `ModerationEvent`, written in the same transaction as the case's
status. What a decision does to the subject itself belongs to the app that owns it (see `registry`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from feed.accounts.models import User
from moderation.models import CaseFrame, ModerationCase, ModerationEvent, Report
from moderation.policy import Audience, policy_load, text_verdict
from moderation.registry import subject_type_get
from moderation.selectors import user_is_moderator
from sora_site import japanese
from sora_site.errors import DomainError

PROMPT_SURFACES = ("prompt", "storyboard", "remix")
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
    """Stage 1: refuse `text` if the policy (moderation/policy.toml) does, for this person and surface.

    `surface` is one of prompt, storyboard, remix (code `prompt_blocked`), caption or comment
    (`text_blocked`). Stricter for teens and when the video uses a real person's cameo. The person is
    told the category and how to rephrase; the scores go to the moderation log only.
    """
    audience = Audience(surface=surface, is_teen=bool(user and user.is_teen), uses_cameo=uses_cameo)
    verdict = text_verdict(text, audience)
    if verdict.category is None:
        return
    category = policy_load().categories[verdict.category]
    ModerationEvent.objects.create(
        about_user=user,
        action="text_refused",
        detail={
            "stage": "prompt",
            "surface": surface,
            "category": verdict.category,
            "reason": verdict.reason,
            "scores": verdict.scores,
            "text": text[:1000],
        },
    )
    if japanese.has_japanese(text) and category.label_ja:
        # A Japanese text is answered in Japanese, whatever the interface language.
        noun = _NOUNS_JA.get(surface, "テキスト")
        message = f"この{noun}は使用できません：{category.label_ja}に該当するようです。{category.rephrase_ja}"
    else:
        noun = _NOUNS.get(surface, "text")
        message = f"This {noun} can't be used: it looks like {category.label}. {category.rephrase}"
    raise DomainError(
        "prompt_blocked" if surface in PROMPT_SURFACES else "text_blocked", message, field=field or surface
    )


# "My likeness was used without consent" fits only subjects that show a video or a face.
LIKENESS_SUBJECTS = ("post", "cameo_use", "profile")
REPORT_SUBJECTS = ("post", "comment", "profile", "cameo_use")


def report_create(
    *,
    reporter: User,
    subject_type: str,
    subject_id: str,
    category: str,
    note: str = "",
    start_s: float | None = None,
    end_s: float | None = None,
) -> Report:
    """File a report. It joins the subject's open case (or opens one); floods from one account are
    refused (`MODERATION_REPORTS_PER_HOUR`)."""
    if subject_type not in REPORT_SUBJECTS:
        raise DomainError("report_bad_subject", "That can't be reported.")
    if category not in Report.Category.values or (
        category == Report.Category.LIKENESS and subject_type not in LIKENESS_SUBJECTS
    ):
        raise DomainError("report_bad_category", "Choose what is wrong with it.", field="category")
    if start_s is not None and end_s is not None and not 0 <= start_s < end_s:
        raise DomainError("report_bad_range", "The time range should start before it ends.", field="start_s")
    since = timezone.now() - dt.timedelta(hours=1)
    if Report.objects.filter(reporter=reporter, created_at__gte=since).count() >= settings.MODERATION_REPORTS_PER_HOUR:
        raise DomainError(
            "report_rate_limited", "You have sent many reports in the last hour. Try again later.", status=429
        )
    with transaction.atomic():
        case = (
            ModerationCase.objects.select_for_update()
            .filter(subject_type=subject_type, subject_id=subject_id)
            .exclude(status=ModerationCase.Status.CLOSED)
            .first()
        )
        if case is None:
            case = ModerationCase.objects.create(
                subject_type=subject_type,
                subject_id=subject_id,
                category=ModerationCase.Category.REPORTED,
                summary=f"Reported {subject_type} {subject_id}: {Report.Category(category).label}",
            )
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
        case.save(update_fields=["updated_at"])
    return report


def moderator_check(user: User) -> None:
    """The one moderator check: every moderator view and service calls this."""
    if not user_is_moderator(user):
        raise DomainError("not_moderator", "Only moderators can do this.", status=403)


def case_open(
    *,
    subject_type: str,
    subject_id: str,
    category: str,
    summary: str,
    actor: User | None = None,
    action: str = "flagged",
    detail: dict[str, Any] | None = None,
) -> ModerationCase:
    """A new open case with its first event (`actor` None: an automatic flag)."""
    with transaction.atomic():
        case = ModerationCase.objects.create(
            subject_type=subject_type, subject_id=subject_id, category=category, summary=summary[:300]
        )
        ModerationEvent.objects.create(case=case, actor=actor, action=action, detail=detail or {})
    return case


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
        case = ModerationCase.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            raise DomainError("case_not_found", "No such case.", status=404)
        if case.status == ModerationCase.Status.CLOSED:
            raise DomainError("case_closed", "This case is already closed.")
        subject_type = subject_type_get(case.subject_type)
        if subject_type is not None:
            subject_type.decide(subject_id=case.subject_id, approve=approve, by=by)
        ModerationEvent.objects.create(case=case, actor=by, action="approved" if approve else "rejected")
        case.status, case.updated_at = ModerationCase.Status.CLOSED, timezone.now()
        case.save(update_fields=["status", "updated_at"])
    return case
