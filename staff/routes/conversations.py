"""Conversations: the inbox, the transcript view and the review actions on one conversation."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from placement.clock import now
from placement.models import Conversation, Region
from staff import audit, inbox, review, summary, tracker
from staff.access import Staff, can_see_conversation
from staff.deps import client_ip, config, csrf_staff, current_staff, db, refuse
from staff.models import ConversationSummary, ConversationTag, NluCorrection
from staff.templating import render, url
from staff.transcript import build, find_user_event

router = APIRouter()
TAG_MAX = 40


def load(request: Request, session: Session, staff: Staff, ref: str) -> tuple[Conversation, ConversationSummary]:
    """The conversation behind a ref: 404 if unknown, 403 (logged) if it is another region's."""
    query = (select(Conversation, ConversationSummary)
             .join(ConversationSummary, ConversationSummary.conversation_id == Conversation.id)
             .where(ConversationSummary.ref == ref[:24]))
    found = session.execute(query).first()
    if found is None:  # a conversation newer than the last refresh (linked from a lead, say)
        summary.safe_refresh(session, config(request).tracker_engine)
        found = session.execute(query).first()
    if found is None:
        raise HTTPException(404)
    conversation, summ = found
    if not can_see_conversation(staff, conversation):
        raise refuse(request, staff, "conversation", ref, f"regio {conversation.region_code or 'onbekend'}")
    return conversation, summ


def back(request: Request, ref: str, notice: str) -> RedirectResponse:
    return RedirectResponse(url(request, "transcript", {"melding": notice}, ref=ref), status_code=303)


@router.get("/conversations", name="inbox")
def inbox_page(request: Request, staff: Staff = Depends(current_staff), session: Session = Depends(db)) -> Response:
    cfg = config(request)
    if cfg.refresh_summaries:
        summary.safe_refresh(session, cfg.tracker_engine)
    filters = inbox.Filters.parse(request.query_params)
    page = inbox.search(session, staff, filters, cfg.low_confidence, cfg.page_size)
    regions = session.execute(select(Region.code, Region.name).order_by(Region.code)).all()
    if not staff.is_admin:
        regions = [r for r in regions if r.code in staff.regions]
    return render(request, "inbox.html", filters=filters, page=page, intents=review.known_intents(),
                  tags=inbox.known_tags(session), regions=regions, low_confidence=cfg.low_confidence)


@router.get("/conversations/{ref}", name="transcript")
def transcript(ref: str, request: Request, staff: Staff = Depends(current_staff),
               session: Session = Depends(db)) -> Response:
    conversation, summ = load(request, session, staff, ref)
    # Logged before anything is shown: a view that cannot be logged is not shown.
    audit.record(session, "transcript.view", staff_id=staff.id, actor=staff.email, target_type="conversation",
                 target_id=ref, ip=client_ip(request))
    session.commit()
    cfg = config(request)
    tags = list(session.scalars(select(ConversationTag.tag).where(ConversationTag.conversation_id == conversation.id)
                                .order_by(ConversationTag.tag)))
    return render(request, "transcript.html", conversation=conversation, summary=summ, ref=ref, tags=tags,
                  transcript=build(session, cfg.tracker_engine, conversation.id), intents=review.known_intents(),
                  entities=review.known_entities(), low_confidence=cfg.low_confidence)


@router.post("/conversations/{ref}/reviewed", name="mark_reviewed")
def mark_reviewed(ref: str, request: Request, reviewed: str = Form("1"), staff: Staff = Depends(csrf_staff),
                  session: Session = Depends(db)) -> Response:
    _conversation, summ = load(request, session, staff, ref)
    done = reviewed == "1"
    summ.reviewed_at, summ.reviewed_by = (now(), staff.id) if done else (None, None)
    audit.record(session, "review.mark", staff_id=staff.id, actor=staff.email, target_type="conversation",
                 target_id=ref, ip=client_ip(request), detail="beoordeeld" if done else "teruggezet")
    session.commit()
    return back(request, ref, "beoordeeld" if done else "niet-beoordeeld")


def _clean_tag(tag: str) -> str:
    return " ".join(tag.strip().lower().split())[:TAG_MAX]


@router.post("/conversations/{ref}/tags", name="add_tag")
def add_tag(ref: str, request: Request, tag: str = Form(""), remove: str = Form(""),
            staff: Staff = Depends(csrf_staff), session: Session = Depends(db)) -> Response:
    conversation, _summ = load(request, session, staff, ref)
    tag = _clean_tag(tag)
    if tag and remove == "1":
        session.execute(delete(ConversationTag).where(ConversationTag.conversation_id == conversation.id,
                                                      ConversationTag.tag == tag))
    elif tag and session.get(ConversationTag, (conversation.id, tag)) is None:
        session.add(ConversationTag(conversation_id=conversation.id, tag=tag, created_by=staff.id))
    audit.record(session, "review.tag", staff_id=staff.id, actor=staff.email, target_type="conversation",
                 target_id=ref, ip=client_ip(request), detail=("verwijderd: " if remove == "1" else "toegevoegd: ")
                 + tag)
    session.commit()
    return back(request, ref, "label")


@router.post("/conversations/{ref}/corrections", name="correct")
def correct(ref: str, request: Request, event_id: int = Form(..., ge=0, le=2**62), intent: str = Form(""), entities: str = Form(""),
            staff: Staff = Depends(csrf_staff), session: Session = Depends(db)) -> Response:
    conversation, _summ = load(request, session, staff, ref)
    cfg = config(request)
    event = find_user_event(cfg.tracker_engine, conversation.id, event_id)
    if event is None:
        raise HTTPException(404)
    turn = tracker.user_turn(event["data"], event["intent_name"])
    try:
        chosen = review.validate_intent(intent)
        parsed = review.parse_entities(turn.text, entities) if not turn.is_payload else []
    except review.CorrectionError as exc:
        return render(request, "error.html", status_code=400, title="Correctie niet opgeslagen", message=str(exc),
                      back_url=url(request, "transcript", ref=ref))
    row = session.scalar(select(NluCorrection).where(NluCorrection.conversation_id == conversation.id,
                                                     NluCorrection.event_id == event_id))
    if row is None:
        row = NluCorrection(conversation_id=conversation.id, event_id=event_id, text=turn.text,
                            message_at=tracker.to_datetime(event["timestamp"]) or now(), original_intent=turn.intent)
        session.add(row)
    row.intent, row.entities, row.staff_id, row.created_at = chosen, json.dumps(parsed), staff.id, now()
    audit.record(session, "review.correct", staff_id=staff.id, actor=staff.email, target_type="conversation",
                 target_id=ref, ip=client_ip(request), detail=f"{turn.intent} → {chosen}")
    session.commit()
    return back(request, ref, "correctie")


@router.get("/conversations/{ref}/test-story.yml", name="export_story")
def export_story(ref: str, request: Request, staff: Staff = Depends(current_staff),
                 session: Session = Depends(db)) -> Response:
    conversation, _summ = load(request, session, staff, ref)
    audit.record(session, "export.story", staff_id=staff.id, actor=staff.email, target_type="conversation",
                 target_id=ref, ip=client_ip(request))
    session.commit()
    rows = tracker.sender_events(config(request).tracker_engine, conversation.id)
    corrections = {c.event_id: c for c in session.scalars(
        select(NluCorrection).where(NluCorrection.conversation_id == conversation.id))}
    body = review.story_yaml(ref, rows, corrections, staff.name)
    return Response(body, media_type="application/x-yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="test_gesprek_{ref}.yml"'})
