"""Tables of the channel gateway, on the shared `placement.models.Base` (schema: migrations 0002, 0005, 0009).

The gateway owns what it stores about the channels: every message in or out, the Telegram updates it
has taken on, and button payloads too long for Telegram. The `conversation` row itself is shared
(the services and the staff workspace use it) and stays in `placement/models.py`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from placement.clock import now
from placement.models import NO_REUSE, Base


class ChatMessage(Base):
    """Every message in or out, stored by the gateway before anything else can fail."""

    __tablename__ = "chat_message"
    __table_args__ = (Index("ix_chat_message_conversation_id_created", "conversation_id", "id"), NO_REUSE)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    author: Mapped[str] = mapped_column(String(10))  # user / bot / staff / system
    text: Mapped[str] = mapped_column(Text, default="")
    buttons: Mapped[str | None] = mapped_column(Text)  # JSON list of {"title", "payload"}
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id", ondelete="SET NULL"))
    # For user messages: "ok" once Rasa answered, "failed" when it could not (staff can see and retry).
    status: Mapped[str] = mapped_column(String(10), default="ok")
    external_id: Mapped[str | None] = mapped_column(String(64))  # e.g. Telegram update_id, for dedup
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class TelegramUpdate(Base):
    """A Telegram update_id the gateway has taken on, so a redelivered update is answered once.

    `done_at` is set only after the handlers finished: an update taken on by a process that then
    died stays open, and Telegram's redelivery of it is handled again (bot/store.py claim_update).
    """

    __tablename__ = "telegram_update"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, index=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class TelegramDelivery(Base):
    """A stored message Telegram did not accept: retried with back-off (bot/delivery.py).

    state: "retrying" (next attempt at next_try_at) or "failed" (gave up; staff see it). A message
    that got through has no row here and status "ok" in chat_message again.
    """

    __tablename__ = "telegram_delivery"
    __table_args__ = (Index("ix_telegram_delivery_state_next", "state", "next_try_at"),)
    message_id: Mapped[int] = mapped_column(ForeignKey("chat_message.id", ondelete="CASCADE"), primary_key=True,
                                            autoincrement=False)
    state: Mapped[str] = mapped_column(String(10), default="retrying")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    next_try_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    last_error: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class ErasureRequest(Base):
    """A user's erasure whose Rasa tracker events could not be deleted yet: retried until they are.

    The conversation id is kept only as long as the erasure is pending (it is what the tracker
    events are keyed by); the row is deleted the moment the events are gone. Staff see its ref, never the id.
    """

    __tablename__ = "erasure_request"
    __table_args__ = (UniqueConstraint("conversation_id", name="uq_erasure_request_conversation_id"), NO_REUSE)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    next_try_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, index=True)
    last_error: Mapped[str] = mapped_column(String(120), default="")


class ButtonPayload(Base):
    """A Rasa button payload too long for Telegram's 64-byte callback_data, kept under a short key."""

    __tablename__ = "button_payload"
    key: Mapped[str] = mapped_column(String(24), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
