"""The audit log, for admins only (a non-admin is refused, and that refusal is itself logged)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from staff import audit
from staff.access import Staff
from staff.deps import admin_staff, client_ip, db
from staff.models import AuditLog
from staff.templating import render

router = APIRouter()
PAGE = 100


@router.get("/audit", name="audit_log")
def audit_log(request: Request, actie: str = "", uitkomst: str = "", wie: str = "", pagina: int = 1,
              staff: Staff = Depends(admin_staff), session: Session = Depends(db)) -> Response:
    where = []
    if actie in audit.ACTIONS:
        where.append(AuditLog.action == actie)
    if uitkomst in ("ok", "refused"):
        where.append(AuditLog.outcome == uitkomst)
    if wie.strip():
        where.append(AuditLog.actor == wie.strip().lower()[:200])
    total = session.scalar(select(func.count()).select_from(AuditLog).where(*where))
    pages = max(1, -(-total // PAGE))
    pagina = max(1, min(pagina, pages))
    rows = session.scalars(select(AuditLog).where(*where).order_by(AuditLog.id.desc())
                           .limit(PAGE).offset((pagina - 1) * PAGE)).all()
    audit.record(session, "audit.view", staff_id=staff.id, actor=staff.email, target_type="page", target_id="audit",
                 ip=client_ip(request))
    session.commit()
    return render(request, "audit.html", rows=rows, total=total, page=pagina, pages=pages, actions=audit.ACTIONS,
                  filters={"actie": actie, "uitkomst": uitkomst, "wie": wie})
