"""Leads from the chat (callbacks, vacancy intakes, handoffs, applications): list, detail, status, assignee."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placement.models import LEAD_KINDS, LEAD_STATUSES, Conversation, Lead, StaffMember, StaffRegion, Vacancy
from staff import audit
from staff.access import Staff, can_see_lead, lead_scope
from staff.deps import RowId, client_ip, csrf_staff, current_staff, db, refuse
from staff.summary import conversation_ref
from staff.templating import render, url

router = APIRouter()
KIND_LABELS = {"callback": "Terugbelverzoek", "vacancy_intake": "Vacature-intake", "handoff": "Medewerker gevraagd",
               "application": "Sollicitatie", "candidate_proposal": "Kandidaatvoorstel"}
STATUS_LABELS = {"nieuw": "Nieuw", "opgepakt": "Opgepakt", "afgerond": "Afgerond"}
PAGE = 50


@router.get("/leads", name="leads")
def leads(request: Request, soort: str = "", status: str = "", van_mij: str = "", pagina: int = 1,
          staff: Staff = Depends(current_staff), session: Session = Depends(db)) -> Response:
    where = [lead_scope(staff)]
    if soort in LEAD_KINDS:
        where.append(Lead.kind == soort)
    if status in LEAD_STATUSES:
        where.append(Lead.status == status)
    if van_mij == "1":
        where.append(Lead.assigned_staff_id == staff.id)
    total = session.scalar(select(func.count()).select_from(Lead).where(*where))
    pages = max(1, -(-total // PAGE))
    pagina = max(1, min(pagina, pages))
    rows = session.execute(select(Lead, StaffMember.name)
                           .outerjoin(StaffMember, StaffMember.id == Lead.assigned_staff_id)
                           .where(*where).order_by(Lead.created_at.desc(), Lead.id.desc())
                           .limit(PAGE).offset((pagina - 1) * PAGE)).all()
    # The list shows each lead's topic, which the user may have typed: a view of personal data.
    audit.record(session, "lead.list", staff_id=staff.id, actor=staff.email, target_type="page", target_id="leads",
                 ip=client_ip(request), detail=f"pagina {pagina}, {len(rows)} leads")
    session.commit()
    return render(request, "leads.html", rows=rows, total=total, page=pagina, pages=pages,
                  filters={"soort": soort, "status": status, "van_mij": van_mij},
                  kinds=KIND_LABELS, statuses=STATUS_LABELS)


def _load(request: Request, session: Session, staff: Staff, lead_id: int) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise HTTPException(404)
    if not can_see_lead(staff, lead):
        raise refuse(request, staff, "lead", lead_id, f"regio {lead.region_code or 'onbekend'}")
    return lead


def _colleagues(session: Session, lead: Lead) -> list:
    query = select(StaffMember.id, StaffMember.name, StaffMember.role).where(StaffMember.active.is_(True))
    if lead.region_code:
        query = query.join(StaffRegion, StaffRegion.staff_id == StaffMember.id).where(
            StaffRegion.region_code == lead.region_code)
    else:
        query = query.where(StaffMember.role == "admin")
    return session.execute(query.order_by(StaffMember.name)).all()


@router.get("/leads/{lead_id}", name="lead")
def lead_detail(lead_id: RowId, request: Request, staff: Staff = Depends(current_staff),
                session: Session = Depends(db)) -> Response:
    lead = _load(request, session, staff, lead_id)
    audit.record(session, "lead.view", staff_id=staff.id, actor=staff.email, target_type="lead", target_id=lead_id,
                 ip=client_ip(request))
    session.commit()
    ref = conversation_ref(lead.sender_id) if lead.sender_id and session.get(Conversation, lead.sender_id) else None
    vacancy = session.get(Vacancy, lead.vacancy_id) if lead.vacancy_id else None
    return render(request, "lead.html", lead=lead, ref=ref, vacancy=vacancy, colleagues=_colleagues(session, lead),
                  kinds=KIND_LABELS, statuses=STATUS_LABELS)


@router.post("/leads/{lead_id}", name="update_lead")
def update_lead(lead_id: RowId, request: Request, status: str = Form(""), assignee: str = Form(""),
                note: str = Form(""), staff: Staff = Depends(csrf_staff), session: Session = Depends(db)) -> Response:
    lead = _load(request, session, staff, lead_id)
    changes = []
    if status in LEAD_STATUSES and status != lead.status:
        lead.status = status
        changes.append(f"status {status}")
    if assignee:
        allowed = {row.id for row in _colleagues(session, lead)} | {staff.id}
        new = int(assignee) if re.fullmatch(r"[0-9]{1,9}", assignee) and int(assignee) in allowed else None  # "²".isdigit()
        if assignee == "-":
            new = None
        if (new is not None or assignee == "-") and new != lead.assigned_staff_id:
            lead.assigned_staff_id = new
            changes.append(f"toegewezen aan {new or 'niemand'}")
    if note.strip():
        lead.note = (lead.note + "\n" if lead.note else "") + note.strip()[:2000]
        changes.append("notitie")
    audit.record(session, "lead.update", staff_id=staff.id, actor=staff.email, target_type="lead", target_id=lead_id,
                 ip=client_ip(request), detail=", ".join(changes) or "geen wijziging")
    session.commit()
    return RedirectResponse(url(request, "lead", {"melding": "lead"}, lead_id=lead_id), status_code=303)
