"""The one fake of Rasa for tests: its HTTP surface over real HTTP, and helpers to serve ASGI apps.

`FakeRasa` answers what Werkpunt's gateway and staff workspace call (docs/contracts.md): Werkpunt's
channel (`POST /webhooks/werkpunt/webhook`, rasa_addons/channel.py), the tracker events API
(`POST /conversations/{id}/tracker/events`: staff pause/resume) and `GET /status`; with `token` it
checks credentials as the real Rasa does. Given a tracker engine it also records every turn in
Rasa's `events` table the way Rasa's SQL tracker store does, so staff transcripts read real-looking
NLU data. It never touches the placement database: what actions do there is tested with the real
action server (tests/test_actions_services.py, tests/test_e2e_stack.py).
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import SimpleNamespace

import httpx
import uvicorn
from sqlalchemy import Engine, create_engine, func, insert, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.rasa_client import CHANNEL_PATH, TOKEN_HEADER
from placement.clock import now
from placement.tracker_events import create_events_table, events
from settings import Settings
from staff.demo import Script

LONG_PAYLOAD = '/apply_for_vacancy{"vacancy_id":"1234567","source":"zoekresultaat-pagina-2"}'  # > 64 bytes
ROLE_BUTTONS = [{"title": "Ik ben werkgever", "payload": "/identify_as_employer"},
                {"title": "Ik zoek werk", "payload": "/identify_as_jobseeker"}]
# The fake's "NLU": typed text containing one of these words gets that intent (a payload names its own).
INTENTS = (("medewerker", "request_human", 0.97), ("schilder", "search_jobs", 0.91),
           ("hallo", "greet", 0.99), ("subsidie", "ask_wage_subsidy", 0.55))
HANDOFF_ANSWER = "Ik zoek een collega voor u. Een ogenblik."
RASA_TOKEN = "test-rasa-token-" + "r" * 20  # what gateway_settings() configures; FakeRasa(token=RASA_TOKEN) checks it


def understand(message: str) -> tuple[str, float]:
    """(intent, confidence) as the fake reads a message."""
    if message.startswith("/"):  # a button payload: no NLU, the intent is given
        return message[1:].split("{")[0], 1.0
    return next(((i, c) for word, i, c in INTENTS if word in message.lower()), ("out_of_scope", 0.4))


def script(message: str) -> list[dict]:
    """The fake assistant's answers."""
    if message == "/greet":
        return [{"text": "Hallo! Ik ben de digitale assistent van het Werkgeversservicepunt."},
                {"text": "Ik bewaar dit gesprek 90 dagen.", "buttons": ROLE_BUTTONS}]
    if message == "/identify_as_employer":
        return [{"text": "Fijn! Wilt u een vacature melden of kandidaten zoeken?"}]
    if message == "/identify_as_jobseeker":
        return [{"text": "Fijn! Wat voor werk zoekt u?"}]
    if message.startswith("/apply_for_vacancy"):
        return [{"text": "Uw sollicitatie is doorgestuurd."}]
    if message == "/request_data_deletion" or message == "verwijder mijn gegevens":
        return [{"text": "Weet u het zeker?", "buttons": [{"title": "Ja, wis alles", "payload": "/affirm_delete"}]}]
    if message == "/affirm_delete":
        return [{"text": "Uw gegevens zijn gewist."}, {"custom": {"werkpunt_event": "data_deleted"}}]
    if message == "/restart":
        return []
    if message == "lang antwoord":
        return [{"text": ("Dit is een lange zin over werk <en> & loon. " * 250).strip()}]
    if message == "vacatures":
        return [{"text": "Ik vond 1 vacature.", "buttons": [{"title": "Solliciteer", "payload": LONG_PAYLOAD}]}]
    if understand(message)[0] == "request_human":
        return [{"text": HANDOFF_ANSWER}]
    return [{"text": f"U zei: {message}"}]


