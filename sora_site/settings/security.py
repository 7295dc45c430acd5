"""HTTPS, cookies and response headers: Content-Security-Policy (django-csp) and Permissions-Policy
(django-permissions-policy). HTTPS_ONLY turns on what a deployment behind TLS needs (`check --deploy`
is clean)."""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.constants import NONCE

from sora_site.env import env_bool, read_s3_settings
from sora_site.settings.storage import MEDIA_STORAGE

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
