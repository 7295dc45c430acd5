"""Django settings, read from the environment (see README "Settings").

Defaults give a working laptop install: the embedded PostgreSQL (`make run` starts it, data in
var/postgres) and media under var/, the CPU preview renderer.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from sora_site import embedded_postgres
from sora_site.env import (
    check_redis_url,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_path,
    env_str,
    parse_database_url,
    read_s3_settings,
    s3_storage_config,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR: Path = env_path("VAR_DIR", BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into var/ (never committed)."""
    from_env = env_str("SECRET_KEY", "")
    if from_env:
        if len(from_env) < 50:
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters")
        return from_env
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

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
    "cameos",
    "moderation",
]

MIDDLEWARE = [
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
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sora_site.middleware.DomainErrorMiddleware",
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
            "builtins": ["django.templatetags.i18n"],
        },
    },
]

# Without DATABASE_URL: the embedded server `make run` starts (sora_site/embedded_postgres.py).
DATABASES = {
    "default": parse_database_url(env_str("DATABASE_URL", embedded_postgres.database_url(VAR_DIR / "postgres")))
}
# A bounded pool per process (web server, each worker process): Daphne runs sync code on a thread per
# request, and persistent per-thread connections (CONN_MAX_AGE) piled up until the server had none left.
# A request waits up to DATABASE_POOL_TIMEOUT seconds for a free connection.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django requires 0 with it
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # the pool checks a connection before lending it
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 20, minimum=1)
DATABASES["default"]["OPTIONS"]["pool"] = {
    "min_size": 1,
    "max_size": DATABASE_POOL_SIZE,
    "max_idle": 60,  # seconds before an idle connection above min_size is closed
    "timeout": env_float("DATABASE_POOL_TIMEOUT", 30.0, minimum=0.1),
}
# pgvector's HNSW search (the feed's "similar" source, feed/ranking/vector_index.py): a wider
# candidate list, and keep scanning past rows the query filters out. Sent in the connection's
# start-up packet, so a search costs no extra round trip; harmless placeholders without pgvector.
_pg = DATABASES["default"]["OPTIONS"]
_pg["options"] = f"{_pg.get('options', '')} -c hnsw.ef_search=100 -c hnsw.iterative_scan=strict_order".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "feed.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語")]
# One catalog for the templates and every app (`manage.py makemessages` gathers them all here); the
# .mo files are built by `make install` / `make test` (`compilemessages`), never committed.
LOCALE_PATHS = [BASE_DIR / "sora_site" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on a missing root before `collectstatic`
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

MEDIA_STORAGE = env_choice("MEDIA_STORAGE", "local", ("local", "s3"))
if MEDIA_STORAGE == "s3":
    _default_storage = s3_storage_config(read_s3_settings())
else:
    _default_storage = {
        "BACKEND": "sora_site.storage.SignedFileSystemStorage",  # expiring signed URLs (provenance)
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    # Hashed names need `collectstatic`; the test runner and `make run` use the plain finder storage.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

# Uploads: Django spools anything over 2.5 MB to disk; per-field limits live in the forms.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
AVATAR_MAX_BYTES = env_int("AVATAR_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
AVATAR_MAX_PIXELS = 4096 * 4096

# Accounts
MINIMUM_AGE = 13
ADULT_AGE = 18
INVITE_ONLY = env_bool("INVITE_ONLY", False)

# Redis: Celery broker/results and the Channels layer. Without REDIS_URL the app runs in one
# process: an in-memory channel layer and Celery tasks executed inline (`make run` and the test
# suite always provide a Redis, so this is only for a quick `manage.py runserver`).
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    check_redis_url(REDIS_URL)
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env_str("CHANNELS_PREFIX", "asgi")},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
# With acks_late, a task whose worker process dies is redelivered instead of lost.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 15 * 60, minimum=10)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 20 * 60, minimum=20)
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacked task after this long; it must exceed the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 600}
CELERY_TASK_ROUTES = {"generation.tasks.gpu_*": {"queue": "gpu"}}
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {"task": "feed.tasks.sessions_clear_expired", "schedule": 6 * 3600},
}

