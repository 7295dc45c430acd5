"""Typed readers for settings that come from the environment.

Each helper raises ImproperlyConfigured with the variable's name on a bad value, so a typo in a
deployment stops the process at start-up instead of surfacing as odd behaviour later.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload
from urllib.parse import parse_qs, unquote, urlparse

from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"{name} must be set")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be >= {minimum}, got {value}")
    return value


def env_float(name: str, default: float, *, minimum: float | None = None, maximum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ImproperlyConfigured(f"{name} must be within [{minimum}, {maximum}], got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


@overload
def env_path(name: str, default: Path, *, must_exist: bool = False) -> Path: ...
@overload
def env_path(name: str, default: None = None, *, must_exist: bool = False) -> Path | None: ...
def env_path(name: str, default: Path | None = None, *, must_exist: bool = False) -> Path | None:
    raw = os.environ.get(name)
    if raw is None:
        return default
    path = Path(raw).expanduser()
    if must_exist and not path.exists():
        raise ImproperlyConfigured(f"{name} points to {path}, which does not exist")
    return path


def parse_database_url(url: str) -> dict[str, Any]:
    """postgres://user:pass@host:port/name into a Django DATABASES entry. A Unix socket directory goes in
    the query, as libpq's URIs write it: postgres://user@/name?host=/path/to/dir. Other query
    parameters are libpq's connection options (sslmode=require, ...)."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL scheme must be postgres, got {parsed.scheme!r}")
    name = unquote(parsed.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured(f"DATABASE_URL must name a database, got {url!r}")
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    socket_dir = options.pop("host", "")
    if parsed.hostname and socket_dir:
        raise ImproperlyConfigured(f"DATABASE_URL names a host twice: {url!r}")
    try:
        port = parsed.port
    except ValueError:
        raise ImproperlyConfigured(f"DATABASE_URL has a bad port: {url!r}") from None
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or socket_dir,
        "PORT": str(port or ""),
        "OPTIONS": options,
    }


def check_redis_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in {"redis", "rediss", "unix"} or not (parsed.hostname or parsed.path):
        raise ImproperlyConfigured(f"REDIS_URL must look like redis://host:port/db, got {url!r}")
    return url


@dataclass(frozen=True)
class S3Settings:
    bucket: str
    endpoint_url: str | None
    region: str | None
    access_key: str | None
    secret_key: str | None
    # Tries per S3 request, with backoff (botocore's "standard" retries: random, doubling, at most 20 s
    # apart). A worker host sets more (S3_MAX_ATTEMPTS=15: about a minute; 10 gave up after 13 s), so a
    # finished video waits out a short S3 outage instead of failing; a web host keeps few, so no request
    # waits long.
    max_attempts: int = 3


def read_s3_settings() -> S3Settings:
    return S3Settings(
        bucket=env_str("S3_BUCKET"),
        endpoint_url=os.environ.get("S3_ENDPOINT_URL") or None,
        region=os.environ.get("S3_REGION") or None,
        access_key=os.environ.get("S3_ACCESS_KEY_ID") or None,
        secret_key=os.environ.get("S3_SECRET_ACCESS_KEY") or None,
        max_attempts=env_int("S3_MAX_ATTEMPTS", 3, minimum=1),
    )


def s3_storage_config(s3: S3Settings) -> dict[str, object]:
    """The STORAGES["default"] entry for S3: private objects, presigned (SigV4) URLs for an hour."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": s3.bucket,
            "endpoint_url": s3.endpoint_url,
            "region_name": s3.region,
            "access_key": s3.access_key,
            "secret_key": s3.secret_key,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 3600,
            "signature_version": "s3v4",
            "client_config": Config(
                signature_version="s3v4", retries={"mode": "standard", "max_attempts": s3.max_attempts}
            ),
            "file_overwrite": False,
        },
    }


def secret_key_read(var_dir: Path) -> str | None:
    """SECRET_KEY from the environment (at least 50 characters), else the key in `var_dir`/secret_key
    (`secret_key_file_ensure` wrote it); None when there is neither. Reads only."""
    from_env = env_str("SECRET_KEY", "")
    if from_env:
        if len(from_env) < 50:
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters")
        return from_env
    key_file = var_dir / "secret_key"
    return key_file.read_text().strip() if key_file.is_file() else None


def secret_key_file_ensure(var_dir: Path) -> Path:
    """The setup step `make run` takes before anything starts: a key generated once into
    `var_dir`/secret_key (owner-only, never committed), shared by every process that reads VAR_DIR."""
    var_dir.mkdir(parents=True, exist_ok=True)
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file
