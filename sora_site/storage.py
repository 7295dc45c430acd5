"""Helpers for files kept in Django storage (local disk or S3)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files.storage import Storage, default_storage


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