# Generation
GENERATION_BACKEND = env_choice("GENERATION_BACKEND", "preview", ("preview", "diffusers"))
MODEL_PATHS = {
    "sora-2": env_path("MODEL_PATH_SORA_2"),
    "sora-2-pro": env_path("MODEL_PATH_SORA_2_PRO"),
}
DIFFUSERS_STEPS = env_int("DIFFUSERS_STEPS", 50, minimum=1)
DIFFUSERS_MAX_AREA = env_int("DIFFUSERS_MAX_AREA", 480 * 832, minimum=16 * 16)  # generation pixels per frame
DIFFUSERS_MAX_FRAMES = env_int("DIFFUSERS_MAX_FRAMES", 81, minimum=5)
if GENERATION_BACKEND == "diffusers" and not any(MODEL_PATHS.values()):
    raise ImproperlyConfigured("GENERATION_BACKEND=diffusers needs MODEL_PATH_SORA_2 and/or MODEL_PATH_SORA_2_PRO")

# --- LTX-2 (generation/backends/ltx2_backend.py) ----------------------------------------------
# A model path whose pipelines are LTX2* (model_index.json) is served by the LTX-2 backend (video
# with the model's own audio); any other by the Wan backend above. Modes: distilled | full | two_stage.
_LTX2_MODES = ("distilled", "full", "two_stage")
LTX2_MODES = {
    "sora-2": env_choice("LTX2_MODE_SORA_2", "distilled", _LTX2_MODES),
    "sora-2-pro": env_choice("LTX2_MODE_SORA_2_PRO", "two_stage", _LTX2_MODES),
}
LTX2_STEPS = env_int("LTX2_STEPS", 40, minimum=1)  # full mode, and two_stage's first stage (with guidance)
LTX2_DISTILLED_STEPS = env_int("LTX2_DISTILLED_STEPS", 8, minimum=1)  # of the 8-step distilled schedule
LTX2_REFINE_STEPS = env_int("LTX2_REFINE_STEPS", 3, minimum=1)  # of the 3-step stage-2 schedule
LTX2_GUIDANCE_SCALE = env_float("LTX2_GUIDANCE_SCALE", 3.0, minimum=1.0)
LTX2_MAX_AREA = env_int("LTX2_MAX_AREA", 704 * 1280, minimum=32 * 32)  # final generation pixels per frame
LTX2_MAX_FRAMES = env_int("LTX2_MAX_FRAMES", 121, minimum=9)  # per shot, at 24 fps
LTX2_MAX_SEQUENCE_LENGTH = env_int("LTX2_MAX_SEQUENCE_LENGTH", 1024, minimum=8)  # prompt tokens
LTX2_CAMEO_STRENGTH = env_float("LTX2_CAMEO_STRENGTH", 1.0, minimum=0.0, maximum=1.0)  # portrait keyframe
LTX2_DIALOGUE_STRENGTH = env_float("LTX2_DIALOGUE_STRENGTH", 0.8, minimum=0.0, maximum=1.0)  # share of steps held
# --- end LTX-2 ----------------------------------------------------------------------------------

# Voice-cloning TTS (generation/voice_tts.py): a local Sesame CSM checkpoint folder. Empty: dialogue is
# spoken by the pitch-matched espeak-ng voice. Only cameos whose owner keeps a voice sample are cloned.
GENERATION_TTS_MODEL_PATH = env_path("GENERATION_TTS_MODEL_PATH")

