"""Persistence of conversations and messages (placement DB) and deletion of Rasa's tracker events.

Plain synchronous SQLAlchemy; the async gateway calls these through `asyncio.to_thread`.
Every incoming message is stored before anything else can fail.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot import erasure
from bot.models import ButtonPayload, ChatMessage, TelegramUpdate
from bot.rasa_client import Button
from placement.alerts.retention import delete_for_conversations
from placement.clock import now
from placement.db import checkpoint, session_scope
from placement.models import Conversation
from settings import get_settings

log = logging.getLogger(__name__)
# A claimed update not finished after this long was being handled by a process that died: the longest
# turn (Rasa's timeout plus sending) is well below it.
STALE_CLAIM = dt.timedelta(seconds=30)
# Core tables for the statements of every turn (no ORM unit of work: about half the CPU).
MESSAGES = ChatMessage.__table__
CONVERSATIONS = Conversation.__table__



@dataclass(frozen=True)
class ConversationInfo:
    id: str
    channel: str
    address: str | None
    handoff_state: str


@dataclass(frozen=True)
class Message:
    """A stored message as the channels and the web chat's JSON show it."""

    id: int
    author: str  # user / bot / staff / system
    text: str
    buttons: tuple[Button, ...] = ()
    status: str = "ok"

    def as_json(self) -> dict:
        return {"id": self.id, "author": self.author, "text": self.text, "status": self.status,
                "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons]}


def _buttons(raw: str | None) -> tuple[Button, ...]:
    return tuple(Button(b["title"], b["payload"]) for b in json.loads(raw)) if raw else ()


def _message(row: ChatMessage) -> Message:
    return Message(row.id, row.author, row.text, _buttons(row.buttons), row.status)


class Store:
    def __init__(self, engine: Engine, tracker_engine: Engine | None) -> None:
        self.engine = engine
        self.tracker_engine = tracker_engine
        self._claims = 0

    # --- conversations -------------------------------------------------------------------------
    def conversation(self, conversation_id: str) -> ConversationInfo | None:
        with session_scope(self.engine) as session:
            row = session.get(Conversation, conversation_id)
            return ConversationInfo(row.id, row.channel, row.channel_address, row.handoff_state) if row else None

    def _ensure(self, session, conversation_id: str, channel: str, address: str | None) -> Conversation:
        row = session.get(Conversation, conversation_id)
        if row is not None:
            return row
        try:
            with session.begin_nested():  # another worker may create it at the same moment
                session.add(Conversation(id=conversation_id, channel=channel, channel_address=address,
                                         handoff_state="none"))
        except IntegrityError:
            pass
        return session.get(Conversation, conversation_id)

    def add_user_message(self, conversation_id: str, channel: str, address: str | None, body: str,
                         external_id: str | None = None, status: str = "ok") -> tuple[Message, str]:
        """Store what the user sent (creating the conversation); returns it and the handoff state.

        Two Core statements for a known conversation (UPDATE ... RETURNING, INSERT ... RETURNING) instead
        of the ORM's load, flush and update: this runs for every user message."""
        with session_scope(self.engine) as session:
            handoff = self._touch(session, conversation_id, address)
            if handoff is None:
                handoff = self._ensure(session, conversation_id, channel, address).handoff_state
            message_id = session.connection().execute(insert(MESSAGES).values(
                conversation_id=conversation_id, author="user", text=body, status=status, external_id=external_id,
                created_at=now()).returning(MESSAGES.c.id)).scalar_one()
            return Message(message_id, "user", body, (), status), handoff

    @staticmethod
    def _touch(session, conversation_id: str, address: str | None = None) -> str | None:
        """Mark activity on a conversation; its handoff state, or None when it does not exist."""
        values = {"last_message_at": now()}
        if address:
            values["channel_address"] = address
        statement = (update(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation_id).values(**values)
                     .returning(CONVERSATIONS.c.handoff_state))
        return session.connection().execute(statement).scalar_one_or_none()

    def add_message(self, conversation_id: str, author: str, body: str, buttons: list[Button] | None = None,
                    staff_id: int | None = None, status: str = "ok") -> Message:
        return self.add_messages(conversation_id, author, [(body, buttons)], staff_id, status)[0]

    def add_messages(self, conversation_id: str, author: str, items: list[tuple[str, list[Button] | None]],
                     staff_id: int | None = None, status: str = "ok") -> list[Message]:
        """Store messages of one author (e.g. all of Rasa's replies of a turn) in one transaction."""
        with session_scope(self.engine) as session:
            if self._touch(session, conversation_id) is None:
                raise LookupError("conversation does not exist")
            at = now()
            rows = [{"conversation_id": conversation_id, "author": author, "text": body, "staff_id": staff_id,
                     "status": status, "created_at": at,
                     "buttons": json.dumps([{"title": b.title, "payload": b.payload} for b in buttons]) if buttons
                     else None} for body, buttons in items]
            ids = session.connection().execute(insert(MESSAGES).returning(MESSAGES.c.id, sort_by_parameter_order=True),
                                               rows).scalars().all()
            return [Message(i, author, body, tuple(Button(b.title, b.payload) for b in buttons or ()), status)
                    for i, (body, buttons) in zip(ids, items)]

    def set_status(self, message_id: int, status: str) -> None:
        with session_scope(self.engine) as session:
            session.execute(update(ChatMessage).where(ChatMessage.id == message_id).values(status=status))

    def set_handoff(self, conversation_id: str, state: str) -> None:
        with session_scope(self.engine) as session:
            session.execute(update(Conversation).where(Conversation.id == conversation_id)
                            .values(handoff_state=state))

    def history(self, conversation_id: str, after: int = 0, limit: int = 200) -> list[Message]:
        """The last `limit` messages with an id above `after`, oldest first."""
        with session_scope(self.engine) as session:
            rows = session.scalars(
                select(ChatMessage).where(ChatMessage.conversation_id == conversation_id, ChatMessage.id > after)
                .order_by(ChatMessage.id.desc()).limit(limit)
            ).all()
            return [_message(r) for r in reversed(rows)]

    def poll_view(self, conversation_id: str, after: int, count_alerts) -> tuple[list[Message],
                                                                          ConversationInfo | None, tuple]:
        """What one web chat poll returns, read in ONE transaction (messages after `after`, the
        conversation's handoff state, and `count_alerts(session, id)`, the alert counts): the browser
        polls after every message it sends, so this runs about twice per user message."""
        with session_scope(self.engine) as session:
            conversation = session.connection().execute(
                select(CONVERSATIONS.c.channel, CONVERSATIONS.c.channel_address, CONVERSATIONS.c.handoff_state)
                .where(CONVERSATIONS.c.id == conversation_id)).first()
            if conversation is None:
                return [], None, (0, 0)
            info = ConversationInfo(conversation_id, *conversation)
            rows = session.connection().execute(
                select(MESSAGES.c.id, MESSAGES.c.author, MESSAGES.c.text, MESSAGES.c.buttons, MESSAGES.c.status)
                .where(MESSAGES.c.conversation_id == conversation_id, MESSAGES.c.id > after)
                .order_by(MESSAGES.c.id.desc()).limit(200)).all()
            messages = [Message(i, author, text, _buttons(buttons), status)
                        for i, author, text, buttons, status in reversed(rows)]
            return messages, info, count_alerts(session, conversation_id)

    def issued_payloads(self, conversation_id: str, limit: int = 50) -> list[str]:
        """Button payloads the bot sent in this conversation (its last `limit` messages with buttons)."""
        with session_scope(self.engine) as session:
            rows = session.scalars(
                select(ChatMessage.buttons).where(ChatMessage.conversation_id == conversation_id,
                                                  ChatMessage.author == "bot", ChatMessage.buttons.is_not(None))
                .order_by(ChatMessage.id.desc()).limit(limit)
            ).all()
        return list(dict.fromkeys(b["payload"] for raw in rows for b in json.loads(raw) if b.get("payload")))

    def delete_conversation(self, conversation_id: str, settings=None) -> bool:
        """Erase the conversation everywhere the gateway knows of: tracker events, messages, rows.

        Returns False when the tracker events could not be erased yet: then they are queued and retried
        (bot/erasure.py) and the caller tells the user so. The gateway's own rows go in any case.
        """
        error = erasure.erase_events(self.tracker_engine, conversation_id)
        with session_scope(self.engine) as session:
            session.execute(delete(ButtonPayload).where(ButtonPayload.conversation_id == conversation_id))
            delete_for_conversations(session, [conversation_id])  # alert consent and history (issue 16)
            session.execute(delete(ChatMessage).where(ChatMessage.conversation_id == conversation_id))
            session.execute(delete(Conversation).where(Conversation.id == conversation_id))
        if error is not None:
            log.warning("tracker events not erased (%s); queued for retry", error)
            erasure.queue(self.engine, settings or get_settings(), conversation_id, error)
        checkpoint(self.engine)  # erased means gone from SQLite's WAL too (issue 10)
        return error is None

    # --- Telegram ------------------------------------------------------------------------------
    def claim_update(self, update_id: int, stale_after: dt.timedelta = STALE_CLAIM) -> bool:
        """True when this update should be handled now: the first time it is seen, or again when an
        earlier claim never finished (the process died while handling it) and has gone stale.
        False for a redelivery of a handled update or one that is being handled right now."""
        self._claims += 1
        if self._claims % 500 == 1:  # Telegram keeps undelivered updates 24 hours; keep ids a week
            self.prune_updates(now() - dt.timedelta(days=7))
        try:
            with session_scope(self.engine) as session:
                session.add(TelegramUpdate(update_id=update_id))
            return True
        except IntegrityError:
            pass
        with session_scope(self.engine) as session:  # take over a claim whose handler never finished
            taken = session.execute(update(TelegramUpdate).where(
                TelegramUpdate.update_id == update_id, TelegramUpdate.done_at.is_(None),
                TelegramUpdate.received_at < now() - stale_after).values(received_at=now()))
            return bool(taken.rowcount)

    def update_done(self, update_id: int) -> bool:
        with session_scope(self.engine) as session:
            row = session.get(TelegramUpdate, update_id)
            return row is not None and row.done_at is not None

    def finish_update(self, update_id: int) -> None:
        with session_scope(self.engine) as session:
            session.execute(update(TelegramUpdate).where(TelegramUpdate.update_id == update_id)
                            .values(done_at=now()))

    def prune_updates(self, before: dt.datetime) -> None:
        with session_scope(self.engine) as session:
            session.execute(delete(TelegramUpdate).where(TelegramUpdate.received_at < before))

    def save_payload(self, conversation_id: str, payload: str) -> str:
        key = secrets.token_urlsafe(12)
        with session_scope(self.engine) as session:
            session.add(ButtonPayload(key=key, conversation_id=conversation_id, payload=payload))
        return key

    def load_payload(self, conversation_id: str, key: str) -> str | None:
        with session_scope(self.engine) as session:
            row = session.get(ButtonPayload, key)
            return row.payload if row is not None and row.conversation_id == conversation_id else None
