"""The "Bezorging" page (admins): Telegram messages that did not reach the user, and erasures whose
Rasa tracker events are not gone yet. Both are retried by the gateway (bot/retry.py); this page
shows what is still open, so nobody has to believe a log line. Refs only, never a conversation id.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import ChatMessage, ErasureRequest, TelegramDelivery
from staff import audit
from staff.access import Staff
from staff.deps import admin_staff, client_ip, db
from staff.summary import conversation_ref
from staff.templating import render

router = APIRouter()
LIMIT = 200


@router.get("/bezorging", name="delivery_problems")
def delivery_problems(request: Request, staff: Staff = Depends(admin_staff), session: Session = Depends(db)) -> Response:
    deliveries = session.execute(
        select(TelegramDelivery, ChatMessage.conversation_id, ChatMessage.author, ChatMessage.created_at)
        .join(ChatMessage, ChatMessage.id == TelegramDelivery.message_id)
        .order_by(TelegramDelivery.state.desc(), ChatMessage.id.desc()).limit(LIMIT)).all()
    erasures = list(session.scalars(select(ErasureRequest).order_by(ErasureRequest.requested_at).limit(LIMIT)))
    audit.record(session, "delivery.list", staff_id=staff.id, actor=staff.email, target_type="page",
                 target_id="bezorging", ip=client_ip(request),
                 detail=f"{len(deliveries)} berichten, {len(erasures)} wisverzoeken")
    session.commit()
    return render(request, "problems.html",
                  deliveries=[(d, conversation_ref(cid), author, at) for d, cid, author, at in deliveries],
                  erasures=[(e, conversation_ref(e.conversation_id)) for e in erasures])
