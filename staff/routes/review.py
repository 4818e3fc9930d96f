"""All corrections in one list, and their export as Rasa NLU training data."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from placement.models import Conversation, StaffMember
from staff import audit, review
from staff.access import Staff, can_see_conversation, conversation_scope
from staff.deps import RowId, client_ip, csrf_staff, current_staff, db, refuse
from staff.models import ConversationSummary, NluCorrection
from staff.templating import render, url

router = APIRouter()


def _visible(session: Session, staff: Staff):
    query = (select(NluCorrection, ConversationSummary.ref, StaffMember.name)
             .join(Conversation, Conversation.id == NluCorrection.conversation_id)
             .join(ConversationSummary, ConversationSummary.conversation_id == Conversation.id)
             .outerjoin(StaffMember, StaffMember.id == NluCorrection.staff_id)
             .where(conversation_scope(staff, session)).order_by(NluCorrection.intent, NluCorrection.id))
    return session.execute(query).all()


@router.get("/corrections", name="corrections")
def corrections(request: Request, staff: Staff = Depends(current_staff), session: Session = Depends(db)) -> Response:
    rows = _visible(session, staff)
    # The list shows what users typed, so it is logged like a transcript view.
    audit.record(session, "review.list", staff_id=staff.id, actor=staff.email, target_type="corrections",
                 target_id=str(len(rows)), ip=client_ip(request))
    session.commit()
    return render(request, "corrections.html", rows=rows)


@router.get("/corrections/nlu.yml", name="export_nlu")
def export_nlu(request: Request, staff: Staff = Depends(current_staff), session: Session = Depends(db)) -> Response:
    rows = _visible(session, staff)
    audit.record(session, "export.nlu", staff_id=staff.id, actor=staff.email, target_type="corrections",
                 target_id=str(len(rows)), ip=client_ip(request), detail=f"{len(rows)} correcties")
    session.commit()
    body = review.nlu_yaml([r[0] for r in rows], staff.name)
    return Response(body, media_type="application/x-yaml; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="correcties_nlu.yml"'})


@router.post("/corrections/{correction_id}/delete", name="delete_correction")
def delete_correction(correction_id: RowId, request: Request, staff: Staff = Depends(csrf_staff),
                      session: Session = Depends(db)) -> Response:
    row = session.get(NluCorrection, correction_id)
    if row is None:
        raise HTTPException(404)
    conversation = session.get(Conversation, row.conversation_id)
    if not can_see_conversation(staff, conversation):
        raise refuse(request, staff, "correction", correction_id, f"regio {conversation.region_code or 'onbekend'}")
    ref = session.scalar(select(ConversationSummary.ref).where(ConversationSummary.conversation_id == conversation.id))
    session.delete(row)
    audit.record(session, "review.correct", staff_id=staff.id, actor=staff.email, target_type="conversation",
                 target_id=ref, ip=client_ip(request), detail=f"correctie {correction_id} verwijderd")
    session.commit()
    return RedirectResponse(url(request, "corrections", {"melding": "correctie-weg"}), status_code=303)
