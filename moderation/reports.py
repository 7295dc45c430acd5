"""Reports: anyone flags a post, comment, profile or cameo; each report joins its subject's open case."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from feed.accounts.models import User
from feed.graph.services import block_create
from moderation.cases import subject_visibility_last
from moderation.models import ModerationCase, ModerationEvent, Report
from moderation.registry import subject_type_get
from moderation.sanctions import SUBJECT_NOUNS
from moderation.selectors import LIKENESS_SUBJECTS, REPORT_SUBJECTS
from sora_site.errors import DomainError
from sora_site.fields import float_field
from sora_site.texts import sentence, sentence_columns

# A reported subject's case, as moderators read it (in their language).
REPORTED = sentence("case_reported", gettext_lazy("Reported {subject} {id}: {category}"))

REPORT_SECONDS_MAX = 3600.0  # a reported time range lies within the video: an hour is past any video made here
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
            said = REPORTED(
                subject=SUBJECT_NOUNS.get(subject_type, subject_type),
                id=subject_id,
                category=Report.Category(category).label,
            )
            english, stored = sentence_columns(said, 300)
            case = ModerationCase.objects.create(
                subject_type=subject_type,
                subject_id=subject_id,
                category=ModerationCase.Category.REPORTED,
                summary=english,
                summary_sentence=stored,
                visibility=subject_visibility_last(subject_type=subject_type, subject_id=subject_id),
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
