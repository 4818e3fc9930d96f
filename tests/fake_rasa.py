"""A small fake of Rasa's REST channel over real HTTP, and helpers to serve ASGI apps in tests.

The gateway tests use it instead of the real Rasa (tests/test_e2e* start the real one). It records
every request and answers from a script close to Werkpunt's dialogue.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import SimpleNamespace

import httpx
import uvicorn
from sqlalchemy import Engine, create_engine, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from werkpunt.settings import Settings

LONG_PAYLOAD = '/apply_for_vacancy{"vacancy_id":"1234567","source":"zoekresultaat-pagina-2"}'  # > 64 bytes
ROLE_BUTTONS = [{"title": "Ik ben werkgever", "payload": "/identify_as_employer"},
                {"title": "Ik zoek werk", "payload": "/identify_as_jobseeker"}]


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
    if message == "/request_data_deletion":
        return [{"text": "Weet u het zeker?", "buttons": [{"title": "Ja, wis alles", "payload": "/affirm_delete"}]}]
    if message == "/affirm_delete":
        return [{"text": "Uw gegevens zijn gewist."}, {"custom": {"werkpunt_event": "data_deleted"}}]
    if message == "/restart":
        return []
    if message == "lang antwoord":
        return [{"text": ("Dit is een lange zin over werk <en> & loon. " * 250).strip()}]
    if message == "vacatures":
        return [{"text": "Ik vond 1 vacature.", "buttons": [{"title": "Solliciteer", "payload": LONG_PAYLOAD}]}]
    return [{"text": f"U zei: {message}"}]


class FakeRasa:
    def __init__(self, reply: Callable[[str], list[dict]] = script) -> None:
        self.reply = reply
        self.requests: list[dict] = []
        self._changed = asyncio.Condition()
        self.delay = 0.0
        self.gate: asyncio.Event | None = None  # when set by a test, answers wait until it is set
        self.app = Starlette(routes=[Route("/webhooks/rest/webhook", self.webhook, methods=["POST"]),
                                     Route("/status", self.status)])

    async def webhook(self, request: Request) -> JSONResponse:
        body = await request.json()
        async with self._changed:
            self.requests.append(body)
            self._changed.notify_all()
        if self.gate is not None:
            await self.gate.wait()
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow Rasa, for the latency measurement only
        return JSONResponse([{"recipient_id": body["sender"], **m} for m in self.reply(body["message"])])

    async def status(self, request: Request) -> JSONResponse:
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
EVENTS_DDL = ("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
              "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
              "action_name VARCHAR(255), data TEXT)")  # the shape of Rasa 3.6's SQL tracker store


def tracker_engine(path) -> Engine:
    """An SQLite tracker store like Rasa's, with its `events` table."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text(EVENTS_DDL))
    return engine


def add_tracker_events(engine: Engine, sender: str, count: int = 3) -> None:
    with engine.begin() as conn:
        for n in range(count):
            conn.execute(text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, '{}')"),
                         {"s": sender, "t": float(n)})


def tracker_event_count(engine: Engine, sender: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar_one()


def gateway_settings(rasa_url: str, **overrides) -> Settings:
    """Settings for a test gateway; every gateway field explicit, so a developer's .env cannot leak in."""
    values = dict(rasa_url=rasa_url, rasa_timeout=3.0, rasa_connect_timeout=1.0, gateway_secret="test-secret-" + "x" * 20,
                  telegram_token="", telegram_webhook_url="", telegram_secret="", support_phone="088 123 45 67",
                  telegram_api_base_url="http://127.0.0.1:9/bot", max_message_chars=2000, log_level="INFO")
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def running_gateway(settings: Settings, engine: Engine, tracker: Engine | None = None,
                          sock: socket.socket | None = None) -> AsyncIterator[SimpleNamespace]:
    """The gateway (bot.server.create_app) over real HTTP; yields .url, .app and .gateway."""
    from bot.server import create_app

    app = create_app(settings, engine=engine, tracker_engine=tracker, mount_staff=False)
    async with serve(app, sock) as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            assert (await client.get("/health")).status_code == 200  # returns once startup ran
        yield SimpleNamespace(url=url, app=app, gateway=app.state.gateway)
