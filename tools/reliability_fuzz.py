"""Fuzz campaigns against the gateway's HTTP surface (web chat API and Telegram webhook), over real HTTP.

The gateway runs as its own process (uvicorn, webhook mode against the fake Bot API of tests/) with a
fast stand-in for Rasa (tools.bench_gateway:fake_rasa_app). Hypothesis generates the inputs: JSON
bodies of every shape, odd text (control characters, lone surrogates, bidi marks, 2,000+ characters,
HTML and injection strings, intent syntax), broken bodies and queries, and Telegram `Update` JSON built
from the Bot API types and then broken (wrong types, huge strings, unknown fields, deep nesting).
Every answer must be a 2xx or a deliberate 4xx; a 5xx is a server error, a dead process or a refused
connection is a crash. Afterwards the gateway must still answer a normal message.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import quote
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import httpx
import hypothesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from settings import ROOT
from werkpunt.net import free_port

WEBHOOK_SECRET = "fuzz-webhook-secret"
# Alembic's context is process-global: the real-stack thread of tools/reliability.py migrates at the same time.
MIGRATE_LOCK = threading.Lock()
WORKERS = 4  # client processes: Hypothesis costs the client more CPU per input than the gateway spends
NASTY = ["<script>alert(1)</script>", "'; DROP TABLE chat_message; --", "{{7*7}}", "${jndi:ldap://x}", "\u202eevil",
         "\x00\x1b[31m", "\ud800", "/restart", '/affirm{"vacancy_id": 1e308}', '/apply_for_vacancy{"vacancy_id":"Infinity"}',
         "%s%s%n", "../../etc/passwd", "é" * 2001, "😀" * 1500, "\u200b" * 50]
# Long texts repeat a short drawn piece: drawing 2,000 characters one by one costs Hypothesis ~40 ms an input.
long_text = st.builds(lambda piece, n: (piece * (n // len(piece) + 1))[:n], st.text(min_size=1, max_size=20),
                      st.integers(1900, 2600))
odd_text = st.one_of(st.text(max_size=300), st.sampled_from(NASTY), long_text,
                     st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(max_size=50)))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), odd_text)
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                           max_leaves=6)  # deeper nesting comes from raw_body (900-5,000 levels)


def deep(depth: int, kind: str) -> bytes:
    return (b'{"a":' * depth + b"1" + b"}" * depth) if kind == "obj" else (b"[" * depth + b"]" * depth)


web_body = st.one_of(
    st.fixed_dictionaries({"text": odd_text}),
    st.fixed_dictionaries({"payload": st.one_of(odd_text, st.text("0123456789abcdef", min_size=24, max_size=24)),
                           "title": scalars}),
    st.fixed_dictionaries({"start": scalars}),
    st.dictionaries(st.sampled_from(["text", "payload", "title", "start", "x"]), json_values, max_size=4),
    json_values,
)
raw_body = st.one_of(st.binary(max_size=500), st.builds(deep, st.integers(900, 5000), st.sampled_from(["obj", "arr"])))


def _update(text, chat_id, update_id, extra):
    return {"update_id": update_id, "message": {"message_id": 1, "date": 1764000000, "text": text,
                                                "chat": {"id": chat_id, "type": "private"},
                                                "from": {"id": chat_id, "is_bot": False, "first_name": "F"}}, **extra}


def _break(update: dict, how: str, value) -> dict:
    broken = json.loads(json.dumps(update))
    if how == "drop":
        broken["message"].pop(str(value) if str(value) in broken["message"] else "chat", None)
    elif how == "type":
        broken["message"][["chat", "from", "date", "text", "message_id"][abs(hash(str(value))) % 5]] = value
    elif how == "unknown":
        broken["message"]["nieuw_veld_" + str(abs(hash(str(value))) % 100)] = value
    elif how == "huge":
        broken["message"]["text"] = "x" * 100_000
    elif how == "root":
        broken = value
    return broken


telegram_update = st.builds(
    _break,
    st.builds(_update, odd_text, st.one_of(st.integers(-2**70, 2**70), st.integers(1, 10**9)),
              st.integers(-2**70, 2**70), st.dictionaries(st.sampled_from(["edited_message", "callback_query", "x"]),
                                                          json_values, max_size=1)),
    st.sampled_from(["none", "drop", "type", "unknown", "huge", "root"]), json_values)

request_case = st.one_of(
    st.tuples(st.just("POST /api/message json"), web_body),
    st.tuples(st.just("POST /api/message raw"), raw_body),
    st.tuples(st.just("POST /api/message form"), st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=3)),
    st.tuples(st.just("GET /api/updates"), st.one_of(st.integers(-2**80, 2**80), odd_text)),
    st.tuples(st.just("GET /api/history"), st.none()),
    st.tuples(st.just("POST /api/restart"), json_values),
    st.tuples(st.just("POST /telegram/webhook"), telegram_update),
    st.tuples(st.just("POST /telegram/webhook raw"), raw_body),
    st.tuples(st.just("GET path"), st.text(max_size=60)),
)


@dataclass
class Tally:
    inputs: int = 0
    server_errors: int = 0
    crashes: int = 0
    examples: list = field(default_factory=list)  # the first few failing inputs, for the operator


JSON = {"content-type": "application/json"}


def _json(value) -> bytes:
    """JSON as a careless client sends it: NaN and Infinity allowed, lone surrogates as \\ud800 escapes."""
    return json.dumps(value, allow_nan=True).encode()


def _wire(text: str) -> str:
    """What a client can put in a form or URL: lone surrogates cannot be encoded, so they become U+FFFD.
    (JSON bodies carry them as \\ud800 escapes, unchanged.)"""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _send(client: httpx.Client, kind: str, value) -> int:
    secret = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    if kind == "POST /api/message json":
        return client.post("/api/message", content=_json(value), headers=JSON).status_code
    if kind == "POST /api/message raw":
        return client.post("/api/message", content=value, headers={"content-type": "application/json"}).status_code
    if kind == "POST /api/message form":
        return client.post("/api/message", data={_wire(k): _wire(v) for k, v in value.items()}).status_code
    if kind == "GET /api/updates":
        try:  # a valid poll waits up to 10 s for news: a short read timeout means "waiting, as designed"
            return client.get("/api/updates", params={"after": _wire(str(value))}, timeout=0.2).status_code
        except httpx.ReadTimeout:
            return 200
    if kind == "GET /api/history":
        return client.get("/api/history").status_code
    if kind == "POST /api/restart":
        return client.post("/api/restart", content=_json(value), headers=JSON).status_code
    if kind == "POST /telegram/webhook":
        return client.post("/telegram/webhook", content=_json(value), headers=secret).status_code
    if kind == "POST /telegram/webhook raw":
        return client.post("/telegram/webhook", content=value, headers=secret).status_code
    return client.get("/" + quote(_wire(value).lstrip("/"), safe="/?=&")).status_code


def _uvicorn(args: list[str], env: dict, health: str, log) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", *args, "--log-level", "warning"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(health, timeout=1).status_code < 500:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{health} kwam niet op")


def fake_bot_api():
    """uvicorn --factory target: the fake Telegram Bot API of the tests, as a process of its own.

    Two control routes let the harness in another process break it: POST /control/fail with
    {"method": ..., "errors": [[502, "Bad Gateway"], ...], "retry_after": [1, ...]} (the next calls answer
    those 5xx, then 429 with those retry_after values), and GET /control/sent/{chat} (the texts Telegram
    accepted for that chat, in order)."""
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from tests.fake_telegram import FakeTelegram

    fake = FakeTelegram()

    async def fail(request):
        body = await request.json()
        fake.fail(body["method"], *[tuple(e) for e in body.get("errors", [])])
        fake.rate_limit(body["method"], *body.get("retry_after", []))
        return JSONResponse({"ok": True})

    async def sent(request):
        chat = int(request.path_params["chat"])
        return JSONResponse([c.params.get("text", "") for c in fake.sent(chat)])

    fake.app.router.routes[:0] = [Route("/control/fail", fail, methods=["POST"]),
                                  Route("/control/sent/{chat}", sent)]
    return fake.app


class OutOfTime(Exception):
    """The campaign's time budget is used up: the line reports the inputs reached (and fails below 100,000)."""


