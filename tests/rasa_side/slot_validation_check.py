"""Run with .venv/rasa/bin/python (Rasa 3.6): Rasa's own `action_extract_slots` over the project's domain,
against a small HTTP action server on a free port that records which actions it was asked to run.

First without the addon ("stock": Rasa calls the validator on both turns, which shows the check can tell
the two apart), then with `rasa_addons.slot_validation` installed ("patched"): a message that sets no
slot must not reach `action_validate_slot_mappings`; a message whose entity fills `home_place` must, and
the validator's answer must come back as Rasa's events. Prints one JSON object with both runs.
"""

from __future__ import annotations

import asyncio
import json
import socket

from aiohttp import web
from rasa.core.actions.action import ActionExtractSlots
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def main(mode: str) -> dict:
    if mode == "patched":
        from rasa_addons.slot_validation import install

        install()
    domain = Domain.load("domain")
    calls: list[str] = []

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        calls.append(body["next_action"])
        # The validator's answer: the home place as the official name (what actions/context.py does).
        return web.json_response({"events": [{"event": "slot", "name": "home_place", "value": "Kampen"}],
                                  "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        action = ActionExtractSlots(EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
        nlg = TemplatedNaturalLanguageGenerator(domain.responses)

        async def turn(message: UserUttered, earlier: list) -> list:
            tracker = DialogueStateTracker.from_events("check", [*earlier, message], slots=domain.slots)
            return await action.run(CollectingOutputChannel(), nlg, tracker, domain)

        start = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
        # A longer message that sets no slot: nothing for the validator (a short one may be a role statement).
        idle = await turn(UserUttered("dank u wel voor de hulp, dat was heel duidelijk voor mij",
                                      {"name": "thank", "confidence": 1.0}), start)
        calls_after_idle = list(calls)
        home = await turn(UserUttered("ik woon in kampen", {"name": "inform_home_place", "confidence": 1.0},
                                      [{"entity": "location", "value": "kampen", "start": 11, "end": 17}]), start)
        calls_after_home = list(calls)
        await turn(UserUttered("ik ben werkgever", {"name": "greet", "confidence": 0.4}), start)  # short: validated
    finally:
        await runner.cleanup()
    return {"calls_after_idle_turn": calls_after_idle, "calls_after_home": calls_after_home, "calls": calls,
            "idle_events": [e.as_dict() for e in idle],
            "home_events": [[e.key, e.value] for e in home if isinstance(e, SlotSet)]}


if __name__ == "__main__":
    stock = asyncio.run(main("stock"))
    print(json.dumps({"stock": stock, "patched": asyncio.run(main("patched"))}))
