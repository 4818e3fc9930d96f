"""Per-turn cost of the dialogue: concurrent users on Rasa's REST channel, with the action server.

`.venv/app/bin/python -m tools.bench_rasa [--users 10] [--rounds 3] [--conversation mixed|answers]`

Starts the action server and Rasa (trained model of this checkout) on free ports with a fresh
SQLite placement database and tracker store in a temporary folder, then lets N simulated users
run a conversation at the same time: `mixed` (default: greeting, job search and more results from
the database, an arrangement question, the registration form with its validator, thanks) or
`answers` (only questions with a fixed answer: the cost of Rasa's own dialogue loop). Prints
messages/s and p50/p95 latency per message, and the same for NLU alone (/model/parse).
Writes reports/rasa_bench_<conversation>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from settings import ROOT, Settings
from werkpunt.net import free_port
from bot.rasa_client import CHANNEL_PATH, TOKEN_HEADER
from werkpunt.rasa_env import action_command, rasa_environ, run_command
from werkpunt.stack import stop, wait_http
from werkpunt.training import ensure_model

CONVERSATIONS = {
    "mixed": ["hallo", "ik zoek werk als kok in Zwolle", "meer", "wat is loonkostensubsidie?",
              "ik wil me inschrijven", "schoonmaker", "Utrecht", "24 uur", "ja", "bedankt"],
    "answers": ["hallo", "wat is loonkostensubsidie?", "nee dank je", "hoe werkt de no-riskpolis", "bedankt",
                "wat is jobcarving", "ben jij een robot", "help", "wat zijn jullie openingstijden", "tot ziens"],
}
CONVERSATION = CONVERSATIONS["mixed"]



@contextmanager
def dialogue_stack(workdir: Path, model: Path | None = None, tracker_store_url: str | None = None) -> Iterator[str]:
    """Action server + Rasa (Werkpunt's channel) on free ports; yields Rasa's base URL. Requests need
    RASA_TOKEN: `client()` sends it."""
    from werkpunt.database import prepare

    settings = Settings(database_url=f"sqlite:///{workdir / 'placement.db'}",
                        tracker_store_url=tracker_store_url or f"sqlite:///{workdir / 'tracker.db'}",
                        action_port=free_port(), rasa_port=free_port())
    prepare(settings.database_url, report=None, demo=True)
    model = model or ensure_model(settings)
    env = rasa_environ(settings)
    env["DATABASE_URL"] = settings.database_url
    env["TRACKER_STORE_URL"] = settings.tracker_store_url
    procs: list[subprocess.Popen] = []
    try:
        for name, cmd, health, timeout, credentials in (
            ("actions", action_command(settings, sys.executable), f"http://127.0.0.1:{settings.action_port}/health", 60,
             {"headers": {"X-Werkpunt-Action-Secret": env["ACTION_SECRET"]}}),
            ("rasa", run_command(settings, model), f"{settings.rasa_base_url}/status", 600,
             {"params": {"token": env["RASA_TOKEN"]}}),
        ):
            log = open(workdir / f"{name}.log", "ab")
            procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))
            if not wait_http(health, timeout, procs[-1], **credentials):
                raise RuntimeError(f"{name} did not start; see {workdir / (name + '.log')}")
        yield settings.rasa_base_url
    finally:
        stop(procs)


async def _user(client: httpx.AsyncClient, base: str, rounds: int, latencies: list[float],
                failures: list[str]) -> None:
    for _ in range(rounds):
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        for text in CONVERSATION:
            started = time.perf_counter()
            response = await client.post(f"{base}{CHANNEL_PATH}", json={
                "sender": sender, "message": text, "metadata": {"channel": "web"}})
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200 or not response.json():
                failures.append(f"{text!r}: HTTP {response.status_code}, {response.text[:80]}")


async def _parse_user(client: httpx.AsyncClient, base: str, rounds: int, latencies: list[float]) -> None:
    for _ in range(rounds):
        for text in CONVERSATION:
            started = time.perf_counter()
            (await client.post(f"{base}/model/parse", json={"text": text},
                               params={"token": client.headers[TOKEN_HEADER]})).raise_for_status()
            latencies.append(time.perf_counter() - started)


def _summary(latencies: list[float], wall: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {"messages": len(ordered), "seconds": round(wall, 2),
            "messages_per_s": round(len(ordered) / wall, 1),
            "p50_ms": round(statistics.median(ordered) * 1000),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000)}


async def measure(base: str, users: int, rounds: int) -> dict[str, object]:
    token = Settings().secret("rasa_token")  # what dialogue_stack gave Rasa (rasa_environ)
    async with httpx.AsyncClient(timeout=60, headers={TOKEN_HEADER: token}) as client:
        warm: list[float] = []
        await _user(client, base, 1, warm, [])  # first calls load the model graph and DB connections
        latencies: list[float] = []
        failures: list[str] = []
        started = time.perf_counter()
        await asyncio.gather(*(_user(client, base, rounds, latencies, failures) for _ in range(users)))
        rest = _summary(latencies, time.perf_counter() - started)
        parse_latencies: list[float] = []
        started = time.perf_counter()
        await asyncio.gather(*(_parse_user(client, base, rounds, parse_latencies) for _ in range(users)))
        parse = _summary(parse_latencies, time.perf_counter() - started)
    return {"users": users, "rest": rest, "parse": parse, "failures": failures[:10]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools.bench_rasa")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="conversations per user")
    parser.add_argument("--conversation", choices=sorted(CONVERSATIONS), default="mixed")
    args = parser.parse_args(argv)
    global CONVERSATION
    CONVERSATION = CONVERSATIONS[args.conversation]
    with tempfile.TemporaryDirectory(prefix="wp-bench-") as tmp, dialogue_stack(Path(tmp)) as base:
        result = asyncio.run(measure(base, args.users, args.rounds))
    reports = ROOT / "reports"
    reports.mkdir(exist_ok=True)
    result["conversation"] = args.conversation
    (reports / f"rasa_bench_{args.conversation}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    rest, parse = result["rest"], result["parse"]
    print(f"REST webhook, {args.users} users: {rest['messages_per_s']} messages/s, "
          f"p50 {rest['p50_ms']} ms, p95 {rest['p95_ms']} ms ({rest['messages']} messages)")
    print(f"NLU only (/model/parse): {parse['messages_per_s']} messages/s, p50 {parse['p50_ms']} ms, "
          f"p95 {parse['p95_ms']} ms")
    if result["failures"]:
        print("Failures:", *result["failures"], sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
