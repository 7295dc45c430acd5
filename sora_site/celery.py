"""The Celery app. Queues: `default` (web-side work) and `gpu` (generation; see CELERY_TASK_ROUTES).

A GPU machine runs: celery -A sora_site worker -Q gpu --concurrency 1 --prefetch-multiplier 1
"""

import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import worker_init, worker_process_init

from sora_site import logs  # noqa: F401  (its signal receivers carry request ids into tasks)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")

log = logging.getLogger(__name__)
WARM_NICENESS = 5  # the model-loading thread's niceness above the worker's own
AUTOGROUP_TRIES = 50
app = Celery("sora_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()  # each app's root tasks.py; every app's wiring.connect() imports its task modules too


@worker_process_init.connect
def models_warm(**kwargs: Any) -> None:
    """Load settings.WORKER_MODELS in each pool process, on a thread, while it takes tasks, and say so
    on one line (to the real stderr: Celery turns prints in a pool process into warnings). A task that
    needs a model still loading waits for that load (`sora_site.loading.LoadedOnce`), so the first job
    after start waits for the frames stage (first in the list), not for every model. The thread runs
    at a lower priority than the process, so a job, and the web beside it, come first."""
    from django.conf import settings

    from sora_site.loading import models_warm as warm

    def load() -> None:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + WARM_NICENESS))
        print(f"worker {os.getpid()}: {warm(settings.WORKER_MODELS)}", file=sys.__stderr__, flush=True)

    if settings.WORKER_MODELS_WARM:
        threading.Thread(target=load, name="models-warm", daemon=True).start()


@worker_init.connect
def worker_nice(**kwargs: Any) -> None:
    """Lower the worker's CPU priority by settings.WORKER_NICENESS, before its pool processes are forked
    (they inherit it): its tasks are background work, and a page request on the same host comes first.

    With the kernel's autogroup scheduling (on by default on most distributions) a process's niceness
    only ranks it within its session: each session is weighed as one. A worker that leads its own
    session (a systemd unit, `make run`, the bench) so lowers its session's autogroup too, else it
    would still take as much CPU as the web beside it."""
    from django.conf import settings

    step = settings.WORKER_NICENESS
    if not step:
        return
    os.nice(step)
    autogroup = Path("/proc/self/autogroup")
    # Only a session of its own: lowering a shared one would slow the other processes in it.
    if os.getsid(0) != os.getpid() or not autogroup.exists():
        return
    nice = min(19, int(autogroup.read_text().split("nice")[1]) + step)
    for _ in range(AUTOGROUP_TRIES):
        try:
            autogroup.write_text(str(nice))
            return
        except BlockingIOError:  # the kernel takes one autogroup change per 0.1 s, machine-wide
            time.sleep(0.1)
        except OSError as error:  # a read-only /proc (some containers): the worker still starts
            log.warning("worker: its session's CPU priority stays as it was (%s)", error)
            return


@worker_init.connect
def _metrics_serve(**kwargs: Any) -> None:
    """A worker with METRICS_PORT serves its pool's metrics (gathered from PROMETHEUS_MULTIPROC_DIR)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from sora_site.metrics import metrics_server_start

    if not settings.METRICS_PORT:
        return
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        raise ImproperlyConfigured("METRICS_PORT needs PROMETHEUS_MULTIPROC_DIR: the pool's processes count there")
    metrics_server_start(settings.METRICS_PORT, settings.METRICS_ADDR)


def task_enqueue(name: str, *args: object) -> None:
    """Queue a task by its registered name (routed by CELERY_TASK_ROUTES; run at once in eager mode).

    An app's services queue their tasks by name and never import its task module: the tasks call those
    services, so importing them back would tie the two in an import cycle. Each app's `ready()` imports
    its task module, so the task is registered in every process (web, worker, eager mode without Redis).
    """
    app.tasks[name].delay(*args)


def worker_argv(*, queues: str, loglevel: str) -> list[str]:
    """The worker command line `make run` and the tests use: one process, one task at a time."""
    return [
        sys.executable, "-m", "celery", "-A", "sora_site", "worker", "-Q", queues, "--concurrency", "1",
        "--prefetch-multiplier", "1", "--without-mingle", "--without-gossip", "-l", loglevel,
    ]  # fmt: skip
