"""Reads for moderation: who is a moderator, open cases, the queue page, sanctions and appeals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from feed.accounts.models import User
from moderation.models import Appeal, CaseFrame, ModerationCase, ModerationEvent, Report, Sanction
from moderation.registry import SubjectType, subject_type_get
from sora_site.errors import DomainError


def user_is_moderator(user: User | AnonymousUser) -> bool:
    """Moderators and superusers. `services.moderator_check` enforces it; templates ask it through
    the `can_moderate` filter."""
    return isinstance(user, User) and (user.is_moderator or user.is_superuser)


def subjects_reported_by(user: User, subject_type: str) -> list[str]:
    """Ids (as stored) of the subjects of this type that `user` reported: hidden from them."""
    return list(Report.objects.filter(reporter=user, subject_type=subject_type).values_list("subject_id", flat=True))


APPEAL_WINDOW = dt.timedelta(days=30)

# Which subjects can be reported, and where "my likeness was used without consent" fits: what shows a
# video or a face (on a profile it means "this account pretends to be me").
REPORT_SUBJECTS = ("post", "comment", "profile", "cameo_use")
LIKENESS_SUBJECTS = ("post", "cameo_use", "profile")
_LIKENESS_ON_PROFILE = gettext_lazy("They are pretending to be me (my name or face)")


def report_categories(subject_type: str) -> list[tuple[str, str]]:
    """The report categories offered for this kind of subject, as (value, label) for a form."""
    choices = []
    for value, label in Report.Category.choices:
        if value == Report.Category.LIKENESS:
            if subject_type not in LIKENESS_SUBJECTS:
                continue
            label = _LIKENESS_ON_PROFILE if subject_type == "profile" else label
        choices.append((value, str(label)))
    return choices


@dataclass(frozen=True)
class QueueFilter:
    stage: str = ""  # a ModerationCase.Stage, or "" for all
    category: str = ""  # a ModerationCase.Category, or ""
    appealed: bool = False  # only cases with an appeal waiting


def cases_open(limit: int = 100, queue_filter: QueueFilter | None = None) -> list[ModerationCase]:
    """Open and escalated cases, most severe first and then oldest, with their events (and who acted)
    and sanctions (with appeals) prefetched."""
    queue_filter = queue_filter or QueueFilter()
    cases = ModerationCase.objects.exclude(status=ModerationCase.Status.CLOSED)
    if queue_filter.stage:
        cases = cases.filter(stage=queue_filter.stage)
    if queue_filter.category:
        cases = cases.filter(category=queue_filter.category)
    if queue_filter.appealed:
        cases = cases.filter(sanctions__appeal__status=Appeal.Status.PENDING).distinct()
    cases = cases.order_by("-severity", "created_at").prefetch_related("events__actor", "sanctions__appeal")
    return list(cases[:limit])


def sanction_blocking(user: User) -> Sanction | None:
    """The suspension or ban that stops `user` creating and posting now (a ban first), if any."""
    now = timezone.now()
    active = Sanction.objects.filter(
        user=user, lifted_at=None, kind__in=[Sanction.Kind.SUSPEND, Sanction.Kind.BAN]
    ).filter(Q(kind=Sanction.Kind.BAN) | Q(ends_at__gt=now))
    return active.order_by(F("ends_at").desc(nulls_first=True)).first()


def sanction_for_appeal(sanction_id: int, user: User) -> Sanction:
    """One of `user`'s sanctions, with its appeal if any (the appeal page)."""
    sanction = Sanction.objects.filter(pk=sanction_id, user=user).select_related("case").first()
    if sanction is None:
        raise DomainError("sanction_not_found", gettext("There is no such action on your account."), status=404)
    return sanction


def sanction_appealable(sanction: Sanction) -> bool:
    return (
        sanction.lifted_at is None
        and not Appeal.objects.filter(sanction=sanction).exists()
        and timezone.now() - sanction.created_at <= APPEAL_WINDOW
    )


def sanctions_on_subject(subject_type: str, subject_id: str, user: User) -> list[Sanction]:
    """`user`'s sanctions about this subject, newest first (their post page links to the appeal)."""
    sanctions = Sanction.objects.filter(case__subject_type=subject_type, case__subject_id=subject_id, user=user)
    return list(sanctions.order_by("-created_at"))


def cases_exist(subject_type: str, subject_id: str) -> bool:
    """Whether any case (open or closed) was ever opened on this subject."""
    return ModerationCase.objects.filter(subject_type=subject_type, subject_id=subject_id).exists()


def case_get(case_id: int) -> ModerationCase:
    case = ModerationCase.objects.filter(pk=case_id).prefetch_related("events__actor").first()
    if case is None:
        raise DomainError("case_not_found", gettext("No such case."), status=404)
    return case


