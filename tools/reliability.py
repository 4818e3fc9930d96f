"""`make reliability`: fault scenarios and fuzz campaigns against real local processes, one JSON line each.

Fault lines: {"fault": NAME, "survived": bool, "sent": N, "answered": N, "lost": N, "recovered_s": X}.
`answered` counts user messages that got a reply (a real answer or the fallback); `lost` counts user
messages missing from the store afterwards, or that got no real answer after recovery although the user
retried. Any difference is a failed scenario. Fuzz lines: {"fuzz": NAME, "inputs": N, ...} (tools/reliability_fuzz.py).
The processes: the gateway (uvicorn werkpunt.app:app, Telegram in webhook mode against the fake Bot API of
tests/) and a stand-in for Rasa that can be killed or made slow. `--small` runs the seconds-long versions.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select

from bot.models import ChatMessage
from settings import ROOT
from tools.reliability_fuzz import WEBHOOK_SECRET, _uvicorn, gateway_campaign
from tools.reliability_telegram import telegram_lines, telegram_refusals  # noqa: F401 (tests use them from here)
from werkpunt.net import free_port

RASA_TIMEOUT = 2.0
SLOW_FLAG = "RELIABILITY_SLOW_FLAG"


def standin_rasa():
    """uvicorn --factory target: Rasa's channel answering 'U zei: ...', slower than RASA_TIMEOUT while a flag file exists."""
    import asyncio

    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from bot.rasa_client import CHANNEL_PATH

    flag = Path(os.environ[SLOW_FLAG])

    async def answer(request):
        body = await request.json()
        if flag.exists():
            await asyncio.sleep(RASA_TIMEOUT + 2)
        return JSONResponse([{"recipient_id": body["sender"], "text": "U zei: " + body["message"]}])

    return Starlette(routes=[Route(CHANNEL_PATH, answer, methods=["POST"]),
                             Route("/status", lambda request: JSONResponse({}))])


