"""The project's 400, 403, 404 and 500 handlers (`handler400`... in `sora_site.urls`): the styled error
page, or the JSON envelope for API and JSON callers, like every other refusal (`DomainError`)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.utils.translation import gettext

from sora_site.bodies import body_too_large
from sora_site.errors import DomainError
from sora_site.middleware import domain_error_response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's refusals of a request it could not parse (SuspiciousOperation and its kin)."""
    if isinstance(exception, RequestDataTooBig):
        error = body_too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif isinstance(exception, TooManyFieldsSent):
        message = gettext("This form sends too many fields: at most %(count)d.")
        error = DomainError("too_many_fields", message % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS})
    elif isinstance(exception, TooManyFilesSent):
        message = gettext("This form sends too many files: at most %(count)d.")
        error = DomainError("too_many_files", message % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FILES})
    else:
        error = DomainError("bad_request", gettext("This request could not be read."))
    return domain_error_response(request, error)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return domain_error_response(request, DomainError("forbidden", gettext("You may not do that."), status=403))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return domain_error_response(request, DomainError("not_found", gettext("There is nothing here."), status=404))


def server_error(request: HttpRequest) -> HttpResponse:
    error = DomainError("server_error", gettext("Something went wrong on our side. Try again."), status=500)
    try:
        return domain_error_response(request, error)
    except Exception:  # the page itself needs the database or templates, which may be what failed
        return HttpResponseServerError(error.message, content_type="text/plain; charset=utf-8")
