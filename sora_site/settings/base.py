"""Django's core: paths, hosts, the secret key, apps, middleware, templates, i18n and logging.

Settings are read from the environment (README "Settings"); this module, like the others in the
package, only reads: nothing is written or started at import. `make run` (scripts/run_local.py) makes
VAR_DIR and its secret key; tests/settings.py gives the suite its own.
"""

from __future__ import annotations

from pathlib import Path

from sora_site.env import env_bool, env_choice, env_list, env_path, env_str, secret_key_read

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR: Path = env_path("VAR_DIR", BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# SECRET_KEY from the environment, else the one `make run` generated into VAR_DIR/secret_key. Empty
# without either: Django then refuses to sign anything (sessions, media URLs) and says so.
SECRET_KEY = secret_key_read(VAR_DIR) or ""

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "feed",
    "generation",
    "generation.api",  # the Videos API: its own AppConfig wires it, so the core never imports it
    "cameos",
    "moderation",
    "axes",  # log-in and sign-up throttling (settings/accounts.py)
]

MIDDLEWARE = [
    # Outermost: database connections go back to the pool even when the server gives up on a request.
    "sora_site.middleware.ConnectionsReturnMiddleware",
    # Every request is counted and timed (sora_site/metrics.py), and has an id for its logs.
    "sora_site.metrics.RequestMetricsMiddleware",
    "sora_site.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the session or a form: Content-Length, body size, JSON depth, NUL characters.
    "sora_site.middleware.RequestInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language: the language cookie, else the browser's Accept-Language (en or ja).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's language setting overrides the browser; the /v1 API always answers in English.
    "sora_site.middleware.UserLanguageMiddleware",
    "sora_site.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sora_site.middleware.DomainErrorMiddleware",
    # After the others, so that it sees the log-in view's answer and replaces it with the lock-out page.
    "axes.middleware.AxesMiddleware",
    # Content-Security-Policy and Permissions-Policy headers (settings/security.py).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
]

ROOT_URLCONF = "sora_site.urls"
WSGI_APPLICATION = "sora_site.wsgi.application"
ASGI_APPLICATION = "sora_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",  # LANGUAGE_CODE, LANGUAGES
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "feed.notifications.selectors.unread_badge",  # the inbox badge (feed)
            ],
            # {% translate %} / {% blocktranslate %} in every template without a {% load %}.
            "builtins": ["django.templatetags.i18n", "sora_site.moments"],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語")]
# One catalog for the templates and every app (`manage.py makemessages` gathers them all here); the
# .mo files are built by `make install` / `make test` (`compilemessages`), never committed.
LOCALE_PATHS = [BASE_DIR / "sora_site" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Every line carries the request id and job id it belongs to (sora_site/logs.py); LOG_FORMAT=json writes
# one JSON object a line for a log collector.
LOG_FORMAT = env_choice("LOG_FORMAT", "plain", ("plain", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "sora_site.logs.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(job_id)s] %(message)s"},
        "json": {"()": "sora_site.logs.json_formatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Its "Loading SentenceTransformer model from <path>" at each start; sora_site.loading logs the load.
    "loggers": {"sentence_transformers": {"level": "WARNING"}},
}
