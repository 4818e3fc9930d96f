"""Match alerts (issue 16): what was sent to whom, paused subscriptions and the figures per region."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from placement.alerts.models import ALERT_STATUSES
from staff import alert_figures, audit
from staff.access import Staff
from staff.deps import client_ip, current_staff, db
from staff.templating import render

router = APIRouter()
PAGE = 50
STATUS_LABELS = {"wachtend": "Wacht", "verzonden": "Verzonden", "geopend": "Geopend", "gesolliciteerd": "Gereageerd",
                 "niet_passend": "Niet passend", "verlopen": "Verlopen", "mislukt": "Mislukt"}
FEEDBACK_LABELS = {"ander_werk": "ander werk", "te_ver": "te ver weg", "andere_uren": "andere uren"}
KIND_LABELS = {"werkzoekende": "Werkzoekende", "werkgever": "Werkgever"}
REASON_LABELS = {"telegram_geblokkeerd": "Telegram geblokkeerd door de gebruiker"}


@router.get("/meldingen", name="alerts")
def alerts(request: Request, status: str = "", pagina: int = 1, staff: Staff = Depends(current_staff),
           session: Session = Depends(db)) -> Response:
    wanted = status if status in ALERT_STATUSES else None
    total, _ = alert_figures.alert_rows(session, staff, wanted, 0, 0)
    pages = max(1, -(-total // PAGE))
    pagina = max(1, min(pagina, pages))
    _, rows = alert_figures.alert_rows(session, staff, wanted, PAGE, (pagina - 1) * PAGE)
    paused = alert_figures.paused(session, staff)
    # Who was told what is about people (by ref): a view of personal data, so it is audited.
    audit.record(session, "alert.list", staff_id=staff.id, actor=staff.email, target_type="page", target_id="alerts",
                 ip=client_ip(request), detail=f"pagina {pagina}, {len(rows)} meldingen")
    session.commit()
    return render(request, "alerts.html", rows=rows, total=total, page=pagina, pages=pages,
                  filters={"status": status}, statuses=STATUS_LABELS, feedback=FEEDBACK_LABELS, kinds=KIND_LABELS,
                  paused=paused, reasons=REASON_LABELS, figures=alert_figures.per_region(session, staff))
