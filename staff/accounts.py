"""Staff accounts as admins manage them in the workspace: create, change role and regions, switch off
and on, one-time password links. Every change writes its audit row in the same transaction.

Validation names every problem in Dutch and changes nothing when there is one (duplicate e-mail
address, unknown region code, unknown role, missing region for a non-admin). The rules are those of
the CSV import (placement/imports.py), so both ways of adding people agree.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from placement import clock
from placement.imports import EMAIL
from placement.models import STAFF_ROLES, Region, StaffMember, StaffRegion
from staff import audit, security
from staff.access import ROLE_LABELS
from staff.models import StaffPasswordReset

RESET_VALID = dt.timedelta(hours=24)
SEPARATORS = re.compile(r"[\s,;]+")


class Invalid(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Actor:
    """Who makes the change (for the audit row)."""

    staff_id: int
    email: str
    ip: str | None


def _regions(session: Session, role: str, text: str, problems: list[str]) -> list[str]:
    codes = sorted({c.upper() for c in SEPARATORS.split(text or "") if c})
    known = set(session.scalars(select(Region.code)))
    unknown = [c for c in codes if c not in known]
    if unknown:
        problems.append(f"Onbekende regiocode: {', '.join(unknown)}. Gebruik codes zoals AM20 "
                        "(de arbeidsmarktregio's van het CBS).")
    elif not codes and role != "admin":
        problems.append(f"Een {ROLE_LABELS.get(role, role)} heeft minstens één regio nodig, bijvoorbeeld AM20.")
    return codes


def _role(role: str, problems: list[str]) -> str:
    role = (role or "").strip().lower()
    if role not in STAFF_ROLES:
        problems.append(f"Kies een rol: {', '.join(ROLE_LABELS[r] for r in STAFF_ROLES)}.")
    return role


def create(session: Session, actor: Actor, name: str, email: str, role: str, regions: str) -> StaffMember:
    """A new active account without a password (the admin then makes a password link)."""
    problems: list[str] = []
    name, email = " ".join((name or "").split())[:120], (email or "").strip().lower()
    if not name:
        problems.append("Vul een naam in.")
    if not EMAIL.match(email):
        problems.append("Vul een geldig e-mailadres in, zoals naam@organisatie.nl.")
    elif session.scalar(select(StaffMember.id).where(func.lower(StaffMember.email) == email)):
        problems.append(f"Er is al een account met e-mailadres {email}.")
    role = _role(role, problems)
    codes = _regions(session, role, regions, problems)
    if problems:
        raise Invalid(problems)
    member = StaffMember(name=name, email=email, role=role, active=True)
    member.regions = [StaffRegion(region_code=code) for code in codes]
    session.add(member)
    session.flush()
    audit.record(session, "user.create", staff_id=actor.staff_id, actor=actor.email, target_type="staff",
                 target_id=member.id, ip=actor.ip, detail=f"{role} {','.join(codes)}".strip())
    return member


def change(session: Session, actor: Actor, member: StaffMember, role: str, regions: str) -> None:
    """New role and regions; the member's open sessions end so the new rights apply at once."""
    problems: list[str] = []
    role = _role(role, problems)
    codes = _regions(session, role, regions, problems)
    if member.id == actor.staff_id and role != "admin":
        problems.append("U kunt uw eigen beheerdersrol niet weghalen. Vraag een andere beheerder.")
    if problems:
        raise Invalid(problems)
    member.role = role
    member.regions = [StaffRegion(region_code=code) for code in codes]
    security.end_all_sessions(session, member.id)
    audit.record(session, "user.update", staff_id=actor.staff_id, actor=actor.email, target_type="staff",
                 target_id=member.id, ip=actor.ip, detail=f"{role} {','.join(codes)}".strip())


def set_active(session: Session, actor: Actor, member: StaffMember, active: bool) -> None:
    if not active and member.id == actor.staff_id:
        raise Invalid(["U kunt uw eigen account niet uitzetten. Vraag een andere beheerder."])
    member.active = active
    if not active:
        security.end_all_sessions(session, member.id)
        _void_links(session, member.id)
    audit.record(session, "user.reactivate" if active else "user.deactivate", staff_id=actor.staff_id,
                 actor=actor.email, target_type="staff", target_id=member.id, ip=actor.ip)


def _void_links(session: Session, staff_id: int) -> None:
    session.execute(update(StaffPasswordReset).where(StaffPasswordReset.staff_id == staff_id,
                                                     StaffPasswordReset.used_at.is_(None))
                    .values(used_at=clock.now()))


def make_reset_link(session: Session, actor: Actor, member: StaffMember) -> str:
    """A new one-time token (earlier unused links stop working); only its hash is stored."""
    if not member.active:
        raise Invalid(["Dit account staat uit. Zet het eerst weer aan."])
    _void_links(session, member.id)
    token = secrets.token_urlsafe(32)
    session.add(StaffPasswordReset(id=security.token_hash(token), staff_id=member.id, created_by=actor.staff_id,
                                   expires_at=clock.now() + RESET_VALID))
    audit.record(session, "user.reset", staff_id=actor.staff_id, actor=actor.email, target_type="staff",
                 target_id=member.id, ip=actor.ip, detail="geldig 24 uur")
    return token


def open_link(session: Session, token: str) -> StaffPasswordReset | None:
    """The unused, unexpired link for this token, or None."""
    if not token or len(token) > 200:
        return None
    row = session.get(StaffPasswordReset, security.token_hash(token))
    if row is None or row.used_at is not None or row.expires_at < clock.now():
        return None
    member = session.get(StaffMember, row.staff_id)
    return row if member is not None and member.active else None


def use_link(session: Session, row: StaffPasswordReset, password: str, repeat: str, ip: str | None) -> StaffMember:
    if password != repeat:
        raise Invalid(["De twee wachtwoorden zijn niet gelijk."])
    try:
        password_hash = security.hash_password(password)
    except ValueError as exc:
        raise Invalid([str(exc)]) from exc
    member = session.get(StaffMember, row.staff_id)
    member.password_hash = password_hash
    row.used_at = clock.now()
    security.end_all_sessions(session, member.id)  # a new password signs out every browser
    audit.record(session, "user.password", staff_id=member.id, actor=member.email, target_type="staff",
                 target_id=member.id, ip=ip, detail="via eenmalige link")
    return member