@dataclass(frozen=True)
class QueueRow:
    case: ModerationCase
    subject_type: SubjectType | None  # None: nobody registered this type; shown by its summary
    subject: object | None  # None: unregistered type, or the subject no longer exists

    # Templates call callables, so they ask these instead of the type's callbacks.
    @property
    def can_hide(self) -> bool:
        return self.subject_type is not None and self.subject_type.hideable

    @property
    def has_owner(self) -> bool:
        return self.subject_type is not None and self.subject_type.owner is not None

    @property
    def pending_appeals(self) -> list[Appeal]:
        appeals = (getattr(sanction, "appeal", None) for sanction in self.case.sanctions.all())
        return [appeal for appeal in appeals if appeal is not None and appeal.status == Appeal.Status.PENDING]


def queue_rows(limit: int = 100, queue_filter: QueueFilter | None = None) -> list[QueueRow]:
    """The open cases with their subjects, loaded with one call per subject type."""
    cases = cases_open(limit, queue_filter)
    ids: defaultdict[str, list[str]] = defaultdict(list)
    for case in cases:
        ids[case.subject_type].append(case.subject_id)
    types = {name: subject_type_get(name) for name in ids}
    loaded: dict[str, Mapping[str, object]] = {
        name: subject_type.load(ids[name]) for name, subject_type in types.items() if subject_type is not None
    }
    return [
        QueueRow(
            case=case,
            subject_type=types[case.subject_type],
            subject=loaded.get(case.subject_type, {}).get(case.subject_id),
        )
        for case in cases
    ]


# Keys of an automatic event's detail that are a classifier's or matcher's output (the item page's scores).
_SCORE_KEYS = ("scores", "score", "distance", "finding", "kind", "code", "category", "reason", "sampled", "frames")


@dataclass(frozen=True)
class ReporterRecord:
    """How much a reporter's word has weighed so far: their reports, how many were upheld (the subject
    hidden or removed, or its owner sanctioned) or dismissed, and how old their account is."""

    report: Report
    filed: int
    upheld: int
    dismissed: int
    account_days: int


@dataclass(frozen=True)
class OwnerStanding:
    owner: User
    sanctions: list[Sanction]  # all of theirs, newest first, with appeals
    strikes: int  # strikes not lifted
    blocking: Sanction | None  # the suspension or ban in force now


@dataclass(frozen=True)
class CasePage(QueueRow):
    """Everything a moderator sees on one case's item page."""

    frames: list[CaseFrame]
    history: list[ModerationEvent]  # every event on this subject (all its cases), newest first
    scores: list[ModerationEvent]  # the automatic decisions, with their scores
    reporters: list[ReporterRecord]
    standing: OwnerStanding | None


def case_page(case_id: int) -> CasePage:
    case = ModerationCase.objects.filter(pk=case_id).prefetch_related("sanctions__appeal", "frames").first()
    if case is None:
        raise DomainError("case_not_found", gettext("No such case."), status=404)
    subject_type = subject_type_get(case.subject_type)
    subject = subject_type.load([case.subject_id]).get(case.subject_id) if subject_type is not None else None
    history = list(
        ModerationEvent.objects.filter(case__subject_type=case.subject_type, case__subject_id=case.subject_id)
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
    scores = [event for event in history if event.actor_id is None and any(key in event.detail for key in _SCORE_KEYS)]
    owner = subject_type.owner(case.subject_id) if subject_type is not None and subject_type.owner else None
    return CasePage(
        case=case,
        subject_type=subject_type,
        subject=subject,
        frames=list(case.frames.all()),
        history=history,
        scores=scores,
        reporters=_reporter_records(case),
        standing=_owner_standing(owner) if owner is not None else None,
    )


def _reporter_records(case: ModerationCase) -> list[ReporterRecord]:
    reports = list(
        Report.objects.filter(subject_type=case.subject_type, subject_id=case.subject_id)
        .select_related("reporter")
        .order_by("-created_at")
    )
    settled = Q(reports_made__resolved_at__isnull=False)
    upheld = settled & (
        Q(reports_made__case__visibility__in=[ModerationCase.Visibility.HIDDEN, ModerationCase.Visibility.REMOVED])
        | Q(reports_made__case__sanctions__isnull=False)
    )
    counts = {
        row["pk"]: row
        for row in User.objects.filter(pk__in={report.reporter_id for report in reports})
        .annotate(
            filed=Count("reports_made", distinct=True),
            settled=Count("reports_made", filter=settled, distinct=True),
            upheld=Count("reports_made", filter=upheld, distinct=True),
        )
        .values("pk", "filed", "settled", "upheld")
    }
    now = timezone.now()
    return [
        ReporterRecord(
            report=report,
            filed=counts[report.reporter_id]["filed"],
            upheld=counts[report.reporter_id]["upheld"],
            dismissed=counts[report.reporter_id]["settled"] - counts[report.reporter_id]["upheld"],
            account_days=(now - report.reporter.date_joined).days,
        )
        for report in reports
    ]


def _owner_standing(owner: User) -> OwnerStanding:
    sanctions = list(Sanction.objects.filter(user=owner).select_related("case", "appeal").order_by("-created_at"))
    strikes = sum(1 for s in sanctions if s.kind == Sanction.Kind.STRIKE and s.lifted_at is None)
    return OwnerStanding(owner=owner, sanctions=sanctions, strikes=strikes, blocking=sanction_blocking(owner))
