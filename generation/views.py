from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from feed.accounts.models import User
from feed.accounts.selectors import signed_in_user
from generation import selectors, services, specs
from generation.events import job_as_dict
from generation.quotas import quota_of
from sora_site.bodies import body_limit
from sora_site.errors import DomainError


@body_limit(lambda: settings.GENERATION_INPUT_IMAGE_MAX_BYTES)
@login_required
def create(request: HttpRequest) -> HttpResponse:
    me = signed_in_user(request)
    source = request.POST if request.method == "POST" else request.GET
    remix_of = selectors.remix_source_get(source["remix"], me) if source.get("remix") else None
    context: dict[str, Any] = {
        "specs": specs,
        "remix_of": remix_of,
        "values": source,
        "shots": _shots_from(request.POST) or [{"prompt": "", "seconds": 4}, {"prompt": "", "seconds": 4}],
        "storyboard": source.get("mode") == "storyboard",
        "quota": quota_of(me),
    }
    if request.method == "POST":
        try:
            _job, notices = services.job_create(
                owner=me,
                prompt=request.POST.get("prompt", ""),
                model=request.POST.get("model", "sora-2"),
                size=request.POST.get("size", specs.DEFAULT_SIZE),
                seconds=request.POST.get("seconds", "4"),
                shots=_shots_from(request.POST) if context["storyboard"] else None,
                input_image=request.FILES.get("input_reference"),
                remix_of=remix_of,
                idempotency_key=request.POST.get("idempotency_key", "")[:64],
            )
        except DomainError as error:
            context["error"] = error
            return render(request, "generation/create.html", context, status=error.status)
        for notice in notices:
            messages.info(request, notice)
        messages.success(request, gettext("Your video is queued. It appears in your drafts when it is ready."))
        return redirect("jobs")
    return render(request, "generation/create.html", context)


def _shots_from(data: QueryDict) -> list[dict[str, str]]:
    prompts, seconds = data.getlist("shot_prompt"), data.getlist("shot_seconds")
    return [{"prompt": p, "seconds": s} for p, s in zip(prompts, seconds, strict=False)]


@login_required
def jobs(request: HttpRequest) -> HttpResponse:
    return render(request, "generation/jobs.html", _drafts_context(signed_in_user(request)))


def _drafts_context(me: User, *, picked: QueryDict | None = None, error: DomainError | None = None) -> dict[str, Any]:
    """The drafts page, with the stitch form's rows: the drafts picked (in the order sent back, with the
    trims typed) first, then the others, each trimmed to its whole length."""
    picked = picked or QueryDict()
    order = picked.getlist("part")
    drafts = sorted(
        selectors.stitchable_drafts(me)[:100],
        key=lambda job: order.index(job.public_id) if job.public_id in order else len(order),
    )
    rows = [
        {
            "job": job,
            "picked": job.public_id in order,
            "start": picked.get(f"start-{job.public_id}", "0"),
            "end": picked.get(f"end-{job.public_id}", str(job.seconds)),
        }
        for job in drafts
    ]
    return {
        "jobs": selectors.jobs_of(me)[:100],
        "quota": quota_of(me),
        "stitch_rows": rows,
        "stitch_error": error,
        "stitch_limits": {
            "min": specs.STITCH_MIN_PARTS,
            "max": specs.STITCH_MAX_PARTS,
            "seconds": specs.STITCH_MAX_SECONDS,
        },
    }


@login_required
@require_POST
def stitch(request: HttpRequest) -> HttpResponse:
    """The drafts page's stitch form: the drafts picked, in the order sent, each with its trim."""
    me = signed_in_user(request)
    parts = [
        {
            "id": public_id,
            "start": request.POST.get(f"start-{public_id}", ""),
            "end": request.POST.get(f"end-{public_id}", ""),
        }
        for public_id in request.POST.getlist("part")
    ]
    try:
        services.stitch_create(owner=me, parts=parts)
    except DomainError as error:
        context = _drafts_context(me, picked=request.POST, error=error)
        return render(request, "generation/jobs.html", context, status=error.status)
    messages.success(
        request, gettext("Your drafts are being stitched into a new video. It appears below when it is ready.")
    )
    return redirect("jobs")


@login_required
def job_card(request: HttpRequest, public_id: str) -> HttpResponse:
    job = selectors.job_get_for_owner(public_id, signed_in_user(request))
    return render(request, "generation/_job_card.html", {"job": job})


@login_required
def job_status(request: HttpRequest, public_id: str) -> JsonResponse:
    return JsonResponse(job_as_dict(selectors.job_get_for_owner(public_id, signed_in_user(request))))


@login_required
@require_POST
def job_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    me = signed_in_user(request)
    services.job_cancel(job=selectors.job_get_for_owner(public_id, me), by=me)
    return redirect("jobs")


@login_required
@require_POST
def job_retry(request: HttpRequest, public_id: str) -> HttpResponse:
    me = signed_in_user(request)
    services.job_retry(job=selectors.job_get_for_owner(public_id, me), by=me)
    messages.success(request, gettext("Queued again."))
    return redirect("jobs")


@login_required
@require_POST
def job_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    me = signed_in_user(request)
    services.job_delete(job=selectors.job_get_for_owner(public_id, me), by=me)
    messages.info(request, gettext("Draft deleted."))
    return redirect("jobs")
