"""What an operator watches: the probes (sora_site/health.py) and Prometheus metrics (sora_site/metrics.py).
Logging itself is in settings/base.py (LOG_FORMAT)."""

from __future__ import annotations

from sora_site.env import env_int, env_list, env_str

# /metrics answers a scraper that sends `Authorization: Bearer <METRICS_TOKEN>` or comes from one of
# METRICS_ALLOWED_IPS (the address the server sees: behind a proxy, the proxy's). Neither set: no page.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", [])
# A Celery worker serves the same page on this port when set (a worker host runs no web server).
METRICS_PORT = env_int("METRICS_PORT", 0, minimum=0)
METRICS_ADDR = env_str("METRICS_ADDR", "0.0.0.0")
# Probes and scrapes come over the private network in plain HTTP, even with HTTPS_ONLY.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
