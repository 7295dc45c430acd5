"""The one terminal transition. Every way a job ends (completed by its worker, failed, cancelled by its
owner, stopped because a cameo was withdrawn, given up by the watchdog) goes through `job_end`, so the
state write, the refund, the timings and the after-commit effects live in one place.

The row is the truth: a worker presents its claim token, so a duplicate delivery or a worker that was
presumed dead cannot end a job that has moved on without it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from generation.events import job_push
from generation.models import GenerationJob
from generation.signals import job_finished
from sora_site.texts import Sentence, sentence_columns

log = logging.getLogger(__name__)
State = GenerationJob.State
TERMINAL_STATES = (State.COMPLETED, State.FAILED, State.CANCELLED)


def job_end(
    job_id: int,
    *,
    state: str,
    token: str | None = None,
    error: tuple[str, str | Sentence] | None = None,
    where: Q | None = None,
    **fields: Any,
) -> bool:
    """Move an active job to `state` (completed, failed or cancelled). Returns False, changing nothing,
    when the job is no longer active, `token` is not its current claim, or `where` does not hold.

    A job that did not complete gives its quota back. `fields` are written in the same UPDATE (the
    worker's video, timings...). The owner's browser and the `job_finished` receivers hear of it after
    commit.
    """
    if state not in TERMINAL_STATES:
        raise ValueError(f"{state} is not a terminal state")
    rows = GenerationJob.objects.filter(pk=job_id, state__in=GenerationJob.ACTIVE_STATES)
    if token is not None:
        rows = rows.filter(job_token=token)
    if where is not None:
        rows = rows.filter(where)
    values: dict[str, Any] = {"state": state, "completed_at": timezone.now(), **fields}
    if state != State.COMPLETED:
        values["charged_seconds"] = 0  # the refund: quota is metered from charged_seconds
    if error is not None:
        values.update(job_error_fields(*error))
    with transaction.atomic():
        if not rows.update(**values):
            return False
        job = GenerationJob.objects.select_related("owner").get(pk=job_id)
        job_push(job)
        transaction.on_commit(lambda: job_finished.send(sender=GenerationJob, job=job))
    timings = " ".join(f"{phase}={seconds}s" for phase, seconds in job.timings.items())
    log.info("job %s %s %s %s", job.public_id, state, job.error_code, timings)
    return True


def job_error_fields(code: str, message: str | Sentence) -> dict[str, Any]:
    """A failure's columns: its code, its English message (the API's) and, given as a Sentence, the same
    kept as code and parameters for the owner's language."""
    english, stored = sentence_columns(message, 500)
    return {"error_code": code, "error_message": english, "error_sentence": stored}
