"""Sign-in throttling that slows down the attacker, not the owner.

Counted from the audit log (the one record of sign-in attempts), per e-mail address AND per IP
address, over `Policy.failure_window`:
- Up to the limit, nothing happens. From the limit on, the next attempt has to wait: the first wait is
  `Policy.backoff`, and it doubles with every further failure, up to the window itself.
- Only real failures count (wrong password, unknown or inactive account). An attempt refused because
  of the wait is logged as "geblokkeerd" and does not count, so hammering does not extend the wait.
- After the wait the correct password signs in as usual. Nothing here disables an account: turning
  an account off is an admin's decision (the accounts page shows recent failures per account).
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placement import clock
from staff.models import AuditLog
from staff.security import Policy

BLOCKED = "geblokkeerd"
# Details of `auth.login` refusals that are real failed attempts (routes/auth.py writes them).
FAILURES = ("onjuist wachtwoord", "onbekend account", "inactief account", "geen wachtwoord ingesteld")


def _failures(session: Session, column, value: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
    count, last = session.execute(select(func.count(), func.max(AuditLog.at)).where(
        column == value, AuditLog.action == "auth.login", AuditLog.outcome == "refused",
        AuditLog.detail.in_(FAILURES), AuditLog.at >= since)).one()
    return count or 0, last


def _wait(count: int, last: dt.datetime | None, limit: int, policy: Policy, now: dt.datetime) -> float:
    if count < limit or last is None:
        return 0.0
    wait = min(policy.backoff * (2 ** min(count - limit, 20)), policy.failure_window)
    return max(0.0, (last + wait - now).total_seconds())


def seconds_to_wait(session: Session, email: str, ip: str | None, policy: Policy) -> int:
    """0 when a sign-in attempt may go ahead; otherwise the whole seconds left of the longest wait."""
    now = clock.now()
    since = now - policy.failure_window
    waits = []
    if email:
        waits.append(_wait(*_failures(session, AuditLog.actor, email, since), policy.max_failures, policy, now))
    if ip:
        waits.append(_wait(*_failures(session, AuditLog.ip, ip, since), policy.max_failures_per_ip, policy, now))
    return math.ceil(max(waits, default=0.0))


def wait_text(seconds: int) -> str:
    if seconds <= 90:
        return f"{seconds} seconden"
    return f"{math.ceil(seconds / 60)} minuten"


def failures_by_email(session: Session, policy: Policy) -> dict[str, int]:
    """Real failed sign-ins per e-mail address within the window (the accounts page shows them)."""
    since = clock.now() - policy.failure_window
    rows = session.execute(select(AuditLog.actor, func.count()).where(
        AuditLog.action == "auth.login", AuditLog.outcome == "refused", AuditLog.detail.in_(FAILURES),
        AuditLog.at >= since).group_by(AuditLog.actor)).all()
    return {actor: count for actor, count in rows}
