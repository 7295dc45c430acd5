"""Reads for moderation: who is a moderator, open cases, and the queue page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from feed.accounts.models import User
from moderation.models import ModerationCase, Report
from moderation.registry import SubjectType, subject_type_get
from sora_site.errors import DomainError


def user_is_moderator(user: User | AnonymousUser) -> bool:
    """Moderators and superusers. `services.moderator_check` enforces it; templates ask it through
    the `can_moderate` filter."""
    return isinstance(user, User) and (user.is_moderator or user.is_superuser)


def subjects_reported_by(user: User, subject_type: str) -> list[str]:
    """Ids (as stored) of the subjects of this type that `user` reported: hidden from them."""
    return list(Report.objects.filter(reporter=user, subject_type=subject_type).values_list("subject_id", flat=True))


def cases_open(limit: int = 100) -> list[ModerationCase]:
    """Open and escalated cases, newest first, with their events (and who acted) prefetched."""
    cases = ModerationCase.objects.exclude(status=ModerationCase.Status.CLOSED)
    return list(cases.prefetch_related("events__actor")[:limit])


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


def queue_rows(limit: int = 100) -> list[QueueRow]:
    """The open cases with their subjects, loaded with one call per subject type."""
    cases = cases_open(limit)
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
