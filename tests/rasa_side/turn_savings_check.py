"""Run with .venv/rasa/bin/python (Rasa 3.6): Rasa's own code paths against rasa_addons' per-turn savings.

1. Action server responses (`RemoteAction.run` against a small HTTP server on a free port): valid and
   invalid responses, first with Rasa's own check, then with `rasa_addons.action_calls` installed. The
   outcome (events, or the exception type and message) must be the same; the patched check must check
   its schema once, not once per response.
2. Event classes (`rasa_addons.event_types`): every event type name resolves to the class Rasa's walk
   finds, unknown names give Rasa's error or default, and a tracker read from stored events is equal.
Prints one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import socket

from aiohttp import web
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActiveLoop, BotUttered, Event, SessionStarted, SlotSet,
                                     UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

RESPONSES = {
    "valid": {"events": [{"event": "slot", "name": "location", "value": "Kampen"}],
              "responses": [{"text": "Ik zoek in Kampen."}]},
    "empty": {},
    "many_kinds": {"events": [{"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0},
                              {"event": "user", "text": "hoi", "parse_data": {"intent": {"name": "greet"}},
                               "input_channel": None},
                              {"event": "active_loop", "name": "registration_form"},
                              {"event": "bot", "text": "Hallo", "data": {}, "metadata": {}},
                              {"event": "followup", "name": "utter_greet"}, {"event": "reset_slots"},
                              {"event": "slot", "name": "hours", "value": None, "timestamp": None}],
                   "responses": [{"text": "Hallo", "buttons": []}]},
    "event_name_not_a_string": {"events": [{"event": ["slot"], "name": "hours", "value": 1}]},
    "slot_name_not_a_string": {"events": [{"event": "slot", "name": 3, "value": 1}]},
    "bad_timestamp": {"events": [{"event": "reset_slots", "timestamp": "gisteren"}]},
    "not_an_object": {"events": ["slot"]},
    "responses_not_a_list": {"events": [], "responses": "tekst"},
    "unknown_event": {"events": [{"event": "no_such_event"}]},
    "slot_without_name": {"events": [{"event": "slot", "value": 1}]},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stored_events() -> list[dict]:
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
              UserUttered("ik zoek werk", {"name": "search_jobs", "confidence": 0.9}, []),
              SlotSet("location", "Zwolle"), ActiveLoop("registration_form"), BotUttered("Welke uren?"),
              ActiveLoop(None), ActionExecuted("action_listen")]
    for number, event in enumerate(events):
        event.timestamp = 1_700_000_000.0 + number
    return [event.as_dict() for event in events]


async def responses(domain: Domain) -> dict:
    port = free_port()

    async def webhook(request: web.Request) -> web.Response:
        return web.json_response(RESPONSES[(await request.json())["next_action"]])

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
    tracker = DialogueStateTracker.from_dict("check", stored_events(), domain.slots)
    outcome = {}
    try:
        for name in RESPONSES:
            try:
                events = await RemoteAction(name, endpoint).run(
                    CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses), tracker, domain)
                outcome[name] = [{k: v for k, v in event.as_dict().items() if k != "timestamp"} for event in events]
            except Exception as exc:  # the type and message are what must not change
                outcome[name] = [type(exc).__name__, getattr(exc, "message", str(exc))]
    finally:
        await runner.cleanup()
    return outcome


def main() -> None:
    domain = Domain.load("domain")
    cls = validator_for(RemoteAction.action_response_format_spec())
    checks = {"n": 0}  # how often the response schema itself is checked
    check_schema = cls.check_schema

    def counting(schema, *args, **kwargs):
        checks["n"] += 1
        return check_schema(schema, *args, **kwargs)

    cls.check_schema = counting
    names = sorted({c.type_name for c in all_subclasses(Event)}) + ["topic", "no_such_event"]

    def resolved() -> dict:
        found = {}
        for name in names:
            try:
                found[name] = [getattr(Event.resolve_by_type(name), "__name__", None),
                               getattr(Event.resolve_by_type(name, default=SlotSet), "__name__", None)]
            except ValueError as exc:
                found[name] = ["ValueError", str(exc)]
        return found

    stock = {"responses": asyncio.run(responses(domain)), "schema_checks": checks["n"], "events": resolved(),
             "tracker": DialogueStateTracker.from_dict("c", stored_events(), domain.slots).current_state()}
    from rasa_addons.action_calls import install as install_action_calls
    from rasa_addons.event_types import install as install_event_types

    install_action_calls()
    install_event_types()
    import rasa_addons.action_calls as action_calls

    fast = action_calls._accepted_fast
    accepted: list[bool] = []
    action_calls._accepted_fast = lambda result: accepted.append(fast(result)) or accepted[-1]
    checks["n"] = 0
    patched = {"responses": asyncio.run(responses(domain)), "schema_checks": checks["n"], "events": resolved(),
               "tracker": DialogueStateTracker.from_dict("c", stored_events(), domain.slots).current_state()}
    patched["events_again"] = resolved()
    patched["accepted_fast"] = sum(accepted)
    print(json.dumps({"stock": stock, "patched": patched}, default=str))


if __name__ == "__main__":
    main()
