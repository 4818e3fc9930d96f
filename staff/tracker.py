"""Read-only access to Rasa's SQL tracker store (`events` table at TRACKER_STORE_URL).

The table itself is defined once, in `placement/tracker_events.py`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select

from placement.tracker_events import create_events_table, events, tracker_metadata  # noqa: F401 (re-export)

# Actions and intents that mean "the bot did not understand".
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "action_two_stage_fallback"})
FALLBACK_INTENTS = frozenset({"nlu_fallback"})
HANDOFF_ACTIONS = frozenset({"action_request_human"})
HANDOFF_INTENTS = frozenset({"request_human"})
# Bookkeeping actions that a reader of a transcript does not need to see.
QUIET_ACTIONS = frozenset({"action_listen", "action_session_start", "action_unlikely_intent"})


def has_events_table(engine: Engine) -> bool:
    from sqlalchemy import inspect

    return inspect(engine).has_table("events")


def max_event_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.max(events.c.id))) or 0


def to_datetime(timestamp: float | None) -> dt.datetime | None:
    """Rasa timestamps are epoch seconds; the placement DB stores naive UTC."""
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).replace(tzinfo=None)


def to_timestamp(moment: dt.datetime) -> float:
    return moment.replace(tzinfo=dt.UTC).timestamp()


@dataclass
class UserTurn:
    """What NLU made of one user message."""

    text: str
    intent: str | None
    confidence: float | None
    entities: list[dict[str, Any]] = field(default_factory=list)
    ranking: list[dict[str, Any]] = field(default_factory=list)
    is_payload: bool = False  # a button press (`/intent{...}`): no NLU prediction was made

    @property
    def original_intent(self) -> tuple[str, float] | None:
        """For nlu_fallback: the intent NLU would have picked (second in the ranking)."""
        if self.intent in FALLBACK_INTENTS:
            for item in self.ranking:
                if item.get("name") not in FALLBACK_INTENTS:
                    return item.get("name"), float(item.get("confidence") or 0)
        return None


def parse_data(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def user_turn(data: dict[str, Any], intent_name: str | None = None) -> UserTurn:
    text = str(data.get("text") or "")
    parsed = data.get("parse_data") or {}
    intent = parsed.get("intent") or {}
    is_payload = text.startswith("/")
    confidence = intent.get("confidence")
    entities = [
        {k: e.get(k) for k in ("entity", "value", "start", "end", "extractor")}
        for e in parsed.get("entities") or [] if isinstance(e, dict)
    ]
    return UserTurn(
        text=text, intent=intent.get("name") or intent_name,
        confidence=None if is_payload or confidence is None else float(confidence),
        entities=entities, ranking=list(parsed.get("intent_ranking") or [])[:5], is_payload=is_payload,
    )


def bot_buttons(data: dict[str, Any]) -> list[str]:
    inner = data.get("data") or {}
    return [str(b.get("title", "")) for b in inner.get("buttons") or [] if isinstance(b, dict)]


def sender_events(engine: Engine, sender_id: str) -> list[dict[str, Any]]:
    """All events of one conversation, oldest first, with `data` decoded."""
    query = select(events).where(events.c.sender_id == sender_id).order_by(events.c.id)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [dict(row, data=parse_data(row["data"])) for row in rows]
