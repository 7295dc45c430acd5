from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections


@pytest.fixture(autouse=True)
def keep_db_connection() -> Iterator[None]:
    """In-process SDK calls go through Django's WSGI handler, which closes the database connection at
    the end of each request; the test's transaction lives on that connection (Django's test client
    disconnects these receivers the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
