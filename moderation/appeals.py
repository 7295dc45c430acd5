"""Appeals: the person a sanction concerns asks once for it to be reversed; a moderator upholds or
denies it, and they are told."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from feed.accounts.models import User
from feed.notifications.services import notification_send
from moderation.cases import case_close, case_locked, moderator_check, subject_show
from moderation.models import Appeal, ModerationCase, ModerationEvent, Sanction
from moderation.registry import subject_type_get
from moderation.sanctions import KIND_WORDS
from moderation.selectors import APPEAL_WINDOW
from sora_site.errors import DomainError
from sora_site.texts import sentence

# What its author is told of an appeal's outcome, with the moderator's note when there is one.
APPEAL_UPHELD = (
    sentence("appeal_upheld", gettext_lazy("Your appeal against {kind} was upheld: the action was reversed.")),
    sentence(
        "appeal_upheld_note",
        gettext_lazy("Your appeal against {kind} was upheld: the action was reversed. Moderator's note: {reason}"),
    ),
)
APPEAL_DENIED = (
    sentence("appeal_denied", gettext_lazy("Your appeal against {kind} was denied: the action stays.")),
    sentence(
        "appeal_denied_note",
        gettext_lazy("Your appeal against {kind} was denied: the action stays. Moderator's note: {reason}"),
    ),
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
        case = case_locked(sanction.case_id)
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
        case = case_locked(sanction.case_id)
        if uphold:
            if sanction.kind in (Sanction.Kind.HIDE, Sanction.Kind.REMOVE):
                visible = ModerationCase.Visibility.VISIBLE
                subject_show(case, subject_type_get(case.subject_type), visible, reason or "appeal upheld", by)
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
            case_close(case)
        outcome = (APPEAL_UPHELD if uphold else APPEAL_DENIED)[bool(reason)]
        notification_send(
            recipient=sanction.user,
            actor=None,
            kind="moderation_appeal",
            subject=f"sanction:{sanction.pk}",
            text=outcome(kind=KIND_WORDS[Sanction.Kind(sanction.kind)](), reason=reason),
        )
    return appeal
