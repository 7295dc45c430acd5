from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from feed.selectors import post_get_for_viewer
from generation import selectors, services, specs
from sora_site.errors import DomainError


@login_required
def create(request: HttpRequest) -> HttpResponse:
    remix_post = remix_job = None
    source = request.POST if request.method == "POST" else request.GET
    if source.get("remix_post"):
        if not source["remix_post"].isdigit():
            raise DomainError("post_not_found", "This post does not exist.", status=404)
        remix_post = post_get_for_viewer(int(source["remix_post"]), request.user)
    if source.get("remix_job"):
        remix_job = selectors.job_get_for_owner(source["remix_job"], request.user)
    context = {
        "specs": specs,
        "remix_post": remix_post,
        "remix_job": remix_job,
        "values": source,
        "shots": _shots_from(request.POST) or [{"prompt": "", "seconds": 4}, {"prompt": "", "seconds": 4}],
        "storyboard": source.get("mode") == "storyboard",
    }
    if request.method == "POST":
        try:
            _job, notices = services.job_create(
                owner=request.user,
                prompt=request.POST.get("prompt", ""),
                model=request.POST.get("model", "sora-2"),
                size=request.POST.get("size", specs.DEFAULT_SIZE),
                seconds=request.POST.get("seconds", "4"),
                shots=_shots_from(request.POST) if context["storyboard"] else None,
                input_image=request.FILES.get("input_reference"),
                remix_of_post=remix_post,
                remix_of_job=remix_job,
                idempotency_key=request.POST.get("idempotency_key", "")[:64],
            )
        except DomainError as error:
            context["error"] = error
            return render(request, "generation/create.html", context, status=error.status)
        for notice in notices:
            messages.info(request, notice)
        messages.success(request, "Your video is queued. It appears in your drafts when it is ready.")
        return redirect("jobs")
    return render(request, "generation/create.html", context)


def _shots_from(data) -> list[dict]:  # noqa: ANN001  (a QueryDict)
    prompts, seconds = data.getlist("shot_prompt"), data.getlist("shot_seconds")
    return [{"prompt": p, "seconds": s} for p, s in zip(prompts, seconds, strict=False)]


@login_required
def jobs(request: HttpRequest) -> HttpResponse:
    return render(request, "generation/jobs.html", {"jobs": selectors.jobs_of(request.user)[:100]})


@login_required
def job_card(request: HttpRequest, public_id: str) -> HttpResponse:
    job = selectors.job_get_for_owner(public_id, request.user)
    return render(request, "generation/_job_card.html", {"job": job})


@login_required
def job_status(request: HttpRequest, public_id: str) -> JsonResponse:
    return JsonResponse(selectors.job_as_dict(selectors.job_get_for_owner(public_id, request.user)))


@login_required
@require_POST
def job_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    services.job_cancel(job=selectors.job_get_for_owner(public_id, request.user), by=request.user)
    return redirect("jobs")


@login_required
@require_POST
def job_retry(request: HttpRequest, public_id: str) -> HttpResponse:
    services.job_retry(job=selectors.job_get_for_owner(public_id, request.user), by=request.user)
    messages.success(request, "Queued again.")
    return redirect("jobs")


@login_required
@require_POST
def job_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    services.job_delete(job=selectors.job_get_for_owner(public_id, request.user), by=request.user)
    messages.info(request, "Draft deleted.")
    return redirect("jobs")


@login_required
@require_POST
def draft_publish(request: HttpRequest, public_id: str) -> HttpResponse:
    post = services.draft_publish(
        job=selectors.job_get_for_owner(public_id, request.user),
        by=request.user,
        caption=request.POST.get("caption", ""),
        visibility=request.POST.get("visibility", "public"),
        show_prompt=request.POST.get("show_prompt") == "on",
    )
    messages.success(request, "Posted!")
    return redirect("post_detail", post_id=post.pk)
