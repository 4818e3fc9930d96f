"""Tables of the channel gateway, on the shared `placement.models.Base` (schema: migrations 0002, 0005).

The gateway owns what it stores about the channels: every message in or out, the Telegram updates it
has taken on, and button payloads too long for Telegram. The `conversation` row itself is shared
(the services and the staff workspace use it) and stays in `placement/models.py`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
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
    """A Telegram update_id the gateway has taken on, so a redelivered update is answered once."""

    __tablename__ = "telegram_update"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, index=True)


class ButtonPayload(Base):
    """A Rasa button payload too long for Telegram's 64-byte callback_data, kept under a short key."""

    __tablename__ = "button_payload"
    key: Mapped[str] = mapped_column(String(24), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
