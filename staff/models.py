"""Tables of the staff workspace, on the shared `placement.models.Base` (schema: migrations 0003, 0009).

Content (message text) lives only where it must: `nlu_correction.text` (the training example a staff
member corrected). Everything else here is metadata. Rows that belong to a conversation cascade
with it, so a deletion request or the retention command removes them too.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from placement.clock import now
from placement.models import NO_REUSE, Base, Conversation


def _conversation_fk() -> ForeignKey:
    return ForeignKey("conversation.id", ondelete="CASCADE")

# Indexes on the gateway's `conversation` table that the inbox, the handoff queue and the dashboard
# need at 100,000 conversations. Declared here (not in placement/models.py) because staff owns them.
Index("ix_conversation_region_last", Conversation.region_code, Conversation.last_message_at)
Index("ix_conversation_handoff_state", Conversation.handoff_state)
Index("ix_conversation_created", Conversation.created_at)


class StaffSession(Base):
    """A signed-in browser. `id` is the SHA-256 of the cookie token, so a database leak is no login."""

    __tablename__ = "staff_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class StaffPasswordReset(Base):
    """A one-time password link an admin made (staff/accounts.py). `id` is the SHA-256 of the token."""

    __tablename__ = "staff_password_reset"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AuditLog(Base):
    """Append-only (database triggers refuse UPDATE and DELETE): who did what, when; never content.

    `staff_id` has no foreign key on purpose: removing a staff member must not rewrite the log.
    `target_id` holds a conversation *ref*, a lead or vacancy id — never a raw conversation id.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_actor_action_at", "actor", "action", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, index=True)
    staff_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(10), default="ok")  # ok / refused
    target_type: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[str] = mapped_column(String(200), default="")


@event.listens_for(AuditLog, "before_update")
@event.listens_for(AuditLog, "before_delete")
def _audit_is_append_only(_mapper, _connection, _target) -> None:
    raise PermissionError("audit_log is append-only")


class ConversationSummary(Base):
    """Per-conversation facts derived from Rasa's events (refreshed incrementally) plus review state.

    `ref` is the conversation's public handle in staff URLs: a hash of the id, because a web
    conversation id is a bearer secret of the user's browser and must not appear in URLs or logs.
    """

    __tablename__ = "conversation_summary"
    # No indexes on the flags: the inbox walks conversations newest first and checks the summary by
    # primary key; an index on min_confidence made both planners scan and sort half the table.
    conversation_id: Mapped[str] = mapped_column(String(64), _conversation_fk(), primary_key=True)
    ref: Mapped[str] = mapped_column(String(24), unique=True)
    user_messages: Mapped[int] = mapped_column(Integer, default=0)
    nlu_messages: Mapped[int] = mapped_column(Integer, default=0)  # typed text, not button payloads
    min_confidence: Mapped[float | None] = mapped_column(Float)
    has_fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    handoff_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    handoff_requested_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id", ondelete="SET NULL"))


class ConversationIntent(Base):
    """Which intents occurred in a conversation (for the inbox's intent filter and the dashboard)."""

    __tablename__ = "conversation_intent"
    __table_args__ = (Index("ix_conversation_intent_intent", "intent", "conversation_id"),)
    conversation_id: Mapped[str] = mapped_column(String(64), _conversation_fk(), primary_key=True)
    intent: Mapped[str] = mapped_column(String(80), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=1)


class ConversationTag(Base):
    __tablename__ = "conversation_tag"
    __table_args__ = (Index("ix_conversation_tag_tag", "tag", "conversation_id"),)
    conversation_id: Mapped[str] = mapped_column(String(64), _conversation_fk(), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class NluCorrection(Base):
    """A staff member's corrected intent/entities for one user message (a Rasa `user` event)."""

    __tablename__ = "nlu_correction"
    __table_args__ = (UniqueConstraint("conversation_id", "event_id", name="uq_nlu_correction_message"),
                      NO_REUSE)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), _conversation_fk(), index=True)
    event_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    message_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    original_intent: Mapped[str | None] = mapped_column(String(80))
    intent: Mapped[str] = mapped_column(String(80))
    entities: Mapped[str] = mapped_column(Text, default="[]")  # JSON [{"entity", "value", "start", "end"}]
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class Handoff(Base):
    """One live handoff: when it was asked for, taken, and given back (for the dashboard)."""

    __tablename__ = "staff_handoff"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), _conversation_fk(), index=True)
    requested_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, index=True)
    taken_by: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id", ondelete="SET NULL"))
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SyncState(Base):
    """Small key/value store; `tracker_event_id` is the last Rasa event folded into the summaries."""

    __tablename__ = "staff_sync_state"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), default="")