class Harness:
    """The gateway, the stand-in Rasa and the fake Bot API as processes; restartable one by one."""

    def __init__(self) -> None:
        from tests.fake_telegram import TOKEN
        from werkpunt.database import migrate

        self.tmp = Path(tempfile.mkdtemp(prefix="werkpunt-reliability-"))
        self.db = f"sqlite:///{self.tmp}/placement.db"
        from tools.reliability_fuzz import MIGRATE_LOCK

        with MIGRATE_LOCK:
            migrate(self.db)
        self.flag = self.tmp / "slow"
        self.ports = {"rasa": free_port(), "bot": free_port(), "gateway": free_port()}
        self.env = dict(os.environ, DATABASE_URL=self.db, TRACKER_STORE_URL=f"sqlite:///{self.tmp}/tracker.db",
                        GATEWAY_SECRET=uuid.uuid4().hex, RASA_TOKEN=uuid.uuid4().hex, LOG_LEVEL="WARNING",
                        RASA_URL=f"http://127.0.0.1:{self.ports['rasa']}", RASA_TIMEOUT=str(RASA_TIMEOUT),
                        TELEGRAM_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{self.ports['bot']}/bot",
                        TELEGRAM_WEBHOOK_URL="https://werkpunt.example/telegram/webhook",
                        TELEGRAM_SECRET=WEBHOOK_SECRET, TELEGRAM_RETRY_SECONDS="1", MESSAGES_PER_MINUTE="100000",
                        IP_MESSAGES_PER_MINUTE="100000", **{SLOW_FLAG: str(self.flag)})
        self.log = open(self.tmp / "processes.log", "ab")
        self.procs = {}
        for name in ("rasa", "bot", "gateway"):
            self.start(name)
        self.engine = create_engine(self.db)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def start(self, name: str) -> float:
        started = time.monotonic()
        port = str(self.ports[name])
        args = {"rasa": ["--factory", "tools.reliability:standin_rasa", "--port", port],
                "bot": ["--factory", "tools.reliability_fuzz:fake_bot_api", "--port", port],
                "gateway": ["werkpunt.app:app", "--port", port]}[name]
        health = {"rasa": "/status", "bot": "/", "gateway": "/health"}[name]
        self.procs[name] = _uvicorn(args, self.env, f"http://127.0.0.1:{port}{health}", self.log)
        return time.monotonic() - started

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(10)

    def stored_user_texts(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.scalars(select(ChatMessage.text).where(ChatMessage.author == "user")))

    def count(self, *where) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(ChatMessage).where(*where))

    def close(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            proc.wait(10)
        self.log.close()
        self.engine.dispose()


def line(fault: str, sent: list[str], answered: int, real_after: bool, store: list[str], recovered: float) -> dict:
    lost = sum(1 for text in sent if text not in store) + (0 if real_after else 1)
    return {"fault": fault, "survived": lost == 0 and answered == len(sent), "sent": len(sent),
            "answered": answered, "lost": lost, "recovered_s": round(recovered, 1)}


def _talk(client: httpx.Client, text: str) -> dict | None:
    try:
        response = client.post("/api/message", json={"text": text}, timeout=30)
        return response.json() if response.status_code == 200 else None
    except httpx.HTTPError:
        return None


def rasa_outage(h: Harness, fault: str, break_it, heal_it, outage_s: float) -> dict:
    tag = uuid.uuid4().hex[:6]
    sent, answered = [], 0
    with httpx.Client(base_url=h.base) as client:
        client.get("/")
        for n in range(3):
            sent.append(f"{fault} {tag} voor {n}")
            answered += _talk(client, sent[-1]) is not None
        break_it()
        end = time.monotonic() + outage_s
        while time.monotonic() < end:
            sent.append(f"{fault} {tag} tijdens {len(sent)}")
            reply = _talk(client, sent[-1])
            answered += reply is not None and bool(reply["messages"][1:])  # the fallback is an answer too
        started = time.monotonic()
        heal_it()
        real_after = False
        while time.monotonic() - started < 60 and not real_after:  # the user retries until a real answer
            sent.append(f"{fault} {tag} opnieuw {len(sent)}")
            reply = _talk(client, sent[-1])
            answered += reply is not None
            real_after = reply is not None and not reply["failed"]
        recovered = time.monotonic() - started
    return line(fault, sent, answered, real_after, h.stored_user_texts(), recovered)


def gateway_restart(h: Harness) -> dict:
    """The gateway killed while a browser long-polls; after the restart a staff reply stored meanwhile arrives."""
    import threading

    from bot.store import Store

    sent, answered = [], 0
    with httpx.Client(base_url=h.base) as client:
        client.get("/")
        for n in range(3):
            sent.append(f"herstart {uuid.uuid4().hex[:6]} {n}")
            answered += _talk(client, sent[-1]) is not None
        last = client.get("/api/history").json()["messages"][-1]["id"]
        poll = threading.Thread(target=lambda: _quiet(lambda: client.get("/api/updates", params={"after": last},
                                                                         timeout=30)))
        poll.start()
        time.sleep(0.5)
        h.kill("gateway")
        poll.join()
        from itsdangerous import URLSafeSerializer

        from bot.webchat import COOKIE

        conversation = URLSafeSerializer(h.env["GATEWAY_SECRET"].encode(), salt="werkpunt-webchat").loads(
            client.cookies[COOKIE])
        Store(h.engine, None).add_message(conversation, "staff", "Medewerker: ik help u verder.")
        recovered = h.start("gateway")
        news = client.get("/api/updates", params={"after": last}, timeout=30).json()["messages"]
        staff_seen = any(m["author"] == "staff" for m in news)
        sent.append("na de herstart")
        reply = _talk(client, sent[-1])
        answered += reply is not None
    return line("gateway_restarted_during_long_poll", sent, answered, staff_seen and reply is not None
                and not reply["failed"], h.stored_user_texts(), recovered)


def _quiet(call) -> None:
    try:
        call()
    except httpx.HTTPError:
        pass


def real_stack_part(outage: float, e2e_inputs: int, out: dict) -> None:
    """The real-stack fault lines and the end-to-end fuzz (tools/reliability_stack.py), into `out`."""
    from tools.reliability_e2e import e2e_campaign
    from tools.reliability_stack import stack_lines

    stack = None
    try:
        out["lines"], stack = stack_lines(outage)
        out["fuzz"] = e2e_campaign(stack, e2e_inputs)
    except Exception as exc:  # reported as a failed line: the run must still print everything else
        out["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        if stack is not None:
            stack.close()


def main(argv: list[str] | None = None) -> int:
    import threading

    parser = argparse.ArgumentParser(prog="make reliability")
    parser.add_argument("--small", action="store_true", help="seconds-long scenarios, 2,000 fuzz inputs")
    parser.add_argument("--fuzz", type=int, help="gateway fuzz inputs (default 100,000; 2,000 with --small)")
    parser.add_argument("--fuzz-budget", type=float, default=1500.0,
                        help="seconds the gateway fuzz may take; it then stops and reports the inputs reached")
    parser.add_argument("--e2e", type=int, help="end-to-end fuzz inputs (default 2,000; 200 with --small)")
    args = parser.parse_args(argv)
    begun = time.monotonic()
    outage = 3.0 if args.small else 30.0
    # The real stack (Rasa takes minutes to load under load) starts at once and runs beside the rest.
    real: dict = {}
    e2e = args.e2e or (200 if args.small else 2000)
    stack_thread = threading.Thread(target=real_stack_part, args=(outage, e2e, real), daemon=True)
    results = []
    h = Harness()
    stack_thread.start()
    wanted = args.fuzz or (2000 if args.small else 100_000)
    fuzz: dict = {}  # the gateway fuzz runs beside the fault scenarios too (they mostly wait)
    fuzz_thread = threading.Thread(target=lambda: fuzz.update(gateway_campaign(wanted, budget_s=args.fuzz_budget)),
                                   daemon=True)
    fuzz_thread.start()
    try:
        results.append(rasa_outage(h, "rasa_killed", lambda: h.kill("rasa"), lambda: h.start("rasa"), outage))
        results.append(rasa_outage(h, "rasa_slower_than_timeout", lambda: h.flag.touch(),
                                   lambda: h.flag.unlink(), outage))
        results.append(gateway_restart(h))
        results.extend(telegram_lines(h))
        results.append(telegram_refusals(h))
    finally:
        h.close()
    for result in results:
        print(json.dumps(result), flush=True)
    fuzz_thread.join()
    fuzz = fuzz or {"fuzz": "gateway_http", "inputs": 0, "server_errors": 0, "crashes": 1}
    print(json.dumps(fuzz), flush=True)
    stack_thread.join()
    for result in real.get("lines", []):
        print(json.dumps(result), flush=True)
        results.append(result)
    if "error" in real:
        print(json.dumps({"fault": "real_stack", "survived": False, "error": real["error"]}), flush=True)
    e2e_line = real.get("fuzz", {"fuzz": "end_to_end_real_rasa", "inputs": 0, "server_errors": 0, "crashes": 1})
    print(json.dumps(e2e_line), flush=True)
    took = time.monotonic() - begun
    print(json.dumps({"duration_s": round(took, 1), "load_average": [round(x, 2) for x in os.getloadavg()]}),
          flush=True)
    fuzz_ok = all(f["server_errors"] == 0 and f["crashes"] == 0 for f in (fuzz, e2e_line)) and fuzz["inputs"] >= wanted
    ok = all(r["survived"] for r in results) and fuzz_ok and "error" not in real and e2e_line["inputs"] >= e2e
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
