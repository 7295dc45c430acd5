from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from feed.accounts.selectors import signed_in_user, user_get_by_handle
from feed.graph import selectors, services


@login_required
@require_POST
def follow_toggle(request: HttpRequest, handle: str) -> HttpResponse:
    me, person = signed_in_user(request), user_get_by_handle(handle)
    if selectors.is_following(me, person):
        services.follow_delete(follower=me, followee=person)
    else:
        services.follow_create(follower=me, followee=person)
    context = {"person": person, "counts": selectors.profile_counts(person), **selectors.relationship(me, person)}
    if request.headers.get("HX-Request"):
        return render(request, "feed/_follow_controls.html", context)
    return redirect("profile", handle=person.username)


@login_required
@require_POST
def block_toggle(request: HttpRequest, handle: str) -> HttpResponse:
    me, person = signed_in_user(request), user_get_by_handle(handle)
    if selectors.relationship(me, person)["i_block"]:
        services.block_delete(blocker=me, blocked=person)
        messages.info(request, gettext("You unblocked @%(handle)s.") % {"handle": person.username})
    else:
        services.block_create(blocker=me, blocked=person)
        messages.info(
            request,
            gettext("You blocked @%(handle)s. Neither of you will see the other.") % {"handle": person.username},
        )
    return redirect("profile", handle=person.username)
