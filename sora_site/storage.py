"""Helpers for files kept in Django storage (local disk or S3)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage, Storage, default_storage


def _url_signer() -> signing.TimestampSigner:
    """Made when a URL is signed, not at import: loading the app needs no SECRET_KEY (`make lint`, `migrate`)."""
    return signing.TimestampSigner(salt="sora_site.media-url")


class SignedFileSystemStorage(FileSystemStorage):
    """Local media whose URLs carry a signature that expires after MEDIA_URL_MAX_AGE seconds, so a
    copied link stops working (the S3 storage presigns the same way). `media_serve` checks it, then
    the access rules."""

    def url(self, name: str | None) -> str:
        base = super().url(name)
        return f"{base}?sig={media_url_signature(name or '')}"


def media_url_signature(name: str) -> str:
    """The timestamped signature of a stored name (without the name itself)."""
    return _url_signer().sign(name)[len(name) + 1 :]


def media_url_signature_valid(name: str, signature: str) -> bool:
    try:
        _url_signer().unsign(f"{name}:{signature}", max_age=settings.MEDIA_URL_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        return False
    return True


@contextmanager
def local_path(name: str, storage: Storage = default_storage) -> Iterator[Path]:
    """A local path for a stored file, for libraries that need one (PyAV, dlib).

    Local storage hands out the file itself; remote storage is copied to a temp file that is
    removed when the block ends.
    """
    try:
        path = Path(storage.path(name))
    except NotImplementedError:
        path = None
    if path is not None:
        yield path
        return
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as out:
        with storage.open(name, "rb") as src:
            for chunk in src.chunks():
                out.write(chunk)
        out.flush()
        yield Path(out.name)
