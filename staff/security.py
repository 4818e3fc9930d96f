"""Passwords (argon2id), server-side sessions with idle and absolute expiry, CSRF tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete
from sqlalchemy.orm import Session

from placement import clock
from placement.models import StaffMember
from staff.models import StaffSession

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the e-mail address is unknown, so that the answer takes as long as a real check.
_DUMMY_HASH = _hasher.hash("werkpunt-no-such-user")
MIN_PASSWORD_LENGTH = 12
TOUCH_EVERY = dt.timedelta(seconds=60)  # write last_seen_at at most once a minute


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Een wachtwoord heeft minstens {MIN_PASSWORD_LENGTH} tekens.")
    return _hasher.hash(password)


def check_password(member: StaffMember | None, password: str) -> bool:
    """Constant-effort check; rehashes in place when the parameters have become stronger."""
    stored = member.password_hash if member is not None and member.active else None
    try:
        _hasher.verify(stored or _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if stored is None:
        return False
    if _hasher.check_needs_rehash(stored):
        member.password_hash = _hasher.hash(password)
    return True


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Policy:
    idle: dt.timedelta
    absolute: dt.timedelta
    max_failures: int
    failure_window: dt.timedelta = dt.timedelta(minutes=15)
    max_failures_per_ip: int = 20
    backoff: dt.timedelta = dt.timedelta(seconds=30)


def start_session(session: Session, member: StaffMember) -> tuple[str, StaffSession]:
    """A new random token for the cookie; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    row = StaffSession(id=token_hash(token), staff_id=member.id, csrf_token=secrets.token_urlsafe(32))
    session.add(row)
    return token, row


def load_session(session: Session, token: str | None, policy: Policy,
                 touch: bool = True) -> tuple[StaffSession | None, str | None]:
    """(session, None) if valid; (None, reason) otherwise, reason in {None, 'idle', 'absolute', 'inactive'}.

    An expired session row is deleted; the caller logs the refusal.
    """
    if not token or len(token) > 200:
        return None, None
    row = session.get(StaffSession, token_hash(token))
    if row is None:
        return None, None
    now = clock.now()
    reason = None
    if now - row.created_at > policy.absolute:
        reason = "absolute"
    elif now - row.last_seen_at > policy.idle:
        reason = "idle"
    else:
        member = session.get(StaffMember, row.staff_id)
        if member is None or not member.active:
            reason = "inactive"
    if reason:
        session.delete(row)
        session.commit()
        return None, reason
    if touch and now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        session.commit()
    return row, None


def end_session(session: Session, row: StaffSession) -> None:
    session.execute(delete(StaffSession).where(StaffSession.id == row.id))


def end_all_sessions(session: Session, staff_id: int) -> None:
    session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id))


def purge_expired_sessions(session: Session, policy: Policy) -> int:
    now = clock.now()
    result = session.execute(delete(StaffSession).where(
        (StaffSession.last_seen_at < now - policy.idle) | (StaffSession.created_at < now - policy.absolute)))
    return result.rowcount or 0


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())
