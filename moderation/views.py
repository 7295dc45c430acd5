from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from feed.accounts.selectors import signed_in_user
from moderation import appeals, cases, selectors
from moderation.models import ModerationCase
from moderation.sanctions import SUBJECT_NOUNS, SUSPEND_DAYS_MAX
from sora_site.errors import DomainError
from sora_site.fields import int_field


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Moderators: open cases (held cameos, reports, appeals...), most severe first, then oldest."""
    cases.moderator_check(signed_in_user(request))
    queue_filter = selectors.QueueFilter(
        stage=request.GET.get("stage", "") if request.GET.get("stage") in ModerationCase.Stage.values else "",
        category=request.GET.get("category", "")
        if request.GET.get("category") in ModerationCase.Category.values
        else "",
        appealed=request.GET.get("appealed") == "on",
    )
    context = {
        "rows": selectors.queue_rows(queue_filter=queue_filter),
        "filter": queue_filter,
        "stages": ModerationCase.Stage.choices,
        "categories": ModerationCase.Category.choices,
    }
    return render(request, "moderation/queue.html", context)


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """Moderators: one case with its subject, evidence frames, scores, history, reports and the owner's
    standing, and every action (each goes through `moderation.cases.case_act`)."""
    return _case_page(request, case_id)


def _case_page(request: HttpRequest, case_id: int, *, refused: DomainError | None = None) -> HttpResponse:
    """The item page; after a refused action, with the refusal and what the moderator typed kept."""
    cases.moderator_check(signed_in_user(request))
    context = {
        "page": selectors.case_page(case_id),
        "suspend_days_max": SUSPEND_DAYS_MAX,
        "refused": refused,
        "typed": request.POST if refused else {},
    }
    return render(request, "moderation/case.html", context, status=refused.status if refused else 200)


def _back(request: HttpRequest, case_id: int) -> HttpResponse:
    """Back to the case's item page when the action came from it, else to the queue."""
    if request.POST.get("back") == "case":
        return redirect("moderation_case", case_id=case_id)
    return redirect("moderation_queue")


@login_required
@require_POST
def case_act(request: HttpRequest, case_id: int) -> HttpResponse:
    """Every decision on a case, from the queue's quick buttons (approve, take_down) and the item page."""
    try:
        cases.case_act(
            case_id=case_id,
            by=signed_in_user(request),
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
            days=int_field(
                request.POST.get("days"),
                name="days",
                minimum=1,
                maximum=SUSPEND_DAYS_MAX,
                default=None,
                code="moderation_bad_days",
            ),
        )
    except DomainError as error:
        if error.status != 400:
            raise
        # A missing reason or bad days from the queue or the item page: back on the item page with the
        # refusal and what was typed, not a dead-end error page that loses the case.
        return _case_page(request, case_id, refused=error)
    messages.success(request, gettext("Action recorded."))
    return _back(request, case_id)


@login_required
@require_POST
def appeal_decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = appeals.appeal_decide(
        appeal_id=appeal_id,
        by=signed_in_user(request),
        uphold=request.POST.get("decision") == "uphold",
        reason=request.POST.get("reason", ""),
    )
    messages.success(request, gettext("Appeal decided."))
    return _back(request, appeal.sanction.case_id)


@login_required
def appeal(request: HttpRequest, sanction_id: int) -> HttpResponse:
    """The person an action concerns: what was done and why, and their one appeal."""
    me = signed_in_user(request)
    sanction = selectors.sanction_for_appeal(sanction_id, me)
    if request.method == "POST":
        appeals.appeal_create(sanction_id=sanction.pk, by=me, text=request.POST.get("text", ""))
        messages.success(request, gettext("Appeal sent. A moderator will look at it and you will be told."))
        return redirect("moderation_appeal", sanction_id=sanction.pk)
    context = {
        "sanction": sanction,
        "subject_noun": SUBJECT_NOUNS.get(sanction.case.subject_type, sanction.case.subject_type),
        "appealable": selectors.sanction_appealable(sanction),
    }
    return render(request, "moderation/appeal.html", context)
