"""Writes for moderation: the one moderator check, opening cases and deciding them.

Every decision is an append-only `ModerationEvent`, written in the same transaction as the case's
status. What a decision does to the subject itself belongs to the app that owns it (see `registry`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from feed.accounts.models import User
from moderation.models import ModerationCase, ModerationEvent
from moderation.registry import subject_type_get
from moderation.selectors import user_is_moderator
from sora_site.errors import DomainError


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
