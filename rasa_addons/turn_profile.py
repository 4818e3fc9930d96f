"""Where a Rasa turn spends its time: one JSON line per turn, only when WERKPUNT_TURN_PROFILE is set.

`tools/profile_turn.py` starts Rasa with WERKPUNT_TURN_PROFILE=<file>; `rasa_addons.run` then calls
`install(path)` before Rasa starts. Off (the default) nothing is wrapped and a turn costs what it
always did. Each line holds, in milliseconds: the whole turn (`handle_message`), the tracker load
(`fetch_tracker_and_update_session`, inside `log_message`), NLU (`parse_message`), slot extraction with
the `action_validate_slot_mappings` call, every policy prediction (`predict`, with its count), every
graph component that ran (`node:<name>`: tokenizer, featurizers, classifiers, each policy), every
action (`action:<name>`, a custom one is the HTTP call to the action server), and the tracker save.
Timings are wall clock inside one asyncio loop; concurrent turns would overlap, so the tool sends one
turn at a time. The lines hold names and times only, never message text.
"""

from __future__ import annotations

import contextvars
import functools
import json
import time
from collections import defaultdict
from typing import Any, Callable

_turn: contextvars.ContextVar[dict | None] = contextvars.ContextVar("werkpunt_turn_profile", default=None)


def _add(key: str, seconds: float) -> None:
    record = _turn.get()
    if record is not None:
        record["ms"][key] += seconds * 1000
        record["count"][key] += 1


def _timed_async(key: str | Callable[..., str], method):
    @functools.wraps(method)
    async def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return await method(*args, **kwargs)
        finally:
            _add(key(*args) if callable(key) else key, time.perf_counter() - started)

    return wrapper


def _timed_sync(key: str | Callable[..., str], method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            _add(key(*args) if callable(key) else key, time.perf_counter() - started)

    return wrapper


def install(path: str) -> None:
    """Wrap the processor, graph nodes, actions and the tracker store with timers writing to `path`."""
    import rasa.core.actions.forms  # noqa: F401 (its actions must exist before the scan below)
    import rasa_addons.tracker_store  # noqa: F401
    from rasa.core.actions.action import Action, RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import TrackerStore
    from rasa.engine.graph import GraphNode

    processor = MessageProcessor
    for name, key in (("fetch_tracker_and_update_session", "tracker_load"), ("parse_message", "nlu"),
                      ("run_action_extract_slots", "extract_slots"), ("save_tracker", "tracker_save")):
        setattr(processor, name, _timed_async(key, getattr(processor, name)))
    processor._predict_next_with_tracker = _timed_sync("predict", processor._predict_next_with_tracker)
    GraphNode.__call__ = _timed_sync(lambda node, *_: f"node:{node._node_name}", GraphNode.__call__)
    RemoteAction.run = _timed_async(lambda action, *_: f"action:{action.name()}", RemoteAction.run)
    for subclass in _subclasses(Action):
        if subclass is not RemoteAction and "run" in vars(subclass):
            subclass.run = _timed_async(lambda action, *_: f"action:{action.name()}", vars(subclass)["run"])
    for subclass in [TrackerStore, *_subclasses(TrackerStore)]:
        if "retrieve" in vars(subclass):
            subclass.retrieve = _timed_async(f"store_retrieve:{subclass.__name__}", vars(subclass)["retrieve"])

    handle = processor.handle_message

    @functools.wraps(handle)
    async def handle_message(self, message, *args, **kwargs):
        record: dict[str, Any] = {"ms": defaultdict(float), "count": defaultdict(int)}
        token = _turn.set(record)
        started = time.perf_counter()
        try:
            return await handle(self, message, *args, **kwargs)
        finally:
            record["ms"]["turn"] = (time.perf_counter() - started) * 1000
            _turn.reset(token)
            line = {"ms": {k: round(v, 2) for k, v in record["ms"].items()}, "count": dict(record["count"])}
            with open(path, "a", encoding="utf-8") as out:
                out.write(json.dumps(line) + "\n")

    processor.handle_message = handle_message


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found
