"""Reads for moderation: who is a moderator, open cases, the queue page, sanctions and appeals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Q
from django.utils import timezone

from feed.accounts.models import User
from moderation.models import Appeal, ModerationCase, Report, Sanction
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
        raise DomainError("sanction_not_found", "There is no such action on your account.", status=404)
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


def case_get(case_id: int) -> ModerationCase:
    case = ModerationCase.objects.filter(pk=case_id).prefetch_related("events__actor").first()
    if case is None:
        raise DomainError("case_not_found", "No such case.", status=404)
    return case


@dataclass(frozen=True)
class QueueRow:
    case: ModerationCase
    subject_type: SubjectType | None  # None: nobody registered this type; shown by its summary
    subject: object | None  # None: unregistered type, or the subject no longer exists

    # Templates call callables, so they ask these instead of the type's callbacks.
    @property
    def can_hide(self) -> bool:
        return self.subject_type is not None and self.subject_type.act is not None

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
