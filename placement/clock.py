"""The one clock of the data layer: naive UTC, as every DateTime column stores it."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """The current time in UTC without tzinfo (the form the database columns hold)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