# Security. HTTPS_ONLY turns on what a deployment behind TLS needs (`check --deploy` is clean).
HTTPS_ONLY = env_bool("HTTPS_ONLY", False)
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Generation quotas and the stalled-job watchdog.
GENERATION_MAX_CONCURRENT = env_int("GENERATION_MAX_CONCURRENT", 2, minimum=1)
GENERATION_MAX_CONCURRENT_TEEN = env_int("GENERATION_MAX_CONCURRENT_TEEN", 1, minimum=1)
GENERATION_DAILY_SECONDS = env_int("GENERATION_DAILY_SECONDS", 240, minimum=4)
GENERATION_DAILY_SECONDS_TEEN = env_int("GENERATION_DAILY_SECONDS_TEEN", 60, minimum=4)
GENERATION_STALL_SECONDS = env_int("GENERATION_STALL_SECONDS", 180, minimum=10)
GENERATION_MAX_ATTEMPTS = env_int("GENERATION_MAX_ATTEMPTS", 3, minimum=1)
GENERATION_INPUT_IMAGE_MAX_BYTES = env_int("GENERATION_INPUT_IMAGE_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
GENERATION_INPUT_IMAGE_MAX_PIXELS = 50_000_000
# Finishing, in order (see generation/finishing.py): frame steps before encoding, file steps after.
GENERATION_FRAME_STEPS = [
    "generation.finishing.soundtrack_fill",
    "generation.safety.frames_check",  # moderation stage 2: nudity and likeness, before anything is stored
    "generation.safety.voice_check",  # stage 2 too: speech in a registered voice the job may not use
    "generation.provenance.steps.visible_watermark",
    "generation.provenance.steps.invisible_watermark",
]
GENERATION_FILE_STEPS: list[str] = ["generation.provenance.steps.c2pa_sign"]

# --- moderation (issue 8) ------------------------------------------------------------------------
# The prompt-stage classifier: a factory `(policy, path) -> Classifier` (moderation/policy.py). The
# default is a head trained on MiniLM embeddings of the examples in moderation/policy.toml; an operator
# can set "moderation.policy.local_encoder_classifier" and give a local (e.g. multilingual) sentence
# encoder's folder in MODERATION_CLASSIFIER_PATH.
MODERATION_CLASSIFIER = env_str("MODERATION_CLASSIFIER", "moderation.policy.trained_head_classifier")
MODERATION_CLASSIFIER_PATH = env_str("MODERATION_CLASSIFIER_PATH", "")
# Frames stage: frames sampled per generated second for the nudity and likeness checks.
MODERATION_FRAMES_PER_SECOND = env_int("MODERATION_FRAMES_PER_SECOND", 2, minimum=1)
# Of those, per generated second, the frames the likeness check looks for faces in (~0.3 CPU-s each at
# 720x1280, bench/face_detection.py): 0.5 looks at both ends and at most 2 s apart (moved to the nearest
# NudeNet frame: 2.25 s at 2 per second), so a face on screen that long is looked at.
MODERATION_FACE_FRAMES_PER_SECOND = env_float("MODERATION_FACE_FRAMES_PER_SECOND", 0.5, minimum=0.1)
# Reports one account may file per hour (floods are refused).
MODERATION_REPORTS_PER_HOUR = env_int("MODERATION_REPORTS_PER_HOUR", 20, minimum=1)
# --- end moderation ------------------------------------------------------------------------------

CELERY_BEAT_SCHEDULE["generation-watchdog"] = {"task": "generation.tasks.jobs_requeue_stalled", "schedule": 60}

# The cache backs the rate limits (API keys, the verify page): Redis when there is one, so every process
# counts together; else local memory.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- The Videos API (/v1, generation/api/) and its webhooks -----------------------------------------
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 120, minimum=1)  # per key, unless the key says
API_POLL_AFTER_MS = env_int("API_POLL_AFTER_MS", 1000, minimum=100)  # `openai-poll-after-ms` with an empty queue
API_POLL_AFTER_MAX_MS = env_int("API_POLL_AFTER_MAX_MS", 20_000, minimum=100)
# Days a finished video's content stays downloadable through the API (`expires_at`); 0 keeps it.
VIDEO_RETENTION_DAYS = env_int("VIDEO_RETENTION_DAYS", 0, minimum=0)
CELERY_BEAT_SCHEDULE["videos-delete-expired"] = {"task": "generation.tasks.videos_delete_expired", "schedule": 3600}
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)  # doubles after each failure
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# Webhook URLs on loopback or private networks are refused (a server-side request forgery guard), unless allowed.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)

# --- Provenance (generation/provenance, feed/verify) ----------------------------------------------
SITE_NAME = env_str("SITE_NAME", "OpenReel")  # drawn on every video with the creator's @handle
WATERMARK_EVERY = env_int("WATERMARK_EVERY", 2, minimum=1)  # the invisible mark goes in every Nth frame
# C2PA signing: `manage.py provenance_keys` (run by `make run`) makes a dev CA and signer here;
# production points these at its real certificate chain (leaf first), PKCS#8 key and trust anchors.
_C2PA_DIR = VAR_DIR / "c2pa"
C2PA_CERT_FILE: Path = env_path("C2PA_CERT_FILE", _C2PA_DIR / "signer.pem")
C2PA_KEY_FILE: Path = env_path("C2PA_KEY_FILE", _C2PA_DIR / "signer.key")
C2PA_TRUST_ANCHORS_FILE: Path = env_path("C2PA_TRUST_ANCHORS_FILE", _C2PA_DIR / "ca.pem")
# Local media URLs are signed and expire (sora_site/media_views.py); S3 URLs are presigned for as long.
MEDIA_URL_MAX_AGE = env_int("MEDIA_URL_MAX_AGE", 3600, minimum=60)
# The verify page: upload size, how many checks a client may run per minute.
VERIFY_MAX_BYTES = env_int("VERIFY_MAX_BYTES", 100 * 1024 * 1024, minimum=1024)
VERIFY_PER_MINUTE = env_int("VERIFY_PER_MINUTE", 10, minimum=1)

