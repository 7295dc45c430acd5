"""Log lines that say which request and which job they belong to, in the web server and the workers.

A request's id comes from its X-Request-ID header (a proxy's) or is made here; it goes back in the
response's header and into the headers of every Celery task the request queues, so a worker's lines
for that task carry it too. A task that works on a job says so with `log_context(job_id=...)`.
LOG_FORMAT=json (settings/base.py) writes one JSON object a line, for a log collector.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.json import JsonFormatter

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
job_id_var: ContextVar[str] = ContextVar("job_id", default="")

# What a proxy may send as an id: short, and nothing that could forge a log line or a header.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
TASK_HEADER = "request_id"


class ContextFilter(logging.Filter):
    """Adds `request_id` and `job_id` (empty outside a request or job) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.job_id = job_id_var.get()
        return True


def json_formatter() -> JsonFormatter:
    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(job_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )


@contextmanager
def log_context(*, job_id: int | str) -> Iterator[None]:
    token = job_id_var.set(str(job_id))
    try:
        yield
    finally:
        job_id_var.reset(token)


class RequestIdMiddleware:
    """Gives each request an id (X-Request-ID, else a new one) for its log lines and its tasks."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


@before_task_publish.connect
def _task_headers_add(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """A task queued while serving a request (or running a task) carries that request's id."""
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


# The tokens to reset when each task ends, by task id (a worker process runs one task at a time, but
# eager tasks nest in the caller).
_task_tokens: dict[str, Any] = {}


@task_prerun.connect
def _task_context_enter(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    request_id = getattr(task.request, TASK_HEADER, None) if task is not None else None
    if request_id and request_id != request_id_var.get():
        _task_tokens[task_id] = request_id_var.set(str(request_id))


@task_postrun.connect
def _task_context_exit(task_id: str = "", **kwargs: Any) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        request_id_var.reset(token)
