"""Steering and well-being settings, from the feed's "Tune" sheet (plain forms: the feed reloads ranked anew)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_POST

from feed.accounts.selectors import signed_in_user
from feed.ranking import services, wellbeing
from sora_site.errors import DomainError
from sora_site.fields import int_field


@login_required
@require_POST
def steering(request: HttpRequest) -> HttpResponse:
    try:
        chips = services.steering_apply(user=signed_in_user(request), text=request.POST.get("text", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            gettext("Feed tuned: %(chips)s.")
            % {"chips": pgettext("between items of a list", ", ").join(chip.label for chip in chips)},
        )
    return redirect("home")


@login_required
@require_POST
def steering_remove(request: HttpRequest) -> HttpResponse:
    services.steering_chip_remove(user=signed_in_user(request), topic=request.POST.get("topic", ""))
    return redirect("home")


@login_required
@require_POST
def limits(request: HttpRequest) -> HttpResponse:
    # A person's own limits may only be lower than the teen defaults (`wellbeing.limits_for`).
    try:
        wellbeing.limits_update(
            user=signed_in_user(request),
            limits_on=request.POST.get("limits_on") == "on",
            daily_cap=int_field(
                request.POST.get("daily_cap"),
                name="daily_cap",
                minimum=1,
                maximum=settings.FEED_TEEN_DAILY_CAP,
                default=None,
            ),
            break_after=int_field(
                request.POST.get("break_after"),
                name="break_after",
                minimum=1,
                maximum=settings.FEED_TEEN_BREAK_AFTER,
                default=None,
            ),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("Well-being limits saved."))
    return redirect("home")
