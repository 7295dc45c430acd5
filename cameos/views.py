from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from cameos import selectors
from cameos.models import Cameo, CameoAccess, CameoPortrait, PublicFigure, PublicFigureRequest
from cameos.services import access as access_services
from cameos.services import characters, figure_requests, ledger, photos, recording
from cameos.services import public_figures as registry
from feed.accounts.selectors import signed_in_user, user_get_by_handle
from feed.notifications.selectors import notifications_for
from moderation.cases import moderator_check
from sora_site.bodies import body_limit
from sora_site.errors import DomainError
from sora_site.ratelimit import client_key, rate_limit_check


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    cameos = list(selectors.cameos_of(user))
    context = {
        "human": next((c for c in cameos if c.is_human), None),
        "characters": [c for c in cameos if not c.is_human],
        "notifications": notifications_for(user, subject_prefix="cameo:"),
        "usable": [c for c in selectors.cameos_usable_by(user, limit=24) if c.owner_id != user.pk],
    }
    return render(request, "cameos/dashboard.html", context)


def consent(request: HttpRequest) -> HttpResponse:
    """What a cameo keeps of a face and a voice, why, for how long, who sees it, how to delete it:
    read before recording (linked from the record page and the deletion card). Open to anyone."""
    return render(request, "cameos/consent.html", {"portraits_max": recording.PORTRAITS_KEPT})