def campaign_worker(base: str, inputs: int, seed: int, budget_s: float | None = None) -> Tally:
    """One client process of the campaign: its own Hypothesis run (seed `seed`), one request at a time."""
    tally = Tally()
    deadline = time.monotonic() + budget_s if budget_s else None
    with httpx.Client(base_url=base, timeout=15) as client:
        client.get("/")  # a session cookie, so the turn path is reached too

        @hypothesis.seed(seed)
        @settings(max_examples=inputs, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(request_case)
        def one(case) -> None:
            if deadline and time.monotonic() > deadline:
                raise OutOfTime
            tally.inputs += 1
            try:
                status = _send(client, *case)
            except httpx.HTTPError as exc:
                status = 0 if isinstance(exc, (httpx.ConnectError, httpx.RemoteProtocolError)) else 504
            if status == 0:
                tally.crashes += 1
            elif status >= 500:
                tally.server_errors += 1
            if (status == 0 or status >= 500) and len(tally.examples) < 5:
                tally.examples.append((case[0], repr(case[1])[:200], status))

        if inputs:
            try:
                one()
            except OutOfTime:
                pass
    return tally


def gateway_campaign(inputs: int, log_path=None, workers: int = WORKERS, budget_s: float | None = None) -> dict:
    """Run `inputs` generated requests against a fresh gateway process, from `workers` client processes at
    once (each its own Hypothesis run with its own seed); returns the JSON line's fields."""
    from tests.fake_telegram import TOKEN

    tmp = tempfile.mkdtemp(prefix="werkpunt-fuzz-")
    from werkpunt.database import migrate

    with MIGRATE_LOCK:
        migrate(f"sqlite:///{tmp}/fuzz.db")
    rasa_port, bot_port, port = free_port(), free_port(), free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/fuzz.db", TRACKER_STORE_URL=f"sqlite:///{tmp}/tracker.db",
               GATEWAY_SECRET=uuid.uuid4().hex, RASA_TOKEN=uuid.uuid4().hex, LOG_LEVEL="WARNING",
               RASA_URL=f"http://127.0.0.1:{rasa_port}", TELEGRAM_TOKEN=TOKEN,
               TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{bot_port}/bot",
               TELEGRAM_WEBHOOK_URL="https://werkpunt.example/telegram/webhook", TELEGRAM_SECRET=WEBHOOK_SECRET,
               MESSAGES_PER_MINUTE="1000000", IP_MESSAGES_PER_MINUTE="1000000")
    log = open(log_path or os.devnull, "ab")
    procs = [_uvicorn(["tools.bench_gateway:fake_rasa_app", "--port", str(rasa_port)], env,
                      f"http://127.0.0.1:{rasa_port}/status", log),
             _uvicorn(["--factory", "tools.reliability_fuzz:fake_bot_api", "--port", str(bot_port)], env,
                      f"http://127.0.0.1:{bot_port}/", log)]
    gateway = _uvicorn(["werkpunt.app:app", "--port", str(port)], env, f"http://127.0.0.1:{port}/health", log)
    procs.append(gateway)
    base = f"http://127.0.0.1:{port}"
    try:
        share = [inputs // workers + (1 if n < inputs % workers else 0) for n in range(workers)]
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            tallies = list(pool.map(campaign_worker, [base] * workers, share, range(workers),
                                    [budget_s] * workers))
        tally = Tally(sum(t.inputs for t in tallies), sum(t.server_errors for t in tallies),
                      sum(t.crashes for t in tallies), [e for t in tallies for e in t.examples][:5])
        if gateway.poll() is not None:
            tally.crashes += 1
        normal = httpx.post(f"{base}/api/message", json={"text": "hallo"}, cookies=httpx.get(base).cookies)
        still_answers = normal.status_code == 200 and not normal.json()["failed"]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(10)
        log.close()
    return {"fuzz": "gateway_http", "inputs": tally.inputs, "server_errors": tally.server_errors,
            "crashes": tally.crashes + (0 if still_answers else 1), "examples": tally.examples}


if __name__ == "__main__":
    print(json.dumps(gateway_campaign(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)))
