from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from feed.accounts.selectors import signed_in_user
from moderation import selectors, services


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Moderators: open cases (held cameos, reports...), each with its history and subject."""
    services.moderator_check(signed_in_user(request))
    return render(request, "moderation/queue.html", {"rows": selectors.queue_rows()})


@login_required
@require_POST
def case_decide(request: HttpRequest, case_id: int) -> HttpResponse:
    services.case_decide(case_id=case_id, by=signed_in_user(request), approve=request.POST.get("decision") == "approve")
    messages.success(request, "Decision recorded.")
    return redirect("moderation_queue")
