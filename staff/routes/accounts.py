"""Admin pages for staff accounts, and the public page behind a one-time password link.

The link is shown once, on the page that answers the admin's "make link" request (never in a
redirect URL or the audit log); the admin passes it on. Only a hash of the token is stored.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from placement.models import STAFF_ROLES, Region, StaffMember
from staff import accounts, audit, throttle
from staff.access import ROLE_LABELS, Staff
from staff.deps import admin_staff, client_ip, config, csrf_staff, db
from staff.templating import render, url

router = APIRouter()


def admin_csrf(request: Request, staff: Staff = Depends(csrf_staff)) -> Staff:
    return admin_staff(request, staff)


def _actor(request: Request, staff: Staff) -> accounts.Actor:
    return accounts.Actor(staff.id, staff.email, client_ip(request))


def _list_page(request: Request, session: Session, staff: Staff, status_code: int = 200, problems=(),
               form: dict | None = None) -> Response:
    members = list(session.scalars(select(StaffMember).options(selectinload(StaffMember.regions))
                                   .order_by(StaffMember.active.desc(), StaffMember.name)))
    audit.record(session, "user.list", staff_id=staff.id, actor=staff.email, target_type="page",
                 target_id="accounts", ip=client_ip(request), detail=f"{len(members)} accounts")
    session.commit()
    return render(request, "accounts.html", status_code=status_code, members=members, problems=problems,
                  form=form or {"name": "", "email": "", "role": "consulent", "regions": ""}, roles=STAFF_ROLES, role_labels=ROLE_LABELS,
                  failures=throttle.failures_by_email(session, config(request).policy),
                  regions=session.execute(select(Region.code, Region.name).order_by(Region.code)).all())


def _member(session: Session, staff_id: int) -> StaffMember:
    member = session.get(StaffMember, staff_id)
    if member is None:
        raise HTTPException(404)
    return member


def _detail_page(request: Request, session: Session, staff: Staff, member: StaffMember, status_code: int = 200,
                 problems=(), link: str | None = None) -> Response:
    audit.record(session, "user.view", staff_id=staff.id, actor=staff.email, target_type="staff",
                 target_id=member.id, ip=client_ip(request))
    session.commit()
    return render(request, "account.html", status_code=status_code, member=member, problems=problems, link=link,
                  roles=STAFF_ROLES, role_labels=ROLE_LABELS,
                  failures=throttle.failures_by_email(session, config(request).policy).get(member.email, 0),
                  region_text=" ".join(r.region_code for r in member.regions))


@router.get("/accounts", name="accounts")
def account_list(request: Request, staff: Staff = Depends(admin_staff), session: Session = Depends(db)) -> Response:
    return _list_page(request, session, staff)


@router.post("/accounts", name="create_account")
def create_account(request: Request, name: str = Form(""), email: str = Form(""), role: str = Form(""),
                   regions: str = Form(""), staff: Staff = Depends(admin_csrf),
                   session: Session = Depends(db)) -> Response:
    try:
        member = accounts.create(session, _actor(request, staff), name, email, role, regions)
    except accounts.Invalid as exc:
        session.rollback()
        return _list_page(request, session, staff, 400, exc.problems,
                          {"name": name, "email": email, "role": role, "regions": regions})
    session.commit()
    return RedirectResponse(url(request, "account", {"melding": "account-gemaakt"}, staff_id=member.id), 303)


@router.get("/accounts/{staff_id}", name="account")
def account(staff_id: int, request: Request, staff: Staff = Depends(admin_staff),
            session: Session = Depends(db)) -> Response:
    return _detail_page(request, session, staff, _member(session, staff_id))


@router.post("/accounts/{staff_id}", name="update_account")
def update_account(staff_id: int, request: Request, role: str = Form(""), regions: str = Form(""),
                   staff: Staff = Depends(admin_csrf), session: Session = Depends(db)) -> Response:
    member = _member(session, staff_id)
    try:
        accounts.change(session, _actor(request, staff), member, role, regions)
    except accounts.Invalid as exc:
        session.rollback()
        return _detail_page(request, session, staff, _member(session, staff_id), 400, exc.problems)
    session.commit()
    return RedirectResponse(url(request, "account", {"melding": "account-gewijzigd"}, staff_id=staff_id), 303)


@router.post("/accounts/{staff_id}/active", name="set_account_active")
def set_account_active(staff_id: int, request: Request, active: str = Form(""), staff: Staff = Depends(admin_csrf),
                       session: Session = Depends(db)) -> Response:
    member = _member(session, staff_id)
    try:
        accounts.set_active(session, _actor(request, staff), member, active == "1")
    except accounts.Invalid as exc:
        session.rollback()
        return _detail_page(request, session, staff, _member(session, staff_id), 400, exc.problems)
    session.commit()
    notice = "account-aan" if active == "1" else "account-uit"
    return RedirectResponse(url(request, "account", {"melding": notice}, staff_id=staff_id), 303)


@router.post("/accounts/{staff_id}/reset", name="reset_link")
def reset_link(staff_id: int, request: Request, staff: Staff = Depends(admin_csrf),
               session: Session = Depends(db)) -> Response:
    member = _member(session, staff_id)
    try:
        token = accounts.make_reset_link(session, _actor(request, staff), member)
    except accounts.Invalid as exc:
        session.rollback()
        return _detail_page(request, session, staff, member, 400, exc.problems)
    session.commit()
    link = f"{request.url.scheme}://{request.url.netloc}" + url(request, "reset_form", token=token)
    return _detail_page(request, session, staff, member, link=link)


@router.get("/wachtwoord/{token}", name="reset_form")
def reset_form(token: str, request: Request, session: Session = Depends(db)) -> Response:
    valid = accounts.open_link(session, token) is not None
    return render(request, "reset.html", status_code=200 if valid else 404, valid=valid, token=token, problems=())


@router.post("/wachtwoord/{token}", name="reset_password")
def reset_password(token: str, request: Request, password: str = Form(""), repeat: str = Form(""),
                   session: Session = Depends(db)) -> Response:
    row = accounts.open_link(session, token)
    if row is None:
        return render(request, "reset.html", status_code=404, valid=False, token=token, problems=())
    try:
        accounts.use_link(session, row, password, repeat, client_ip(request))
    except accounts.Invalid as exc:
        session.rollback()
        return render(request, "reset.html", status_code=400, valid=True, token=token, problems=exc.problems)
    session.commit()
    return RedirectResponse(url(request, "login_form", {"melding": "wachtwoord-gezet"}), 303)
