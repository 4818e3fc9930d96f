"""The daily retention job of the running stack: `python -m werkpunt.retention_job` (werkpunt/stack.py starts it).

It applies every retention period (staff/retention.py, settings RETENTION_*) each day at RETENTION_TIME,
Europe/Amsterdam time, and once right at start when the last completed run (its audit row) is more
than a day ago or there never was one: a laptop that is off at 03:30 still keeps the promise the bot
makes. One process per stack; a second one would only find nothing left to delete.

The log (var/log/bewaartermijn.log) holds times and counts, never content.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from placement import clock
from placement.db import engine_for
from settings import Settings, get_settings
from staff import retention
from staff.security import Policy

log = logging.getLogger("werkpunt.bewaartermijn")
ZONE = ZoneInfo("Europe/Amsterdam")
DAY = dt.timedelta(days=1)
RETRY = dt.timedelta(minutes=10)  # after a failed run (database away), try again this much later
MAX_NAP = 300.0  # seconds; short naps notice a suspended laptop or a changed clock soon enough


def next_run(after: dt.datetime, time_of_day: str) -> dt.datetime:
    """The first moment after `after` (naive UTC) at which the clock in Amsterdam shows `time_of_day`."""
    hours, minutes = (int(part) for part in time_of_day.split(":"))
    local = after.replace(tzinfo=dt.UTC).astimezone(ZONE)
    for days in (0, 1, 2):
        day = local.date() + dt.timedelta(days=days)
        moment = dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=ZONE).astimezone(dt.UTC)
        moment = moment.replace(tzinfo=None)
        if moment > after:
            return moment
    raise AssertionError("unreachable: a time of day recurs within two days")


def overdue(last: dt.datetime | None, now: dt.datetime) -> bool:
    """True when no run completed in the last day (so the job runs at start, not only at RETENTION_TIME)."""
    return last is None or now - last > DAY


class Job:
    """One stack's retention schedule. `now` and `sleep` are the real clock unless a test fixes them."""

    def __init__(self, settings: Settings, *, now: Callable[[], dt.datetime] = clock.now,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.now, self.sleep = now, sleep
        self.engine = engine_for(settings.database_url)
        self.tracker_engine = engine_for(settings.tracker_store_url)
        self.periods = retention.Periods.from_settings(settings)
        # Expired staff sessions are purged with the same limits the workspace applies (staff/config.py).
        self.policy = Policy(idle=dt.timedelta(minutes=settings.staff_session_idle_minutes),
                             absolute=dt.timedelta(hours=settings.staff_session_max_hours),
                             max_failures=settings.staff_login_max_failures)
        self.runs = 0

    def run_once(self) -> bool:
        """Apply every period now; False (and logged) when it failed, e.g. because the database is away."""
        try:
            result = retention.run(self.engine, self.tracker_engine, self.periods, policy=self.policy,
                                   now=self.now())
        except Exception as exc:  # noqa: BLE001 - the schedule survives; the next attempt comes soon
            log.error("bewaartermijn mislukt (%s); nieuwe poging over %d minuten", type(exc).__name__,
                      RETRY.seconds // 60)
            return False
        self.runs += 1
        log.info("bewaartermijn toegepast (%s): %s", self.periods, result)
        return True

    def wait_until(self, moment: dt.datetime) -> None:
        while (left := (moment - self.now()).total_seconds()) > 0:
            self.sleep(min(left, MAX_NAP))

    def serve(self, max_runs: int | None = None) -> None:
        """Run at start if overdue, then every day at RETENTION_TIME; `max_runs` ends it (for tests)."""
        try:
            due = overdue(retention.last_run(self.engine), self.now())
        except Exception as exc:  # noqa: BLE001 - no database yet: treat as overdue, run_once retries
            log.error("laatste ronde onbekend (%s)", type(exc).__name__)
            due = True
        if due:
            log.info("laatste ronde is meer dan een dag geleden of was er nooit: nu uitvoeren")
            self._run_until_done()
        while max_runs is None or self.runs < max_runs:
            moment = next_run(self.now(), self.settings.retention_time)
            log.info("volgende ronde: %s UTC (%s in Amsterdam)", moment.isoformat(timespec="minutes"),
                     self.settings.retention_time)
            self.wait_until(moment)
            self._run_until_done()

    def _run_until_done(self) -> None:
        while not self.run_once():
            self.wait_until(self.now() + RETRY)


def main() -> int:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stdout,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log.info("bewaartermijn-taak gestart: elke dag om %s (Europe/Amsterdam)", settings.retention_time)
    try:
        Job(settings).serve()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
