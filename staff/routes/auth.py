"""Sign-in and sign-out.

Sign-in has its own CSRF token (double submit: a random cookie and the same value in the form),
because there is no session yet. Failed sign-ins are logged with the e-mail address as typed and the
IP address; too many of either make the next attempt wait (staff/throttle.py), never lock the account.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from placement.models import StaffMember
from staff import audit, security, throttle
from staff.access import Staff
from staff.deps import COOKIE, LOGIN_COOKIE, client_ip, config, csrf_staff, db
from staff.models import StaffSession
from staff.templating import render, root, url

router = APIRouter()


def _cookie_secure(request: Request) -> bool:
    configured = config(request).cookie_secure
    return configured if configured is not None else request.url.scheme == "https"


def _safe_next(request: Request, nxt: str | None) -> str:
    """Only a path inside the workspace (no open redirect to another site)."""
    base = root(request) + "/"
    if nxt and nxt.startswith(base) and not nxt.startswith("//") and "\\" not in nxt:
        return nxt
    return url(request, "dashboard")


def _login_page(request: Request, status_code: int = 200, error: str | None = None, email: str = "",
                nxt: str = "") -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", status_code=status_code, error=error, email=email,
                      next=nxt, login_token=token)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=_cookie_secure(request),
                        path=root(request) or "/", max_age=3600)
    return response


@router.get("/login", name="login_form")
def login_form(request: Request, next: str = "") -> Response:
    return _login_page(request, nxt=next)


@router.post("/login", name="login")
def login(request: Request, email: str = Form(""), password: str = Form(""), login_token: str = Form(""),
          next: str = Form(""), session: Session = Depends(db)) -> Response:
    cfg = config(request)
    actor = email.strip().lower()[:200]
    ip = client_ip(request)
    if not security.csrf_ok(request.cookies.get(LOGIN_COOKIE, ""), login_token):
        audit.record_now(cfg.engine, "csrf.refused", actor=actor, outcome="refused", ip=ip, detail="inlogformulier",
                         target_type="page", target_id="login")
        return _login_page(request, 403, "Het formulier was verlopen. Probeer het nog een keer.", actor, next)
    wait = throttle.seconds_to_wait(session, actor, ip, cfg.policy)
    if wait:
        audit.record_now(cfg.engine, "auth.login", actor=actor, outcome="refused", ip=ip, detail=throttle.BLOCKED)
        return _login_page(request, 429, f"Te veel mislukte pogingen. Wacht {throttle.wait_text(wait)} en probeer "
                           "het dan opnieuw.", actor, next)
    member = session.scalar(select(StaffMember).where(func.lower(StaffMember.email) == actor)) if actor else None
    if not security.check_password(member, password):
        detail = "onbekend account" if member is None else "inactief account" if not member.active \
            else "geen wachtwoord ingesteld" if not member.password_hash else "onjuist wachtwoord"
        audit.record_now(cfg.engine, "auth.login", staff_id=member.id if member else None, actor=actor,
                         outcome="refused", ip=ip, detail=detail)
        return _login_page(request, 401, "E-mailadres of wachtwoord klopt niet.", actor, next)
    old = request.cookies.get(COOKIE)
    if old and len(old) < 200:  # a new sign-in replaces the browser's previous session
        session.execute(delete(StaffSession).where(StaffSession.id == security.token_hash(old)))
    token, _row = security.start_session(session, member)
    audit.record(session, "auth.login", staff_id=member.id, actor=actor, ip=ip)
    session.commit()
    response = RedirectResponse(_safe_next(request, next), status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=_cookie_secure(request),
                        path=root(request) or "/")
    response.delete_cookie(LOGIN_COOKIE, path=root(request) or "/")
    return response


@router.post("/logout", name="logout")
def logout(request: Request, staff: Staff = Depends(csrf_staff), session: Session = Depends(db)) -> Response:
    row = session.get(StaffSession, staff.session_id)
    if row is not None:
        security.end_session(session, row)
    audit.record(session, "auth.logout", staff_id=staff.id, actor=staff.email, ip=client_ip(request))
    session.commit()
    response = RedirectResponse(url(request, "login_form", {"melding": "uitgelogd"}), status_code=303)
    response.delete_cookie(COOKIE, path=root(request) or "/")
    return response
