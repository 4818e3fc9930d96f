"""Live handoff: take a requested conversation, reply through the gateway, hand it back to the bot.

State lives in `conversation.handoff_state` (none → requested → active → none), shared with the
gateway: while it is "active" the gateway stores user messages but does not pass them to Rasa.
We also tell Rasa (`pause` / `resume` events via its HTTP API) so its tracker shows the handoff;
when Rasa is down the handoff still works and the page says so.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from placement.clock import now
from placement.models import Conversation, Lead
from placement.office_hours import parse_office_hours, within_office_hours  # noqa: F401  (routes use them)
from staff.access import Staff
from staff.models import ConversationSummary, Handoff

log = logging.getLogger(__name__)
MAX_REPLY = 4000  # Telegram allows 4096 characters per message


async def rasa_event(rasa_url: str, conversation_id: str, event: str, token: str = "") -> bool:
    """Append `{"event": event}` to the tracker; False (and a log line) when Rasa does not answer.
    `token`: Rasa's --auth-token (RASA_TOKEN), sent as Rasa expects it, as ?token=."""
    url = f"{rasa_url.rstrip('/')}/conversations/{quote(conversation_id, safe='')}/tracker/events"
    try:
        async with httpx.AsyncClient(timeout=3.0) as client:
            response = await client.post(url, json={"event": event}, params={"token": token} if token else None)
        if response.status_code < 300:
            return True
        log.warning("Rasa weigerde %s-event: HTTP %s", event, response.status_code)
    except httpx.HTTPError as exc:
        log.warning("Rasa niet bereikbaar voor %s-event: %s", event, type(exc).__name__)
    return False


def take(session: Session, staff: Staff, conversation: Conversation) -> bool:
    """Atomically requested → active for this staff member; False if someone else was first."""
    result = session.execute(
        update(Conversation).where(Conversation.id == conversation.id, Conversation.handoff_state == "requested")
        .values(handoff_state="active", handoff_staff_id=staff.id).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        return False
    requested = session.scalar(select(ConversationSummary.handoff_requested_at)
                               .where(ConversationSummary.conversation_id == conversation.id))
    # No chat_message row here: the gateway shows "system" rows to the user. The transcript shows
    # the handoff from this log instead.
    session.add(Handoff(conversation_id=conversation.id, requested_at=requested, taken_by=staff.id))
    _update_lead(session, conversation.id, {"status": "opgepakt", "assigned_staff_id": staff.id}, ("nieuw",))
    return True


def _update_lead(session: Session, conversation_id: str, values: dict, statuses: tuple[str, ...]) -> None:
    """The handoff lead that action_request_human made for this conversation follows the handoff."""
    session.execute(update(Lead).where(Lead.sender_id == conversation_id, Lead.kind == "handoff",
                                       Lead.status.in_(statuses)).values(**values)
                    .execution_options(synchronize_session=False))


def release(session: Session, staff: Staff, conversation: Conversation) -> bool:
    result = session.execute(
        update(Conversation).where(Conversation.id == conversation.id, Conversation.handoff_state == "active")
        .values(handoff_state="none", handoff_staff_id=None).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        return False
    open_handoff = session.scalar(select(Handoff).where(Handoff.conversation_id == conversation.id,
                                                        Handoff.released_at.is_(None)).order_by(Handoff.id.desc()))
    if open_handoff is not None:
        open_handoff.released_at = now()
    _update_lead(session, conversation.id, {"status": "afgerond"}, ("nieuw", "opgepakt"))
    return True


def clean_reply(text: str) -> str:
    text = text.replace("\r\n", "\n").strip()
    return text[:MAX_REPLY]


