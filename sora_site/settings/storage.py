"""Static files and media: where they live (VAR_DIR, or S3 for media), how media URLs are signed,
upload limits."""

from __future__ import annotations

from sora_site.env import env_bool, env_choice, env_int, read_s3_settings, s3_storage_config
from sora_site.settings.base import BASE_DIR, VAR_DIR

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# `make run` makes it (WhiteNoise warns on a missing root before `collectstatic`).
STATIC_ROOT = VAR_DIR / "staticfiles"
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
# Local media URLs are signed and expire (sora_site/media_views.py); S3 URLs are presigned for as long.
MEDIA_URL_MAX_AGE = env_int("MEDIA_URL_MAX_AGE", 3600, minimum=60)

# Uploads: Django spools anything over 2.5 MB to disk; per-field limits live in the forms.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
