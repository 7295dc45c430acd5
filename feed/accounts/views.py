from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from feed.accounts import services
from feed.accounts.forms import ProfileForm, SignUpForm
from feed.accounts.selectors import signed_in_user
from sora_site.bodies import body_limit
from sora_site.errors import DomainError
from sora_site.ratelimit import client_key, rate_limit_check
from sora_site.timezones import TIME_ZONE_COOKIE, time_zone_names


def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            rate_limit_check(
                "signup",
                client_key(request),
                limit=settings.SIGNUP_PER_HOUR,
                window_s=3600,
                message=_("Too many sign-ups from your network. Try again in %(seconds)d s."),
            )
        except DomainError as error:
            form.add_error(None, error.message)
            return render(request, "feed/sign_up.html", {"form": form}, status=error.status)
        if form.is_valid():
            try:
                user = services.user_sign_up(
                    **form.cleaned_data,
                    browser_language=translation.get_language() or "",
                    time_zone=request.COOKIES.get(TIME_ZONE_COOKIE, ""),
                )
            except DomainError as error:
                form.add_error(error.field, error.message)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome, @%(handle)s!") % {"handle": user.username})
                return redirect("profile", handle=user.username)
        status = 400
    return render(request, "feed/sign_up.html", {"form": form}, status=status)


@body_limit(lambda: settings.AVATAR_MAX_BYTES)
@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    initial = {
        "display_name": user.display_name,
        "bio": user.bio,
        "language": user.language,
        "time_zone": user.time_zone,
    }
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.profile_update(user=user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field, error.message)
            else:
                # Say "saved" in the language just chosen.
                translation.activate(user.language or translation.get_language_from_request(request))
                messages.success(request, _("Profile saved."))
                return redirect("profile", handle=user.username)
        status = 400
    return render(request, "feed/profile_edit.html", {"form": form, "time_zones": time_zone_names()}, status=status)
