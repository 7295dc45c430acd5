"""Log-in throttling with django-axes: failures are counted per handle and client address, and past
AXES_FAILURE_LIMIT the pair is locked out for AXES_COOLOFF_TIME, the right password included."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext


class LoginThrottleBackend(AxesStandaloneBackend):
    """axes' lock-out check on every log-in made through a request. `authenticate()` without one (the
    test client's `login()`, a shell) is no door a guesser can reach, so it is let through unchecked."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is not None:
            super().authenticate(request, username, password, **kwargs)


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the log-in page again, with the lock-out and its cool-off in words."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0
    message = gettext("Too many failed log-ins for this handle from your network. Try again in %(minutes)d min.") % {
        "minutes": minutes
    }
    form = AuthenticationForm(request, data=request.POST or None)
    return render(request, "feed/login.html", {"form": form, "locked_out": message}, status=429)
