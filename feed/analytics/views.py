"""The creator's analytics pages: a post's and a cameo's numbers over the last four weeks."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from feed.accounts.selectors import signed_in_user
from feed.analytics import selectors
from feed.analytics.chart import METRICS, Metric, bar_chart, table_rows
from sora_site.errors import DomainError


def _metric(request: HttpRequest) -> Metric:
    name = request.GET.get("metric", "views")
    if name not in METRICS:
        raise DomainError(
            "analytics_metric_unknown",
            gettext("Choose one of: %(names)s.") % {"names": ", ".join(METRICS)},
            field="metric",
        )
    return METRICS[name]


def _page(request: HttpRequest, analytics: selectors.Analytics, **context: object) -> HttpResponse:
    metric = _metric(request)
    context |= {
        "analytics": analytics,
        "metric": metric,
        "metrics": METRICS.values(),
        "chart": bar_chart(analytics.days, metric),
        "table": table_rows(analytics.days),
        "window_days": selectors.WINDOW_DAYS,
    }
    return render(request, "feed/analytics.html", context)


@login_required
@require_GET
def post_analytics(request: HttpRequest, post_id: int) -> HttpResponse:
    post, analytics = selectors.post_analytics(post_id, signed_in_user(request))
    return _page(request, analytics, post=post)


@login_required
@require_GET
def cameo_analytics(request: HttpRequest, handle: str) -> HttpResponse:
    cameo, analytics = selectors.cameo_analytics(handle, signed_in_user(request))
    return _page(request, analytics, cameo=cameo)
