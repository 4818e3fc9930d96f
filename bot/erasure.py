"""Erasing a user's Rasa tracker events, retried until it is done.

The gateway erases a conversation when the user asks (bot/store.py `delete_conversation`). The
gateway's own rows always go in that transaction; the tracker events live in another database
(TRACKER_STORE_URL) that may be unreachable at that moment. Then an `erasure_request` row keeps the
conversation id (the key of those events), the user is told that not everything is gone yet
(bot/text.py ERASURE_PENDING), staff see the pending erasure (staff "Bezorging" page), and
`retry_due` (bot/retry.py, inside the gateway) tries again with a doubling wait
(ERASURE_RETRY_SECONDS, at most an hour) until the events are gone; then the row is deleted.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Engine, delete, inspect, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.models import ErasureRequest
from placement.clock import now
from placement.db import checkpoint, session_scope
from placement.tracker_events import events

log = logging.getLogger(__name__)
MAX_WAIT = dt.timedelta(hours=1)


def erase_events(tracker_engine: Engine | None, conversation_id: str) -> str | None:
    """Delete the conversation's tracker events; None when they are gone, else what went wrong."""
    if tracker_engine is None:
        return None
    try:
        with tracker_engine.begin() as conn:
            conn.execute(delete(events).where(events.c.sender_id == conversation_id))
    except SQLAlchemyError as exc:
        try:  # no events table at all (Rasa never stored anything there): nothing to erase
            if not inspect(tracker_engine).has_table(events.name):
                return None
        except SQLAlchemyError:
            pass
        return f"{type(exc).__name__}"[:120]
    checkpoint(tracker_engine)  # erased means gone from SQLite's WAL too
    return None


def _wait(settings, attempts: int) -> dt.timedelta:
    return min(dt.timedelta(seconds=settings.erasure_retry_seconds) * 2 ** max(attempts - 1, 0), MAX_WAIT)


def queue(engine: Engine, settings, conversation_id: str, error: str) -> None:
    try:
        with session_scope(engine) as session:
            session.add(ErasureRequest(conversation_id=conversation_id, attempts=1,
                                       next_try_at=now() + _wait(settings, 1), last_error=error))
    except IntegrityError:
        pass  # already queued


def retry_due(engine: Engine, tracker_engine: Engine | None, settings) -> int:
    """One round: erase what is due; returns how many erasures completed."""
    with session_scope(engine) as session:
        due = [(r.id, r.conversation_id) for r in session.scalars(
            select(ErasureRequest).where(ErasureRequest.next_try_at <= now()).order_by(ErasureRequest.id).limit(50))]
    done = 0
    for row_id, conversation_id in due:
        error = erase_events(tracker_engine, conversation_id)
        with session_scope(engine) as session:
            row = session.get(ErasureRequest, row_id)
            if row is None:
                continue
            if error is None:
                session.delete(row)
                done += 1
            else:
                row.attempts += 1
                row.last_error = error
                row.next_try_at = now() + _wait(settings, row.attempts)
    if done:
        checkpoint(engine)  # the deleted rows held the conversation ids
        log.info("%d pending erasure(s) completed", done)
    return done
