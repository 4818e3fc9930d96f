"""Retention: remove conversations and messages older than RETENTION_DAYS (default 90). Safe to run daily.

What "older than the period" means, exactly (cutoff = now − days):
1. A conversation whose last message is before the cutoff is deleted entirely: its Rasa events,
   its chat_message rows, and (by cascade) its summary, intents, tags, corrections and handoff log.
2. In conversations that are still active, messages and Rasa events from before the cutoff are
   deleted too (a Telegram chat keeps one id for years; its old messages still expire).
3. Rasa events of senders without a conversation row are deleted when they are before the cutoff.
4. Corrections whose message is from before the cutoff are deleted (they hold the user's text).
Leads and placement records have their own lifecycle and are not touched. Expired staff sessions
are purged. The run is written to the audit log with counts only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from bot.models import ChatMessage
from placement import clock
from placement.db import session_factory
from placement.models import Conversation
from staff import audit, summary, tracker
from staff.models import NluCorrection
from staff.security import Policy, purge_expired_sessions

CHUNK = 500


@dataclass
class Result:
    conversations: int = 0
    messages: int = 0
    events: int = 0
    corrections: int = 0
    sessions: int = 0

    def __str__(self) -> str:
        return (f"{self.conversations} gesprekken, {self.messages} berichten, {self.events} Rasa-events, "
                f"{self.corrections} correcties en {self.sessions} verlopen sessies verwijderd")


def run(engine: Engine, tracker_engine: Engine | None, days: int, policy: Policy | None = None,
        now: dt.datetime | None = None, dry_run: bool = False) -> Result:
    cutoff = (now or clock.now()) - dt.timedelta(days=days)
    result = Result()
    with session_factory(engine)() as session:
        old = list(session.scalars(select(Conversation.id).where(Conversation.last_message_at < cutoff)))
        result.conversations = len(old)
        touched: list[str] = []
        if tracker_engine is not None and tracker.has_events_table(tracker_engine):
            with tracker_engine.begin() as conn:
                result.events, touched = _purge_events(conn, old, tracker.to_timestamp(cutoff), dry_run)
        # Messages and corrections first (those of old conversations are all before the cutoff too),
        # so that the counts include them; then the conversations, which cascade to the rest.
        result.messages = _purge(session, ChatMessage, ChatMessage.created_at < cutoff, dry_run)
        result.corrections = _purge(session, NluCorrection, NluCorrection.message_at < cutoff, dry_run)
        if not dry_run:
            for start in range(0, len(old), CHUNK):
                session.execute(delete(Conversation).where(Conversation.id.in_(old[start:start + CHUNK])))
            if policy is not None:
                result.sessions = purge_expired_sessions(session, policy)
            gone = set(old)
            summary.rebuild(session, tracker_engine, [cid for cid in touched if cid not in gone
                                                      and session.get(Conversation, cid) is not None])
            audit.record(session, "retention.run", actor="systeem", detail=f"{days} dagen: {result}"[:200])
            session.commit()
    return result


def _purge_events(conn, old: list[str], cutoff_ts: float, dry_run: bool) -> tuple[int, list[str]]:
    """Events of old conversations, and any event before the cutoff. Returns (count, senders touched)."""
    events = tracker.events
    touched = sorted(conn.scalars(select(events.c.sender_id).where(events.c.timestamp < cutoff_ts).distinct()))
    count = 0
    for start in range(0, len(old), CHUNK):
        in_chunk = events.c.sender_id.in_(old[start:start + CHUNK])
        if dry_run:  # the newer events of old conversations; the older ones are counted below
            count += conn.scalar(select(func.count()).select_from(events).where(in_chunk,
                                                                                 events.c.timestamp >= cutoff_ts))
        else:
            count += conn.execute(events.delete().where(in_chunk)).rowcount or 0
    older = events.c.timestamp < cutoff_ts
    if dry_run:
        count += conn.scalar(select(func.count()).select_from(events).where(older)) or 0
    else:
        count += conn.execute(events.delete().where(older)).rowcount or 0
    return count, touched


def _purge(session: Session, model, condition, dry_run: bool) -> int:
    if dry_run:
        return session.scalar(select(func.count()).select_from(model).where(condition)) or 0
    return session.execute(delete(model).where(condition)).rowcount or 0
