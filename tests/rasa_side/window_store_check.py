"""Run with .venv/rasa/bin/python (Rasa 3.6): drives WindowTrackerStore the way Rasa's processor does
(retrieve, add one turn's events, save) through a long session, and compares every turn with Rasa's own
SQLTrackerStore reading the same table. Prints one JSON object; tests/test_tracker_window.py checks it.

Two WindowTrackerStore instances over one SQLite file stand for two Rasa replicas; turns alternate
between them, and a third, cold one reads at the end (a replica that just started).
"""

from __future__ import annotations

import asyncio
import json
import sys

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered

from rasa_addons.tracker_store import WindowTrackerStore


def turn_events(i: int) -> list:
    """One turn: a user message, slot changes (a form opened and closed now and then), a bot answer."""
    events = [UserUttered(f"bericht {i}", {"name": "search_jobs", "confidence": 1.0}),
              ActionExecuted("action_search_jobs"), SlotSet("job_title", f"beroep {i}")]
    if i % 7 == 0:
        events += [ActionExecuted("registration_form"), ActiveLoop("registration_form")]
    if i % 7 == 3:
        events += [ActiveLoop(None)]
    if i % 11 == 5:
        events += [SlotSet("location", f"plaats {i}")]
    events += [BotUttered(f"antwoord {i}"), ActionExecuted("action_listen")]
    return events


async def main(db: str, turns: int, window: int) -> dict:
    domain = Domain.load("domain")
    replicas = [WindowTrackerStore(domain=domain, dialect="sqlite", db=db, window=window) for _ in range(2)]
    plain = SQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    mismatches: list[str] = []
    loaded_max = 0
    for i in range(turns):
        store = replicas[i % 2]
        tracker = await store.get_or_create_tracker("lang-gesprek", append_action_listen=False)
        for event in turn_events(i):
            tracker.update(event)
        await store.save(tracker)
        loaded_max = max(loaded_max, len(tracker.events))
        full = await plain.retrieve("lang-gesprek")
        if full.current_slot_values() != tracker.current_slot_values():
            mismatches.append(f"turn {i}: slots differ")
        if full.active_loop_name != tracker.active_loop_name:
            mismatches.append(f"turn {i}: active loop {full.active_loop_name} != {tracker.active_loop_name}")
    cold = WindowTrackerStore(domain=domain, dialect="sqlite", db=db, window=window)
    last = await cold.retrieve("lang-gesprek")
    full = await plain.retrieve("lang-gesprek")
    loaded = list(last.events)
    first_user = next(i for i, e in enumerate(loaded) if isinstance(e, UserUttered))
    real_tail = [e.as_dict() for e in loaded[first_user:]]  # after the synthetic start
    return {"mismatches": mismatches[:10], "rows": len(full.events),
            "expected_rows": sum(len(turn_events(i)) for i in range(turns)), "loaded_max": loaded_max,
            "cold_slots_equal": last.current_slot_values() == full.current_slot_values(),
            "cold_loop_equal": last.active_loop_name == full.active_loop_name,
            "cold_tail_equal": real_tail == [e.as_dict() for e in list(full.events)[-len(real_tail):]],
            "cold_tail_events": len(real_tail),
            "cold_loaded": len(last.events)}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))))
