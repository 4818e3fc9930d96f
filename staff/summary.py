"""Per-conversation summaries folded incrementally from Rasa's events, so the inbox never scans events.

`refresh()` runs before the inbox is shown (cheap when nothing changed: a max(id) and two counts)
and from `python -m staff.cli refresh`. It is idempotent: every summary remembers the last event it
folded, so two refreshes racing each other cannot count an event twice.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from placement.models import Conversation
from staff import tracker
from staff.models import ConversationIntent, ConversationSummary, SyncState

log = logging.getLogger(__name__)
WATERMARK = "tracker_event_id"
CHUNK = 500
_lock = threading.Lock()


def conversation_ref(conversation_id: str) -> str:
    """The public handle of a conversation in staff URLs (the id itself may be a user's secret)."""
    return hashlib.sha256(b"werkpunt-staff-ref:" + conversation_id.encode()).hexdigest()[:20]


@dataclass
class Facts:
    user_messages: int = 0
    nlu_messages: int = 0
    min_confidence: float | None = None
    has_fallback: bool = False
    handoff_requested: bool = False
    handoff_requested_at: object = None
    last_event_id: int = 0
    intents: Counter = field(default_factory=Counter)

    def fold(self, row) -> None:
        """Add one `events` row (id, type_name, timestamp, intent_name, action_name, data)."""
        if row.id <= self.last_event_id:
            return
        self.last_event_id = row.id
        if row.type_name == "user":
            turn = tracker.user_turn(tracker.parse_data(row.data), row.intent_name)
            self.user_messages += 1
            if turn.intent:
                self.intents[turn.intent[:80]] += 1
            if not turn.is_payload and turn.confidence is not None:
                self.nlu_messages += 1
                self.min_confidence = min(self.min_confidence if self.min_confidence is not None else 1.0,
                                          turn.confidence)
            if turn.intent in tracker.FALLBACK_INTENTS:
                self.has_fallback = True
            if turn.intent in tracker.HANDOFF_INTENTS:
                self._handoff(row.timestamp)
        elif row.type_name == "action":
            if row.action_name in tracker.FALLBACK_ACTIONS:
                self.has_fallback = True
            if row.action_name in tracker.HANDOFF_ACTIONS:
                self._handoff(row.timestamp)

    def _handoff(self, timestamp: float | None) -> None:
        if not self.handoff_requested:
            self.handoff_requested = True
            self.handoff_requested_at = tracker.to_datetime(timestamp)

    @classmethod
    def of(cls, summary: ConversationSummary, intents: Iterable[ConversationIntent]) -> Facts:
        return cls(summary.user_messages, summary.nlu_messages, summary.min_confidence, summary.has_fallback,
                   summary.handoff_requested, summary.handoff_requested_at, summary.last_event_id,
                   Counter({i.intent: i.count for i in intents}))

    def store(self, session: Session, summary: ConversationSummary,
              existing: dict[str, ConversationIntent]) -> None:
        for name in ("user_messages", "nlu_messages", "min_confidence", "has_fallback", "handoff_requested",
                     "handoff_requested_at", "last_event_id"):
            setattr(summary, name, getattr(self, name))
        for intent, count in self.intents.items():
            if intent in existing:
                existing[intent].count = count
            else:
                session.add(ConversationIntent(conversation_id=summary.conversation_id, intent=intent, count=count))


def _event_rows(tracker_engine: Engine, *conditions):
    query = select(tracker.events.c.id, tracker.events.c.sender_id, tracker.events.c.type_name,
                   tracker.events.c.timestamp, tracker.events.c.intent_name, tracker.events.c.action_name,
                   tracker.events.c.data).where(*conditions).order_by(tracker.events.c.id)
    with tracker_engine.connect() as conn:
        return conn.execute(query).all()


def _fold_into(session: Session, tracker_engine: Engine, ids: list[str], upto: int, reset: bool) -> int:
    """Fold events (id <= upto) of the given conversations into their summaries; returns events folded."""
    summaries = {s.conversation_id: s for s in session.scalars(
        select(ConversationSummary).where(ConversationSummary.conversation_id.in_(ids)))}
    intents: dict[str, dict[str, ConversationIntent]] = defaultdict(dict)
    if reset:
        session.execute(delete(ConversationIntent).where(ConversationIntent.conversation_id.in_(ids)))
    else:
        for row in session.scalars(select(ConversationIntent).where(ConversationIntent.conversation_id.in_(ids))):
            intents[row.conversation_id][row.intent] = row
    facts = {cid: Facts() if reset else Facts.of(s, intents[cid].values()) for cid, s in summaries.items()}
    rows = _event_rows(tracker_engine, tracker.events.c.sender_id.in_(list(summaries)),
                       tracker.events.c.id <= upto) if upto else []
    for row in rows:
        facts[row.sender_id].fold(row)
    for cid, summary in summaries.items():
        facts[cid].store(session, summary, intents[cid])
    return len(rows)


def _watermark(session: Session) -> SyncState:
    state = session.get(SyncState, WATERMARK)
    if state is None:
        state = SyncState(key=WATERMARK, value="0")
        session.add(state)
        session.flush()
    return state


def refresh(session: Session, tracker_engine: Engine | None, limit: int = 20_000) -> int:
    """Bring summaries up to date (at most `limit` new events per call); returns events folded.

    Best effort: if another refresh holds the lock or the tracker store is down, the inbox shows
    what is there. Commits its own work.
    """
    if not _lock.acquire(blocking=False):
        return 0
    try:
        return _refresh(session, tracker_engine, limit)
    except OperationalError as exc:  # tracker store down, or SQLite busy with a concurrent refresh
        session.rollback()
        log.warning("samenvattingen niet bijgewerkt: %s", str(exc).splitlines()[0])
        return 0
    finally:
        _lock.release()


def _refresh(session: Session, tracker_engine: Engine | None, limit: int) -> int:
    has_events = tracker_engine is not None and tracker.has_events_table(tracker_engine)
    top = tracker.max_event_id(tracker_engine) if has_events else 0
    state = _watermark(session)
    mark = int(state.value or 0)
    if top < mark:  # tracker store was reset: fold everything again
        log.warning("tracker store is nieuwer opgezet (max id %s < %s); samenvattingen opnieuw", top, mark)
        rebuild_all(session, tracker_engine)
        return 0
    upto = min(top, mark + limit)
    folded = 0
    new_ids = _missing_summaries(session)
    for start in range(0, len(new_ids), CHUNK):
        chunk = new_ids[start:start + CHUNK]
        session.add_all(ConversationSummary(conversation_id=cid, ref=conversation_ref(cid)) for cid in chunk)
        session.flush()
        if has_events:
            folded += _fold_into(session, tracker_engine, chunk, upto, reset=True)
    if has_events and upto > mark:
        senders = sorted({r.sender_id for r in _event_rows(
            tracker_engine, tracker.events.c.id > mark, tracker.events.c.id <= upto)})
        for start in range(0, len(senders), CHUNK):
            folded += _fold_into(session, tracker_engine, senders[start:start + CHUNK], upto, reset=False)
        state.value = str(upto)
    session.commit()
    return folded


def _missing_summaries(session: Session) -> list[str]:
    conversations = session.scalar(select(func.count()).select_from(Conversation))
    summaries = session.scalar(select(func.count()).select_from(ConversationSummary))
    if conversations == summaries:  # summaries cascade with conversations, so equal counts = complete
        return []
    query = (select(Conversation.id).outerjoin(ConversationSummary, ConversationSummary.conversation_id
                                               == Conversation.id)
             .where(ConversationSummary.conversation_id.is_(None)))
    return list(session.scalars(query))


def rebuild(session: Session, tracker_engine: Engine | None, conversation_ids: list[str]) -> None:
    """Recompute the summaries of these conversations from their remaining events (after retention)."""
    upto = tracker.max_event_id(tracker_engine) if tracker_engine is not None and \
        tracker.has_events_table(tracker_engine) else 0
    for start in range(0, len(conversation_ids), CHUNK):
        _fold_into(session, tracker_engine, conversation_ids[start:start + CHUNK], upto, reset=True)


def rebuild_all(session: Session, tracker_engine: Engine | None) -> None:
    ids = list(session.scalars(select(ConversationSummary.conversation_id)))
    rebuild(session, tracker_engine, ids)
    top = tracker.max_event_id(tracker_engine) if tracker_engine is not None and \
        tracker.has_events_table(tracker_engine) else 0
    _watermark(session).value = str(top)
    session.commit()


def safe_refresh(session: Session, tracker_engine: Engine | None) -> None:
    try:
        refresh(session, tracker_engine)
    except SQLAlchemyError as exc:
        session.rollback()
        log.warning("samenvattingen niet bijgewerkt: %s", exc)
