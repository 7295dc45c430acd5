"""Settings pages for developers: API keys (/settings/api-keys/) and webhooks (/settings/webhooks/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from feed.accounts.selectors import signed_in_user
from generation.api import keys, selectors
from generation.api.webhooks import endpoints, events
from generation.models import ApiKey, WebhookEndpoint
from sora_site.errors import DomainError
from sora_site.fields import int_field


@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    me = signed_in_user(request)
    context: dict[str, object] = {"keys": ApiKey.objects.filter(owner=me)}
    if request.method == "POST":
        try:
            key, raw = keys.api_key_create(
                owner=me,
                name=request.POST.get("name", ""),
                expires_in_days=int_field(
                    request.POST.get("expires_in_days"),
                    name="expires_in_days",
                    minimum=1,
                    maximum=keys.KEY_EXPIRY_DAYS_MAX,
                    default=None,
                ),
            )
        except DomainError as error:
            context["error"] = error
            return render(request, "generation/api_keys.html", context, status=error.status)
        context["new_key"], context["new_raw"] = key, raw  # shown this once; only the hash is kept
    return render(request, "generation/api_keys.html", context)


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    me = signed_in_user(request)
    keys.api_key_revoke(key=get_object_or_404(ApiKey, public_id=public_id, owner=me), by=me)
    messages.info(request, gettext("Key revoked. Requests with it are refused from now on."))
    return redirect("api_keys")


@login_required
def webhook_settings(request: HttpRequest) -> HttpResponse:
    me = signed_in_user(request)
    context: dict[str, object] = {}
    status = 200
    if request.method == "POST":
        try:
            context["new_endpoint"] = endpoints.webhook_endpoint_create(owner=me, url=request.POST.get("url", ""))
        except DomainError as error:
            context["error"], status = error, error.status
    context |= {"endpoints": WebhookEndpoint.objects.filter(owner=me), "deliveries": selectors.deliveries_of(me)}
    return render(request, "generation/webhooks.html", context, status=status)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    me = signed_in_user(request)
    endpoints.webhook_endpoint_delete(endpoint=get_object_or_404(WebhookEndpoint, public_id=public_id, owner=me), by=me)
    messages.info(request, gettext("Webhook endpoint removed."))
    return redirect("webhooks")


@login_required
@require_POST
def webhook_test(request: HttpRequest) -> HttpResponse:
    sent = events.test_event_send(owner=signed_in_user(request))
    messages.success(
        request,
        ngettext(
            "Test event queued for %(count)d endpoint. Reload to see how it went.",
            "Test event queued for %(count)d endpoints. Reload to see how it went.",
            len(sent),
        )
        % {"count": len(sent)},
    )
    return redirect("webhooks")
