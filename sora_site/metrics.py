"""Prometheus metrics (prometheus-client): the platform's own, and the page an operator's Prometheus scrapes.

Here: request latency and responses per view, and the depth of each Celery queue (read from the broker
when scraped). Each app defines its own metrics next to its code (generation/metrics.py,
moderation/metrics.py, feed/ranking/metrics.py) and its wiring loads them.

Processes: gunicorn's workers and Celery's pool children each count on their own; with
PROMETHEUS_MULTIPROC_DIR set (before the process starts, one empty folder per server or worker) they
write their values there and a scrape adds them up. The web server answers /metrics; a worker host has
no web server, so a worker with METRICS_PORT set serves the same page on that port
(`metrics_server_start`, from sora_site/celery.py). Either answers only a scraper that presents
METRICS_TOKEN or comes from an address in METRICS_ALLOWED_IPS; with neither set there is no page (404).
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import redis
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from sora_site.broker import PRIORITY_STEPS, UNACKED, broker_client, queue_keys, queue_names

log = logging.getLogger(__name__)

# Seconds: from a cached page to a slow upload.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "sora_http_request_seconds", "Time to answer a request, by view", ["view", "method"], buckets=LATENCY_BUCKETS
)
RESPONSES = Counter("sora_http_responses_total", "Responses, by view and status code", ["view", "method", "status"])
REQUEST_EXCEPTIONS = Counter("sora_http_exceptions_total", "Uncaught exceptions, by view", ["view"])


def _view_name(request: HttpRequest) -> str:
    """The URL pattern's name: bounded, unlike the path (which holds ids)."""
    match = request.resolver_match
    if match is None:
        return "unresolved"
    return match.view_name or match._func_path


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        view = _view_name(request)
        REQUEST_SECONDS.labels(view, request.method).observe(time.perf_counter() - started)
        RESPONSES.labels(view, request.method, str(response.status_code)).inc()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        REQUEST_EXCEPTIONS.labels(_view_name(request)).inc()


class QueueDepthCollector(Collector):
    """Messages waiting in each queue, and taken by a worker but not yet acknowledged, read when scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        waiting = GaugeMetricFamily("sora_queue_depth", "Tasks waiting in the queue", labels=["queue"])
        unacked = GaugeMetricFamily("sora_queue_unacked", "Tasks taken by a worker and not yet acknowledged")
        client = broker_client()
        if client is None:
            return  # the in-memory broker of a one-process install has no queue to watch
        try:
            with client.pipeline(transaction=False) as pipe:
                for name in queue_names():
                    for key in queue_keys(name):
                        pipe.llen(key)
                pipe.hlen(UNACKED)
                lengths = pipe.execute()
        except redis.RedisError as error:
            log.warning("metrics: queue depth unreadable: %s", error)
            return
        finally:
            client.close()
        per_queue = 1 + len(PRIORITY_STEPS)
        for index, name in enumerate(queue_names()):
            waiting.add_metric([name], sum(lengths[index * per_queue : (index + 1) * per_queue]))
        unacked.add_metric([], lengths[-1])
        yield waiting
        yield unacked


def metrics_payload() -> bytes:
    """The exposition text: this process's metrics (or every process's, in multiprocess mode) and the queues."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    queues = CollectorRegistry(auto_describe=False)
    queues.register(QueueDepthCollector())
    return generate_latest(registry) + generate_latest(queues)


def scraper_allowed(remote_addr: str, authorization: str) -> bool:
    token = settings.METRICS_TOKEN
    if token and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return True
    return remote_addr in settings.METRICS_ALLOWED_IPS


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not (settings.METRICS_TOKEN or settings.METRICS_ALLOWED_IPS):
        raise Http404  # not turned on
    if not scraper_allowed(request.META.get("REMOTE_ADDR", ""), request.headers.get("Authorization", "")):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(metrics_payload(), content_type=CONTENT_TYPE_LATEST)


def _metrics_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The worker's metrics page: the same check and payload as `metrics_view`, any path."""
    if not scraper_allowed(environ.get("REMOTE_ADDR", ""), environ.get("HTTP_AUTHORIZATION", "")):
        start_response("403 Forbidden", [("Content-Type", "text/plain")])
        return [b"Forbidden\n"]
    start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
    return [metrics_payload()]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # scrapes every few seconds are not news
        pass


def metrics_server_start(port: int, addr: str) -> WSGIServer:
    """Serve the metrics page on a thread of this (worker) process."""
    server = make_server(addr, port, _metrics_app, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("metrics on http://%s:%s/", addr, server.server_port)
    return server