class FakeRasa:
    def __init__(self, reply: Callable[[str], list[dict]] = script, tracker_engine: Engine | None = None,
                 token: str | None = None) -> None:
        self.reply = reply
        # With a token the fake refuses what real Rasa refuses: the channel without the X-Werkpunt-Token
        # header, the HTTP API without ?token= (both 401). Without one it accepts any caller.
        self.token = token
        self.tracker_engine = tracker_engine
        self.requests: list[dict] = []  # REST channel bodies, in arrival order
        self.tracker_events: list[tuple[str, str]] = []  # (sender, event) posted to the events API
        self._changed = asyncio.Condition()
        self.delay = 0.0
        self.gate: asyncio.Event | None = None  # when set by a test, answers wait until it is set
        if tracker_engine is not None:
            create_events_table(tracker_engine)
        self.app = Starlette(routes=[
            Route(CHANNEL_PATH, self.webhook, methods=["POST"]),
            Route("/conversations/{sender}/tracker/events", self.events, methods=["POST"]),
            Route("/status", self.status),
        ])

    def _refused(self, given: str | None) -> JSONResponse | None:
        if self.token is not None and given != self.token:
            return JSONResponse({"status": "failure", "reason": "NotAuthenticated"}, status_code=401)
        return None

    async def webhook(self, request: Request) -> JSONResponse:
        refused = self._refused(request.headers.get(TOKEN_HEADER))
        if refused is not None:
            return refused
        body = await request.json()
        async with self._changed:
            self.requests.append(body)
            self._changed.notify_all()
        if self.gate is not None:
            await self.gate.wait()
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow Rasa, for the latency measurement only
        answers = self.reply(body["message"])
        if self.tracker_engine is not None:
            self._record_turn(body, answers)
        return JSONResponse([{"recipient_id": body["sender"], **m} for m in answers])

    def _record_turn(self, body: dict, answers: list[dict]) -> None:
        """The turn's events, as Rasa's SQL tracker store writes them."""
        message = str(body.get("message", ""))
        channel = (body.get("metadata") or {}).get("channel", "web")
        turn = Script(body["sender"], now(), channel, pause_range=(0, 0))
        intent, confidence = understand(message)
        turn.user(message, intent, confidence)
        for answer in answers:
            if answer.get("text"):
                turn.bot("action_request_human" if intent == "request_human" else "utter_" + intent, answer["text"])
        turn.listen()
        with self.tracker_engine.begin() as conn:
            conn.execute(insert(events), turn.events)

    async def events(self, request: Request) -> JSONResponse:
        """Rasa's `POST /conversations/{id}/tracker/events` (the staff workspace's pause and resume)."""
        refused = self._refused(request.query_params.get("token"))
        if refused is not None:
            return refused
        sender = request.path_params["sender"]
        name = (await request.json()).get("event")
        self.tracker_events.append((sender, name))
        if self.tracker_engine is not None:
            ts = time.time()
            with self.tracker_engine.begin() as conn:
                conn.execute(insert(events), [dict(sender_id=sender, type_name=name, timestamp=ts,
                                                   data=json.dumps({"event": name, "timestamp": ts}))])
        return JSONResponse({"sender_id": sender, "events": []})

    async def status(self, request: Request) -> JSONResponse:
        refused = self._refused(request.query_params.get("token"))
        if refused is not None:
            return refused
        return JSONResponse({"model_file": "fake"})

    def messages(self) -> list[str]:
        return [r["message"] for r in self.requests]

    async def wait_requests(self, count: int, timeout: float = 10) -> list[dict]:
        """Wait until Rasa has received `count` messages (answered or not)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.requests) >= count), timeout)
            return list(self.requests)


def listening_socket(port: int = 0) -> socket.socket:
    """A bound, listening socket: clients may connect at once, before the server loop runs."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    return sock


@asynccontextmanager
async def serve(app, sock: socket.socket | None = None) -> AsyncIterator[str]:
    """Serve an ASGI app over real HTTP in this event loop; yields its base URL at once."""
    sock = sock or listening_socket()
    config = uvicorn.Config(app, log_level="warning", lifespan="auto", timeout_graceful_shutdown=2,
                            access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        # No waiting for "started": the socket already listens, so early requests queue in its
        # backlog until uvicorn has run the app's startup and accepts them.
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


# --- the gateway under test ------------------------------------------------------------------------
def tracker_engine(path) -> Engine:
    """An SQLite tracker store like Rasa's, with its `events` table."""
    engine = create_engine(f"sqlite:///{path}")
    create_events_table(engine)
    return engine


def add_tracker_events(engine: Engine, sender: str, count: int = 3) -> None:
    with engine.begin() as conn:
        conn.execute(insert(events), [dict(sender_id=sender, type_name="user", timestamp=float(n), data="{}")
                                      for n in range(count)])


def tracker_event_count(engine: Engine, sender: str) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(events).where(events.c.sender_id == sender))


def gateway_settings(rasa_url: str, **overrides) -> Settings:
    """Settings for a test gateway; every gateway field explicit, so a developer's .env cannot leak in."""
    values = dict(rasa_url=rasa_url, rasa_token=RASA_TOKEN, rasa_timeout=3.0, rasa_connect_timeout=1.0, gateway_secret="test-secret-" + "x" * 20,
                  telegram_token="", telegram_webhook_url="", telegram_secret="", support_phone="088 123 45 67",
                  telegram_api_base_url="http://127.0.0.1:9/bot", max_message_chars=2000, log_level="INFO")
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def running_gateway(settings: Settings, engine: Engine, tracker: Engine | None = None,
                          sock: socket.socket | None = None) -> AsyncIterator[SimpleNamespace]:
    """The gateway (bot.server.create_app) over real HTTP; yields .url, .app and .gateway."""
    from bot.server import create_app

    app = create_app(settings, engine=engine, tracker_engine=tracker)
    async with serve(app, sock) as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            assert (await client.get("/health")).status_code == 200  # returns once startup ran
        yield SimpleNamespace(url=url, app=app, gateway=app.state.gateway)