# --- Feed (ranking and well-being) ---
FEED_PAGE_SIZE = env_int("FEED_PAGE_SIZE", 8, minimum=1)
# "Similar to your taste" compares with an in-process matrix of recent post vectors, rebuilt this often.
FEED_SIMILAR_REFRESH_SECONDS = env_int("FEED_SIMILAR_REFRESH_SECONDS", 60, minimum=0)
# Candidate pools everyone shares (trending, popular, fresh) live in the cache, remade by beat this often.
FEED_POOL_SECONDS = env_int("FEED_POOL_SECONDS", 60, minimum=0)
CELERY_BEAT_SCHEDULE["feed-pools-refresh"] = {
    "task": "feed.tasks.feed_pools_refresh",
    "schedule": max(1, FEED_POOL_SECONDS),
}
# Similarity through pgvector's HNSW index when the extension is installed (off: the NumPy fallback).
FEED_PGVECTOR = env_bool("FEED_PGVECTOR", True)
# Load MiniLM when a web server or worker process starts (sora_site.text_embeddings.embeddings_warm).
TEXT_EMBEDDINGS_WARM = env_bool("TEXT_EMBEDDINGS_WARM", True)
# Teens (and anyone who turns the limits on): items a day, and a "take a break" card every N in a row.
FEED_TEEN_DAILY_CAP = env_int("FEED_TEEN_DAILY_CAP", 120, minimum=1)
FEED_TEEN_BREAK_AFTER = env_int("FEED_TEEN_BREAK_AFTER", 30, minimum=1)

# --- Log-in and sign-up throttling (django-axes; feed/accounts/login_throttle.py) -------------------
INSTALLED_APPS += ["axes"]
# Last, so that it sees the log-in view's answer and replaces it with the lock-out page.
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "feed.accounts.login_throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, minimum=1)  # wrong passwords per handle and address
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours, as axes reads a float
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "feed.accounts.login_throttle.login_locked_out"
# The client address as the rate limits read it (sora_site/ratelimit.py): never a header a client can forge.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False
SIGNUP_PER_HOUR = env_int("SIGNUP_PER_HOUR", 10, minimum=1)  # sign-up attempts per client address
# --- end throttling ---------------------------------------------------------------------------------

# --- Content-Security-Policy (django-csp) and Permissions-Policy (django-permissions-policy) -------
from urllib.parse import urlsplit  # noqa: E402

from csp.constants import NONCE  # noqa: E402

MIDDLEWARE += ["csp.middleware.CSPMiddleware", "django_permissions_policy.PermissionsPolicyMiddleware"]


def _media_origins() -> list[str]:
    """Where media URLs point besides this site: the S3 endpoint (or bucket host) when media is on S3."""
    if MEDIA_STORAGE != "s3":
        return []
    s3 = read_s3_settings()
    if s3.endpoint_url:
        parts = urlsplit(s3.endpoint_url)
        return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://{s3.bucket}.{parts.netloc}"]
    regional = [f"https://{s3.bucket}.s3.{s3.region}.amazonaws.com"] if s3.region else []
    return [f"https://{s3.bucket}.s3.amazonaws.com", *regional]


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # Scripts are files under /static/; an inline <script> needs the request's nonce ({{ request.csp_nonce }}).
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        # Templates set a few computed values inline (a progress bar's width, an avatar's size).
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", *_media_origins()],
        "media-src": ["'self'", "blob:", *_media_origins()],  # blob: the cameo recording's playback
        "connect-src": ["'self'"],  # 'self' covers the same host's ws:// and wss:// (/ws/events/)
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Camera and microphone for this site only (the cameo recording page); nothing else a page could ask for.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "camera": ["self"],
    "microphone": ["self"],
    "display-capture": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
}
# --- end CSP ---------------------------------------------------------------------------------------
