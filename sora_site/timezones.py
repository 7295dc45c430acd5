"""The viewer's time zone: an account's own (`User.time_zone`), else the one their browser reports."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from django.utils import timezone

TIME_ZONE_COOKIE = "tz"  # set by static/js/app.js from Intl.DateTimeFormat().resolvedOptions().timeZone


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_names() -> list[str]:
    return sorted(_time_zones())


def time_zone_valid(name: str) -> bool:
    return bool(name) and name in _time_zones()


def zone_of(name: str) -> dt.tzinfo:
    """The zone called `name`, or the site's (UTC) when it is blank or unknown."""
    return zoneinfo.ZoneInfo(name) if time_zone_valid(name) else timezone.get_default_timezone()


def local_midnight(name: str, now: dt.datetime | None = None) -> dt.datetime:
    """The last midnight in zone `name` (an aware datetime): where a "today" limit starts for someone there."""
    local = timezone.localtime(now or timezone.now(), zone_of(name))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)
