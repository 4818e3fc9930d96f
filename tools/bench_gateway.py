"""The gateway's own added latency per web chat message: (browser → gateway → Rasa → reply) − (Rasa alone).

    .venv/app/bin/python -m tools.bench_gateway                      # against a fake Rasa (pure gateway cost)
    .venv/app/bin/python -m tools.bench_gateway --rasa-url http://127.0.0.1:5005 --message hallo   # real Rasa

The gateway runs as its own uvicorn process on a fresh SQLite database (or --database-url), as in
`make run`. Requests alternate between Rasa directly and the gateway, one at a time, after a warm-up.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.rasa_client import CHANNEL_PATH, TOKEN_HEADER
from settings import ROOT
from werkpunt.net import free_port


async def _echo(request: Request) -> JSONResponse:
    body = await request.json()
    return JSONResponse([{"recipient_id": body["sender"], "text": "U zei: " + body["message"]}])


fake_rasa_app = Starlette(routes=[Route(CHANNEL_PATH, _echo, methods=["POST"]),
                                  Route("/status", lambda request: JSONResponse({}))])



def _start(args: list[str], env: dict, health: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", *args, "--log-level", "warning"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(health, timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{health} did not come up")


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools.bench_gateway", description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-url", default="", help="a running Rasa; default: a fake Rasa process")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--message", default="Ik zoek werk als schilder in Amersfoort")
    parser.add_argument("-n", type=int, default=200, help="measured messages per path")
    args = parser.parse_args(argv)

    from werkpunt.database import migrate

    tmp = tempfile.mkdtemp(prefix="werkpunt-bench-")
    database = args.database_url or f"sqlite:///{tmp}/bench.db"
    migrate(database)
    procs: list[subprocess.Popen] = []
    env = dict(os.environ, DATABASE_URL=database, TRACKER_STORE_URL=f"sqlite:///{tmp}/tracker.db", TELEGRAM_TOKEN="",
               GATEWAY_SECRET=uuid.uuid4().hex, LOG_LEVEL="WARNING",
               IP_MESSAGES_PER_MINUTE="1000000",  # one machine plays all users: the per-IP limit would throttle it
               RASA_TOKEN=os.environ.get("RASA_TOKEN") or uuid.uuid4().hex)
    try:
        rasa = args.rasa_url
        if not rasa:
            port = free_port()
            procs.append(_start(["tools.bench_gateway:fake_rasa_app", "--port", str(port)], env, f"http://127.0.0.1:{port}/status"))
            rasa = f"http://127.0.0.1:{port}"
        port = free_port()
        env["RASA_URL"] = rasa
        procs.append(_start(["werkpunt.app:app", "--port", str(port)], env, f"http://127.0.0.1:{port}/health"))
        gateway = f"http://127.0.0.1:{port}"
        direct, via = [], []
        with httpx.Client(timeout=30, headers={TOKEN_HEADER: env["RASA_TOKEN"]}) as rasa_client, httpx.Client(base_url=gateway, timeout=30) as web:
            web.get("/")
            sender = "bench-" + uuid.uuid4().hex
            for i in range(args.n + 20):
                started = time.perf_counter()
                rasa_client.post(f"{rasa}{CHANNEL_PATH}",
                                 json={"sender": sender, "message": args.message, "metadata": {"channel": "web"}}
                                 ).raise_for_status()
                middle = time.perf_counter()
                reply = web.post("/api/message", json={"text": args.message})
                reply.raise_for_status()
                assert not reply.json()["failed"], "the gateway could not reach Rasa"
                ended = time.perf_counter()
                if i >= 20:  # warm-up: connection pools, SQLite pages, Rasa caches
                    direct.append(middle - started)
                    via.append(ended - middle)
        added = [v - d for v, d in zip(via, direct)]
        print(f"Rasa alone      {_ms(direct)}")
        print(f"via gateway     {_ms(via)}")
        print(f"added (pairs)   {_ms(added)}   n={args.n}, database={database.split(':')[0]}, "
              f"rasa={'fake' if not args.rasa_url else args.rasa_url}")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=15)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
