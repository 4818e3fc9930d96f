"""A SQL tracker store whose per-turn cost does not grow with the length of a session.

Rasa's SQLTrackerStore loads every event of the current session on every turn, replays them, and every
policy then builds one state per event (`Domain.states_for_tracker_history`) for every action it
predicts; saving counts the session's rows again. A 200-turn conversation was 4.6x slower per turn than a
new one. The policies look back only `max_history` (3) turns and the rules a few turns, so the turn
needs the recent events plus the *state* they start from, not the whole history.

`WindowTrackerStore` keeps the table and its rows exactly as Rasa writes them (the gateway and the staff
workspace read them) and changes only what a turn loads:
- a session of at most `2 * window` events is loaded whole, as Rasa does;
- a longer one is loaded as a short synthetic prefix (session start, the slot values and active loop
  as they were at the cut) followed by the events from the cut on. The cut sits at a user message, at
  least `window` events back, and only moves when the tail has grown to `2 * window` events, so the
  state at the cut (a replay of the events before it) is computed once per process and then extended
  by the events between the old and the new cut: each turn loads O(window) rows.
- `save` writes the events added after loading (Rasa counts the session's rows instead, which would
  be wrong for a windowed tracker); a tracker that did not come from `retrieve` is saved the Rasa way.
  The rows are Rasa's, written in one multi-row INSERT (in event order) rather than via the ORM.

Several Rasa replicas may serve one conversation (with the Redis lock store): each keeps its own
cache of cut states and checks it against the session start in the table, so a replica that missed
turns loads the rows it has not seen; a cold cache costs one full replay, once.
`retrieve_full_tracker` (history API, stories) still loads everything.
"""

from __future__ import annotations

import json
import logging
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterator, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

STORED = "werkpunt_stored_events"  # attribute on a retrieved tracker: how many of its events are in the table
DEFAULT_WINDOW = 60  # events; a turn of this bot is 4-8 events, so the tail holds 8-30 turns
CACHE_SIZE = 2000  # conversations whose cut state a process remembers


@dataclass
class Cut:
    """The state of a session just before event `event_id` (a user message)."""

    session_start: Optional[float]
    event_id: int
    prefix: DialogueStateTracker  # the replayed events before the cut


class WindowTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, window: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        raw = window if window not in (None, "") else os.environ.get("TRACKER_WINDOW_EVENTS", "")
        self.window = max(10, int(raw)) if str(raw).strip() else DEFAULT_WINDOW
        self._cuts: "OrderedDict[str, Cut]" = OrderedDict()

    # --- loading ----------------------------------------------------------------------------------

    def _session_filter(self, session: Any, sender_id: str) -> tuple[Optional[float], list]:
        """Rasa's own definition of the current session: events from the latest SessionStarted on
        (as filter criteria; only Rasa's own imports here, see tests/test_locked_doors.py)."""
        event = self.SQLEvent
        latest = session.query(event.timestamp).filter(
            event.sender_id == sender_id, event.type_name == SessionStarted.type_name) \
            .order_by(event.timestamp.desc()).limit(1).first()
        start = latest[0] if latest else None
        condition = [event.sender_id == sender_id]
        if start is not None:
            condition.append(event.timestamp >= start)
        return start, condition

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        if not self.domain:
            return await super().retrieve(sender_id)
        event = self.SQLEvent
        with self.session_scope() as session:
            start, in_session = self._session_filter(session, sender_id)
            cut = self._cuts.get(sender_id)
            if cut is not None and cut.session_start != start:
                cut = None  # a new session (or a restart of the table): the old cut means nothing
            if cut is None:
                newest = session.query(event.id, event.type_name, event.data).filter(*in_session) \
                    .order_by(event.id.desc()).limit(2 * self.window + 1).all()
                if len(newest) <= 2 * self.window:
                    return self._whole(sender_id, [row.data for row in reversed(newest)])
                rows = list(reversed(newest))
            else:
                rows = session.query(event.id, event.type_name, event.data).filter(
                    *in_session, event.id >= cut.event_id).order_by(event.id).all()
            if cut is None or len(rows) > 2 * self.window:
                new_cut_id = self._cut_point(rows)
                if new_cut_id is None:  # no user message in the tail: nothing to cut at
                    return await super().retrieve(sender_id)
                cut = self._advance(session, sender_id, start, in_session, cut, rows, new_cut_id)
                rows = [row for row in rows if row.id >= new_cut_id]
            self._cuts[sender_id] = cut
            self._cuts.move_to_end(sender_id)
            while len(self._cuts) > CACHE_SIZE:
                self._cuts.popitem(last=False)
            return self._windowed(sender_id, cut, [row.data for row in rows])

    def _cut_point(self, rows: list) -> Optional[int]:
        """The first user message among the newest `window` events."""
        for row in rows[-self.window:]:
            if row.type_name == UserUttered.type_name:
                return row.id
        return None

    def _advance(self, session: Any, sender_id: str, start: Optional[float], in_session: list,
                 cut: Optional[Cut], rows: list, new_cut_id: int) -> Cut:
        """The state just before `new_cut_id`: the cached one extended, or one full replay."""
        event = self.SQLEvent
        if cut is None:
            before = session.query(event.data).filter(*in_session, event.id < new_cut_id).order_by(event.id).all()
            prefix = DialogueStateTracker.from_dict(sender_id, [json.loads(r.data) for r in before],
                                                    self.domain.slots)
            logger.debug("window: full replay of %d events for a cut", len(before))
        else:
            prefix = cut.prefix
            for row in rows:
                if row.id >= new_cut_id:
                    break
                prefix.update(Event.from_parameters(json.loads(row.data)))
        return Cut(start, new_cut_id, prefix)

    def _whole(self, sender_id: str, data: list[str]) -> Optional[DialogueStateTracker]:
        if not data:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(d) for d in data], self.domain.slots)
        setattr(tracker, STORED, len(tracker.events))
        return tracker

    def _windowed(self, sender_id: str, cut: Cut, data: list[str]) -> DialogueStateTracker:
        """Synthetic start (session start, state at the cut, listening) + the events from the cut on."""
        tail = [Event.from_parameters(json.loads(d)) for d in data]
        stamp = tail[0].timestamp if tail else None
        prefix = cut.prefix
        start = [ActionExecuted(ACTION_SESSION_START_NAME, timestamp=stamp), SessionStarted(timestamp=stamp)]
        for slot in prefix.slots.values():
            if slot.value != slot.initial_value:
                start.append(SlotSet(slot.name, slot.value, timestamp=stamp))
        if prefix.active_loop_name:
            start.append(ActiveLoop(prefix.active_loop_name, timestamp=stamp))
        start.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=stamp))
        tracker = DialogueStateTracker.from_events(sender_id, start + list(tail), self.domain.slots)
        setattr(tracker, STORED, len(tracker.events))
        return tracker

    # --- saving -----------------------------------------------------------------------------------

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = getattr(tracker, STORED, None)
        if stored is None:
            return super()._additional_events(session, tracker)
        return iter(list(tracker.events)[stored:])

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save (the same rows, columns and order) as one multi-row INSERT instead of one ORM
        object per event: the ORM's unit of work was most of the save's CPU."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = []
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                rows.append({"sender_id": tracker.sender_id, "type_name": event.type_name,
                             "timestamp": data.get("timestamp"),
                             "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                             "action_name": data.get("name"), "data": json.dumps(data)})
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
        if getattr(tracker, STORED, None) is not None:
            setattr(tracker, STORED, len(tracker.events))  # a second save must not write them again
