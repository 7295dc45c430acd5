"""A page that holds a database connection while it works, for tests of what a server does when it
gives up on a request (tests/platform/test_connection_pool.py)."""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse
from django.urls import path

from feed.models import User

WORK_S = 0.6


def busy(request: HttpRequest) -> HttpResponse:
    people = User.objects.count()  # takes a connection from the pool
    time.sleep(WORK_S)  # still working when the server gives up
    return HttpResponse(str(people))


urlpatterns = [path("busy/", busy)]
