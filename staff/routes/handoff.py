"""Live handoff pages: the queue, taking a conversation, the live view with replies, handing back."""

from __future__ import annotations

import datetime as dt
import logging

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bot.outbox import DeliveryError
from placement.clock import now
from placement.db import session_factory
from placement.models import Conversation
from staff import audit, handoff, summary
from staff.access import Staff, can_see_conversation, can_take, queue_scope
from staff.deps import client_ip, config, csrf_staff, current_staff, db, refuse
from staff.models import ConversationSummary
from staff.routes.conversations import load
from staff.templating import render, url
from staff.transcript import build

router = APIRouter()
log = logging.getLogger(__name__)
POLL_AUDIT_EVERY = dt.timedelta(seconds=60)


def _go(request: Request, name: str, notice: str, **params) -> RedirectResponse:
    return RedirectResponse(url(request, name, {"melding": notice}, **params), status_code=303)


@router.get("/handoff", name="handoff_queue")
def queue(request: Request, staff: Staff = Depends(current_staff), session: Session = Depends(db)) -> Response:
    cfg = config(request)
    if cfg.refresh_summaries:
        summary.safe_refresh(session, cfg.tracker_engine)
    c, s = Conversation, ConversationSummary
    columns = (c.channel, c.role, c.region_code, c.last_message_at, s.ref, s.handoff_requested_at)
    waiting = session.execute(select(*columns).join(s, s.conversation_id == c.id).where(queue_scope(staff))
                              .order_by(c.last_message_at)).all()
    mine = session.execute(select(*columns).join(s, s.conversation_id == c.id)
                           .where(c.handoff_state == "active", c.handoff_staff_id == staff.id)
                           .order_by(c.last_message_at.desc())).all()
    return render(request, "handoff_queue.html", waiting=waiting, mine=mine, now=now(),
                  open_now=handoff.within_office_hours(cfg.office_hours), office_hours=cfg.office_hours)


@router.post("/handoff/{ref}/take", name="take")
async def take(ref: str, request: Request, staff: Staff = Depends(csrf_staff)) -> Response:
    cfg = config(request)

    def claim() -> tuple[str | None, bool]:
        with session_factory(cfg.engine)() as session:
            conversation = _for_take(request, session, staff, ref)
            if conversation is None:
                return None, False
            if not handoff.take(session, staff, conversation):
                return conversation.id, False
            audit.record(session, "handoff.take", staff_id=staff.id, actor=staff.email, target_type="conversation",
                         target_id=ref, ip=client_ip(request))
            session.commit()
            return conversation.id, True

    conversation_id, taken = await run_in_threadpool(claim)
    if not taken:
        return _go(request, "handoff_queue", "al-genomen")
    rasa_ok = await handoff.rasa_event(cfg.rasa_url, conversation_id, "pause", cfg.rasa_token)
    try:
        await cfg.deliver(conversation_id, f"U praat nu met {staff.first_name}, medewerker van het "
                          "werkgeversservicepunt. Waarmee kan ik u helpen?", staff.id)
    except Exception:
        log.exception("begroeting na overname niet bezorgd")
    return _go(request, "handoff_live", "overgenomen" if rasa_ok else "rasa-onbereikbaar", ref=ref)


def _for_take(request: Request, session: Session, staff: Staff, ref: str) -> Conversation | None:
    """Taking follows the queue rules (a region-less request may be taken by any fitting role)."""
    query = (select(Conversation).join(ConversationSummary, ConversationSummary.conversation_id == Conversation.id)
             .where(ConversationSummary.ref == ref[:24]))
    found = session.execute(query).scalar()
    if found is None:
        summary.safe_refresh(session, config(request).tracker_engine)
        found = session.execute(query).scalar()
    if found is None:
        raise HTTPException(404)
    if found.handoff_state != "requested":
        return None
    if not can_take(staff, found):
        raise refuse(request, staff, "conversation", ref, "overname buiten regio of rol")
    return found


def _own_active(request: Request, session: Session, staff: Staff, ref: str) -> Conversation:
    conversation, _ = load(request, session, staff, ref)
    if conversation.handoff_state != "active" or conversation.handoff_staff_id != staff.id:
        raise refuse(request, staff, "conversation", ref, "gesprek is niet door u overgenomen")
    return conversation


