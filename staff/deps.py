"""FastAPI dependencies: database session, signed-in staff member, CSRF check, admin check, refusals.

Every refusal (expired session, CSRF, other region, non-admin) is written to the audit log in its
own transaction before the response goes out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from placement.db import session_factory
from placement.models import StaffMember, StaffRegion
from staff import audit, security
from staff.access import Staff
from staff.config import StaffConfig

# A row id in a URL: bounded, so /staff/leads/99999999999999999999 is a 422, never an overflow in the database.
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]

COOKIE = "werkpunt_staff"
LOGIN_COOKIE = "werkpunt_staff_login"
POLL_HEADER = "x-staff-poll"


class LoginRequired(Exception):
    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason or "login")
        self.reason = reason


class Refused(Exception):
    """403: the response says "no access", never what the record is."""

    def __init__(self, message: str = "U heeft geen toegang tot deze pagina.") -> None:
        super().__init__(message)
        self.message = message


def config(request: Request) -> StaffConfig:
    return request.app.state.staff


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def db(request: Request) -> Iterator[Session]:
    session = session_factory(config(request).engine)()
    try:
        yield session
    finally:
        session.close()  # uncommitted work is rolled back


def current_staff(request: Request, session: Session = Depends(db)) -> Staff:
    cfg = config(request)
    token = request.cookies.get(COOKIE)
    poll = request.headers.get(POLL_HEADER) == "1"  # background refreshes do not count as activity
    from staff.models import StaffSession

    before = session.get(StaffSession, security.token_hash(token)) if token and len(token) < 200 else None
    staff_id = before.staff_id if before else None
    row, reason = security.load_session(session, token, cfg.policy, touch=not poll)
    if row is None:
        if reason:
            audit.record_now(cfg.engine, "auth.session_expired", staff_id=staff_id, outcome="refused",
                             ip=client_ip(request), detail=reason, target_type="page",
                             target_id=request.url.path[-64:])
        raise LoginRequired("verlopen" if reason else None)
    member = session.get(StaffMember, row.staff_id)
    regions = tuple(sorted(session.scalars(select(StaffRegion.region_code).where(StaffRegion.staff_id == member.id))))
    staff = Staff(id=member.id, name=member.name, email=member.email, role=member.role, regions=regions,
                  session_id=row.id, csrf_token=row.csrf_token)
    request.state.staff = staff
    return staff


async def csrf_staff(request: Request, staff: Staff = Depends(current_staff)) -> Staff:
    """For every state-changing request: the form (or X-CSRF-Token header) must carry the session's token."""
    given = request.headers.get("x-csrf-token")
    if given is None:
        form = await request.form()
        given = form.get("csrf_token")
    if not security.csrf_ok(staff.csrf_token, given if isinstance(given, str) else None):
        await run_in_threadpool(audit.record_now, config(request).engine, "csrf.refused", staff_id=staff.id,
                                actor=staff.email, outcome="refused", ip=client_ip(request),
                                detail="ontbreekt" if not given else "onjuist", target_type="page",
                                target_id=request.url.path[-64:])
        raise Refused("Dit formulier is verlopen of niet door Werkpunt gemaakt. Laad de pagina opnieuw.")
    return staff


def refuse(request: Request, staff: Staff, target_type: str, target_id, detail: str = "") -> Refused:
    """Log a refused access to a record and return the exception to raise."""
    audit.record_now(config(request).engine, "access.denied", staff_id=staff.id, actor=staff.email,
                     outcome="refused", target_type=target_type, target_id=target_id, ip=client_ip(request),
                     detail=detail)
    return Refused()


def admin_staff(request: Request, staff: Staff = Depends(current_staff)) -> Staff:
    if not staff.is_admin:
        raise refuse(request, staff, "page", request.url.path[-64:], "alleen voor beheerders")
    return staff
