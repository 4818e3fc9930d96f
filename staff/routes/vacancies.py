"""Vacancies of the staff member's regions; an accountmanager publishes a `concept` vacancy (→ `open`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placement.alerts.events import emit_vacancy_published
from placement.models import VACANCY_STATUSES, Employer, Gemeente, Vacancy
from staff import audit
from staff.access import Staff, can_publish, vacancy_scope
from staff.deps import RowId, client_ip, csrf_staff, current_staff, db, refuse
from staff.templating import render, url

router = APIRouter()
PAGE = 50
STATUS_LABELS = {"concept": "Concept", "open": "Open", "closed": "Gesloten", "filled": "Vervuld"}


@router.get("/vacancies", name="vacancies")
def vacancies(request: Request, status: str = "concept", herkomst: str = "", pagina: int = 1,
              staff: Staff = Depends(current_staff), session: Session = Depends(db)) -> Response:
    where = [vacancy_scope(staff)]
    if status in VACANCY_STATUSES:
        where.append(Vacancy.status == status)
    if herkomst in ("chat", "staff", "seed"):
        where.append(Vacancy.origin == herkomst)
    base = select(Vacancy.id).join(Gemeente, Gemeente.code == Vacancy.gemeente_code).where(*where)
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    pages = max(1, -(-total // PAGE))
    pagina = max(1, min(pagina, pages))
    rows = session.execute(
        select(Vacancy, Employer.name.label("employer"), Gemeente.name.label("gemeente"), Gemeente.region_code)
        .join(Employer, Employer.id == Vacancy.employer_id).join(Gemeente, Gemeente.code == Vacancy.gemeente_code)
        .where(*where).order_by(Vacancy.created_at.desc(), Vacancy.id.desc()).limit(PAGE).offset((pagina - 1) * PAGE)
    ).all()
    return render(request, "vacancies.html", rows=rows, total=total, page=pagina, pages=pages, status=status,
                  herkomst=herkomst, statuses=STATUS_LABELS, may_publish=staff.role in ("accountmanager", "admin"))


@router.post("/vacancies/{vacancy_id}/publish", name="publish_vacancy")
def publish(vacancy_id: RowId, request: Request, staff: Staff = Depends(csrf_staff),
            session: Session = Depends(db)) -> Response:
    found = session.execute(select(Vacancy, Gemeente.region_code).join(Gemeente, Gemeente.code == Vacancy.gemeente_code)
                            .where(Vacancy.id == vacancy_id)).first()
    if found is None:
        raise HTTPException(404)
    vacancy, region = found
    if not can_publish(staff, region):
        raise refuse(request, staff, "vacancy", vacancy_id, f"publiceren: rol {staff.role}, regio {region}")
    if vacancy.status == "concept":
        vacancy.status = "open"
        emit_vacancy_published(session, vacancy_id)  # committed with the publication; matched by the alert job
        audit.record(session, "vacancy.publish", staff_id=staff.id, actor=staff.email, target_type="vacancy",
                     target_id=vacancy_id, ip=client_ip(request))
        session.commit()
    return RedirectResponse(url(request, "vacancies", {"melding": "gepubliceerd"}), status_code=303)