@router.get("/handoff/{ref}", name="handoff_live")
def live(ref: str, request: Request, staff: Staff = Depends(current_staff), session: Session = Depends(db)) -> Response:
    conversation, _summ = load(request, session, staff, ref)
    audit.record(session, "transcript.view", staff_id=staff.id, actor=staff.email, target_type="conversation",
                 target_id=ref, ip=client_ip(request), detail="live overname")
    session.commit()
    mine = conversation.handoff_state == "active" and conversation.handoff_staff_id == staff.id
    return render(request, "handoff_live.html", conversation=conversation, ref=ref, mine=mine,
                  transcript=build(session, config(request).tracker_engine, conversation.id))


@router.get("/handoff/{ref}/messages", name="handoff_messages")
def messages(ref: str, request: Request, staff: Staff = Depends(current_staff),
             session: Session = Depends(db)) -> Response:
    """The message list only, polled by the live page every few seconds.

    Each poll shows the transcript, so it is audited too; to keep the log readable a poll writes a row
    only when this staff member has no view of this conversation logged in the last minute.
    """
    conversation, _summ = load(request, session, staff, ref)
    if not audit.viewed_recently(session, staff.id, "conversation", ref, POLL_AUDIT_EVERY):
        audit.record(session, "transcript.view", staff_id=staff.id, actor=staff.email, target_type="conversation",
                     target_id=ref, ip=client_ip(request), detail="live bijgewerkt")
        session.commit()
    return render(request, "_messages.html", transcript=build(session, config(request).tracker_engine,
                                                               conversation.id), compact=True)


@router.post("/handoff/{ref}/reply", name="reply")
async def reply(ref: str, request: Request, text: str = Form(""), staff: Staff = Depends(csrf_staff)) -> Response:
    cfg = config(request)

    def check() -> str:
        with session_factory(cfg.engine)() as session:
            return _own_active(request, session, staff, ref).id

    conversation_id = await run_in_threadpool(check)
    text = handoff.clean_reply(text)
    if not text:
        return _go(request, "handoff_live", "niet-verstuurd", ref=ref)
    notice, detail = "verstuurd", ""
    try:
        await cfg.deliver(conversation_id, text, staff.id)
    except DeliveryError as exc:  # stored; Telegram did not take it (yet)
        log.warning("antwoord van medewerker niet bezorgd via Telegram (%s)", "wordt herhaald" if exc.retrying
                    else "opgegeven")
        notice = "wordt-herhaald" if exc.retrying else "niet-bezorgd-telegram"
        detail = "Telegram: wordt opnieuw verstuurd" if exc.retrying else "Telegram: niet bezorgd"
    except Exception:
        log.exception("antwoord van medewerker niet bezorgd")
        return _go(request, "handoff_live", "niet-verstuurd", ref=ref)
    await run_in_threadpool(audit.record_now, cfg.engine, "handoff.reply", staff_id=staff.id, actor=staff.email,
                            target_type="conversation", target_id=ref, ip=client_ip(request), detail=detail)
    return _go(request, "handoff_live", notice, ref=ref)


@router.post("/handoff/{ref}/release", name="release")
async def release(ref: str, request: Request, staff: Staff = Depends(csrf_staff)) -> Response:
    cfg = config(request)

    def hand_back() -> str:
        with session_factory(cfg.engine)() as session:
            conversation = _own_active(request, session, staff, ref)
            handoff.release(session, staff, conversation)
            audit.record(session, "handoff.release", staff_id=staff.id, actor=staff.email,
                         target_type="conversation", target_id=ref, ip=client_ip(request))
            session.commit()
            session.refresh(conversation)
            return conversation.id, can_see_conversation(staff, conversation)

    conversation_id, still_visible = await run_in_threadpool(hand_back)
    try:
        await cfg.deliver(conversation_id, "U praat weer met de digitale assistent. Typ gerust uw vraag.", staff.id)
    except Exception:
        log.exception("afsluitbericht na teruggeven niet bezorgd")
    rasa_ok = await handoff.rasa_event(cfg.rasa_url, conversation_id, "resume", cfg.rasa_token)
    notice = "teruggegeven" if rasa_ok else "rasa-onbereikbaar"
    if still_visible:
        return _go(request, "transcript", notice, ref=ref)
    return _go(request, "handoff_queue", notice)  # taken from outside the own region: access ends here
