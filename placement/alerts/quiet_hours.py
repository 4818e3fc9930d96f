"""Quiet hours and the daily digest moment, in Europe/Amsterdam time (issue 16).

Nothing is pushed between 21:00 and 08:00 local time (setting ALERT_QUIET_HOURS, "21-8"); an alert
matched then waits until the end hour. The daily digest goes out at the end hour too, so a
`dagelijks` subscriber gets one message each morning. Every function takes the moment as naive UTC
(the form the database columns hold) and returns naive UTC, so tests pass any clock they like; the
placement layer reads no settings, so callers pass the spec string.

Daylight saving time is zoneinfo's job: 08:00 in Amsterdam is 07:00 UTC in winter and 06:00 in summer.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Amsterdam")
DEFAULT_SPEC = "21-8"


@lru_cache(maxsize=16)
def parse(spec: str = DEFAULT_SPEC) -> tuple[int, int]:
    """"21-8" → (21, 8). Equal hours ("0-0") mean: no quiet hours at all."""
    start, end = (int(part) for part in spec.replace(" ", "").split("-"))
    if not (0 <= start <= 23 and 0 <= end <= 23):
        raise ValueError(f"quiet hours must be hours 0-23, not {spec!r}")
    return start, end


def _local(at: dt.datetime) -> dt.datetime:
    return at.replace(tzinfo=dt.UTC).astimezone(ZONE)


def _utc(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE).astimezone(dt.UTC).replace(tzinfo=None)


def is_quiet(at: dt.datetime, spec: str = DEFAULT_SPEC) -> bool:
    start, end = parse(spec)
    if start == end:
        return False
    hour = _local(at).hour
    return (hour >= start or hour < end) if start > end else start <= hour < end


def quiet_end(at: dt.datetime, spec: str = DEFAULT_SPEC) -> dt.datetime:
    """The first moment at or after `at` at which the local clock shows the end hour."""
    _start, end = parse(spec)
    day = _local(at).date()
    for days in (0, 1, 2):
        moment = _utc(day + dt.timedelta(days=days), end)
        if moment >= at:
            return moment
    raise AssertionError("unreachable: an hour of the day recurs within two days")


def next_allowed(at: dt.datetime, spec: str = DEFAULT_SPEC) -> dt.datetime:
    """`at` itself outside quiet hours, else the end of the quiet hours."""
    return quiet_end(at, spec) if is_quiet(at, spec) else at


def next_digest(at: dt.datetime, spec: str = DEFAULT_SPEC) -> dt.datetime:
    """When an alert for a daily subscriber is due: the next digest moment (end hour) at or after `at`."""
    return quiet_end(at, spec)
