from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.i18n import JavaScriptCatalog

from generation.api.v1 import api_urls
from sora_site.health import healthz, readyz
from sora_site.media_views import media_serve
from sora_site.metrics import metrics_view

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),  # liveness and readiness probes (sora_site/health.py)
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),  # Prometheus, for a scraper with the token or address
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the language form on the log-in pages
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),  # gettext() for static/js
    path("v1/", api_urls()),  # the OpenAI-compatible Videos API (Bearer keys only)
    path("", include("generation.api.urls")),  # its settings pages: keys, webhooks
    path("", include("generation.urls")),
    path("", include("cameos.urls")),
    path("", include("moderation.urls")),
    path("", include("feed.urls")),
]

if settings.MEDIA_STORAGE == "local":
    # Local media goes through access checks (S3 deployments hand out presigned URLs instead).
    urlpatterns.append(re_path(r"^media/(?P<path>.+)$", media_serve, name="media"))

# Django's own refusals (unreadable or oversized requests, Http404, PermissionDenied, uncaught errors)
# as the styled page or the JSON envelope, like every DomainError.
handler400 = "sora_site.error_views.bad_request"
handler403 = "sora_site.error_views.permission_denied"
handler404 = "sora_site.error_views.page_not_found"
handler500 = "sora_site.error_views.server_error"