@login_required
def record(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    cameo = recording.human_cameo_for(user)
    if cameo.status in (Cameo.Status.ACTIVE, Cameo.Status.IN_REVIEW):
        return redirect("cameo_detail", handle=cameo.handle)
    challenge = None if cameo.status in selectors.BUSY else recording.challenge_issue(owner=user)
    context = {"cameo": cameo, "challenge": challenge, "max_mb": recording.RECORDING_MAX_BYTES // 2**20}
    return render(request, "cameos/record.html", context)


@body_limit(lambda: recording.RECORDING_MAX_BYTES, code="recording_too_large")
@login_required
@require_POST
def upload(request: HttpRequest) -> JsonResponse:
    user = signed_in_user(request)
    cameo = recording.recording_upload(
        owner=user,
        nonce=request.POST.get("nonce", ""),
        upload=request.FILES.get("recording"),
        keep_recording=request.POST.get("keep_recording") == "on",
        keep_voice_sample=request.POST.get("keep_voice_sample") == "on",
    )
    return JsonResponse(selectors.cameo_status_dict(cameo), status=202)


@login_required
def status(request: HttpRequest, handle: str) -> JsonResponse:
    user = signed_in_user(request)
    return JsonResponse(selectors.cameo_status_dict(selectors.cameo_get_for_viewer(handle, user, to="manage")))


@body_limit(lambda: photos.PHOTO_MAX_BYTES * characters.CHARACTER_PHOTOS[1])
@login_required
def character_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    context: dict[str, object] = {"kinds": [k for k in Cameo.Kind if k != Cameo.Kind.HUMAN], "values": request.POST}
    if request.method == "POST":
        try:
            cameo = characters.character_create(
                owner=user,
                handle=request.POST.get("handle", ""),
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", ""),
                photos=request.FILES.getlist("photos"),
            )
        except DomainError as error:
            context["error"] = error
            return render(request, "cameos/character_new.html", context, status=error.status)
        messages.success(request, gettext("@%(handle)s is ready. Choose who may use it.") % {"handle": cameo.handle})
        return redirect("cameo_detail", handle=cameo.handle)
    return render(request, "cameos/character_new.html", context)


@login_required
def detail(request: HttpRequest, handle: str) -> HttpResponse:
    user = signed_in_user(request)
    cameo = selectors.cameo_get_for_viewer(handle, user)
    if cameo.owner_id != user.pk:
        standing = selectors.cameo_standing(user, cameo)
        return render(request, "cameos/public.html", {"cameo": cameo, "standing": standing})
    context = {
        "cameo": cameo,
        "access_levels": Cameo.Access.choices,
        "effective_access": selectors.effective_access(cameo),
        "portraits": cameo.portraits.all(),
        "requested": selectors.access_entries(cameo, CameoAccess.State.REQUESTED),
        "approved": selectors.access_entries(cameo, CameoAccess.State.APPROVED),
        "revoked": selectors.access_entries(cameo, CameoAccess.State.REVOKED),
        "usages": selectors.usages_of(cameo)[:100],
    }
    return render(request, "cameos/detail.html", context)


@login_required
def portrait(request: HttpRequest, handle: str, portrait_id: int) -> FileResponse:
    """Portrait crops are biometric: their owner and moderators only, never a public media URL. A cameo
    held because its face matches someone else's shows that person: moderators only."""
    user = signed_in_user(request)
    cameo = selectors.cameo_get_for_viewer(handle, user, to="portraits")
    try:
        item = cameo.portraits.get(pk=portrait_id)
    except CameoPortrait.DoesNotExist:
        raise DomainError("portrait_not_found", gettext("No such picture."), status=404) from None
    response = FileResponse(item.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def settings_update(request: HttpRequest, handle: str) -> HttpResponse:
    user = signed_in_user(request)
    cameo = selectors.cameo_get_for_viewer(handle, user, to="manage")
    notices = access_services.cameo_settings_update(
        cameo=cameo,
        by=user,
        access=request.POST.get("access", ""),
        preferences=request.POST.get("preferences", ""),
        restrictions_text=request.POST.get("restrictions", ""),
    )
    for notice in notices:
        messages.info(request, notice)
    messages.success(request, gettext("Saved."))
    return redirect("cameo_detail", handle=cameo.handle)


@login_required
@require_POST
def pause(request: HttpRequest, handle: str) -> HttpResponse:
    user = signed_in_user(request)
    cameo = selectors.cameo_get_for_viewer(handle, user, to="manage")
    access_services.cameo_pause(cameo=cameo, by=user, paused=request.POST.get("paused") == "1")
    messages.success(
        request, gettext("Paused: nobody else can use it.") if cameo.is_paused else gettext("Your cameo is on again.")
    )
    return redirect("cameo_detail", handle=cameo.handle)


@login_required
@require_POST
def voice_sample_stop(request: HttpRequest, handle: str) -> HttpResponse:
    user = signed_in_user(request)
    cameo = selectors.cameo_get_for_viewer(handle, user, to="manage")
    access_services.cameo_voice_sample_stop(cameo=cameo, by=user)
    messages.success(request, gettext("Your voice sample is deleted. Your lines are spoken by a synthetic voice."))
    return redirect("cameo_detail", handle=cameo.handle)


@login_required
@require_POST
def access(request: HttpRequest, handle: str, username: str, action: str) -> HttpResponse:
    owner = signed_in_user(request)
    cameo = selectors.cameo_get_for_viewer(handle, owner, to="manage")
    person = user_get_by_handle(username)
    if action == "approve":
        access_services.cameo_approve_access(cameo=cameo, by=owner, user=person)
        messages.success(
            request, gettext("@%(person)s can use @%(cameo)s.") % {"person": person.username, "cameo": cameo.handle}
        )
    elif action == "revoke":
        stopped = access_services.cameo_revoke_access(cameo=cameo, by=owner, user=person)
        text = gettext("@%(person)s can no longer use @%(cameo)s.") % {"person": person.username, "cameo": cameo.handle}
        if stopped:
            text += " " + ngettext(
                "%(count)d video in progress was stopped.", "%(count)d videos in progress were stopped.", stopped
            ) % {"count": stopped}
        messages.success(request, text)
    elif action == "allow":
        access_services.cameo_allow_again(cameo=cameo, by=owner, user=person)
        messages.success(
            request,
            gettext("@%(person)s is no longer blocked from @%(cameo)s.")
            % {"person": person.username, "cameo": cameo.handle},
        )
    else:
        raise DomainError("bad_action", gettext("Unknown action."), status=404)
    return redirect("cameo_detail", handle=cameo.handle)


@login_required
@require_POST
def request_access(request: HttpRequest, handle: str) -> HttpResponse:
    user = signed_in_user(request)
    cameo = selectors.cameo_get_for_viewer(handle, user)
    access_services.cameo_request_access(cameo=cameo, by=user)
    messages.success(
        request,
        gettext("Asked @%(owner)s. You'll be able to use @%(cameo)s once they approve.")
        % {"owner": cameo.owner.username, "cameo": cameo.handle},
    )
    # Asked from the owner's profile: back there, not to the cameo page.
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("cameo_detail", handle=cameo.handle)


@login_required
@require_POST
def usage_remove(request: HttpRequest, handle: str, usage_id: int) -> HttpResponse:
    user = signed_in_user(request)
    cameo = selectors.cameo_get_for_viewer(handle, user, to="manage")
    done = ledger.usage_remove(cameo=cameo, by=user, usage_id=usage_id)
    text = {
        "taken_down": gettext("The post was taken down."),
        "stopped": gettext("The video was stopped."),
        "deleted": gettext("The draft was deleted."),
    }
    messages.success(request, text[done])
    return redirect("cameo_detail", handle=cameo.handle)


@login_required
@require_POST
def usage_report(request: HttpRequest, handle: str, usage_id: int) -> HttpResponse:
    user = signed_in_user(request)
    cameo = selectors.cameo_get_for_viewer(handle, user, to="manage")
    ledger.usage_report(cameo=cameo, by=user, usage_id=usage_id, note=request.POST.get("note", ""))
    messages.success(request, gettext("Reported. A moderator will look at it."))
    return redirect("cameo_detail", handle=cameo.handle)


@login_required
@require_POST
def delete(request: HttpRequest, handle: str) -> HttpResponse:
    user = signed_in_user(request)
    cameo = selectors.cameo_get_for_viewer(handle, user, to="manage")
    if request.POST.get("confirm", "").strip().lstrip("@").lower() != cameo.handle:
        messages.error(request, gettext("Type %(handle)s to confirm.") % {"handle": cameo.handle})
        return redirect("cameo_detail", handle=cameo.handle)
    done = ledger.cameo_delete(cameo=cameo, by=user)
    messages.success(
        request,
        gettext(
            "@%(handle)s was deleted with all its recordings, face and voice data. Drafts deleted: %(deleted)d. "
            "Posts taken down: %(taken_down)d. Videos stopped: %(stopped)d."
        )
        % {"handle": cameo.handle, **done},
    )
    return redirect("cameos")


@login_required
def mentions(request: HttpRequest) -> JsonResponse:
    user = signed_in_user(request)
    query = request.GET.get("q", "").lstrip("@")[:30]
    found = selectors.cameos_usable_by(user, query=query)
    return JsonResponse(
        {"results": [{"handle": c.handle, "name": c.name or c.owner.name, "kind": c.get_kind_display()} for c in found]}
    )


@body_limit(lambda: photos.PHOTO_MAX_BYTES * characters.CHARACTER_PHOTOS[1])
@login_required
def public_figures(request: HttpRequest) -> HttpResponse:
    """Moderators: the public-figure registry (prompts naming or describing one are refused; new cameos
    whose face matches one's photo are held for review)."""
    user = signed_in_user(request)
    moderator_check(user)
    context: dict[str, object] = {"values": request.POST}
    if request.method == "POST":
        try:
            figure = registry.public_figure_create(
                by=user,
                name=request.POST.get("name", ""),
                notes=request.POST.get("notes", ""),
                aliases=request.POST.get("aliases", "").splitlines(),
                descriptions=request.POST.get("descriptions", "").splitlines(),
                deceased=request.POST.get("deceased") == "on",
                photos=request.FILES.getlist("photos"),
            )
        except DomainError as error:
            context["error"] = error
        else:
            messages.success(request, gettext("%(name)s added to the public-figure registry.") % {"name": figure.name})
            return redirect("public_figures")
    context["figures"] = PublicFigure.objects.prefetch_related("photos").order_by("kind", "name")
    return render(request, "cameos/public_figures.html", context, status=400 if "error" in context else 200)


@body_limit(lambda: photos.PHOTO_MAX_BYTES + 64 * 1024)
def public_figure_request(request: HttpRequest) -> HttpResponse:
    """Anyone (the person, their representative, or an estate for someone who died) asks for a name to
    be added to the registry; moderators decide in their queue. Rate-limited per client."""
    context: dict[str, object] = {"values": request.POST, "relations": PublicFigureRequest.Relation.choices}
    if request.method == "POST":
        try:
            rate_limit_check(
                "figure_request",
                client_key(request),
                limit=settings.FIGURE_REQUESTS_PER_HOUR,
                window_s=3600,
                message=gettext("Too many requests from your network. Try again in %(seconds)d s."),
            )
            figure_requests.public_figure_request_create(
                name=request.POST.get("name", ""),
                aliases=request.POST.get("aliases", "").splitlines(),
                descriptions=request.POST.get("descriptions", "").splitlines(),
                deceased=request.POST.get("deceased") == "on",
                requester_name=request.POST.get("requester_name", ""),
                relation=request.POST.get("relation", ""),
                contact=request.POST.get("contact", ""),
                photo=request.FILES.get("photo"),
            )
        except DomainError as error:
            context["error"] = error
            return render(request, "cameos/public_figure_request.html", context, status=error.status)
        return render(request, "cameos/public_figure_request.html", {"sent": True})
    return render(request, "cameos/public_figure_request.html", context)


@login_required
@require_POST
def public_figure_remove(request: HttpRequest, figure_id: int) -> HttpResponse:
    name = registry.public_figure_delete(by=signed_in_user(request), figure_id=figure_id)
    messages.success(request, gettext("%(name)s removed from the public-figure registry.") % {"name": name})
    return redirect("public_figures")
