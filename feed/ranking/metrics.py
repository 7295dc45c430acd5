"""The feed's Prometheus metric (sora_site/metrics.py serves it): the time to assemble a page of a feed."""

from __future__ import annotations

from prometheus_client import Histogram

FEED_PAGE_SECONDS = Histogram(
    "sora_feed_page_seconds",
    "Time to choose one page of a feed (ranking and its queries, before rendering), by tab",
    ["tab"],
    buckets=(0.005, 0.01, 0.02, 0.04, 0.06, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5),
)
