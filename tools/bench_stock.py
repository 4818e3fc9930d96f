"""Werkpunt in the scaled topology against a stock `rasa init` bot, in one run, with the same load tool.

`.venv/app/bin/python -m tools.bench_stock [--users 20] [--rounds 3] [--replicas 2]`

1. Stock: `rasa init --no-prompt` from the project's own Rasa environment (.venv/rasa), trained once
   and kept in var/bench/stock/, served by `rasa run` on a free port (its REST channel); each user
   runs the mood bot's fixed conversation.
2. Werkpunt: the launcher's own `start_stack` with PostgreSQL placement database and tracker store
   (fresh databases on BENCH_POSTGRES_SERVER, dropped afterwards), Redis lock store (BENCH_REDIS_URL)
   and `--replicas` Rasa replicas; each user runs a mixed conversation through the gateway's web chat
   API (job search and more results from the database, instrument questions, thanks), with its own
   session cookie, exactly as a browser does.
Both get `--users` concurrent users. Prints one JSON object: p50/p95 ms, messages/s and errors for each,
the throughput ratio Werkpunt/stock, and the conversation-length curve (tools.bench_length) on the
scaled stack; writes reports/bench_stock.json. The machine is shared: numbers are noisy, compare
within one run. Exit code 1 when a request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from settings import ROOT, VAR, Settings
from tools.bench_length import curve, run_conversation
from tools.bench_rasa import _summary
from tools.proc_cpu import CpuMeter, load_average, matching, postgres_backends, single, tree
from werkpunt.net import free_port, port_free
from werkpunt.rasa_env import RASA_BIN
from werkpunt.stack import start_children, stop, wait_http
from werkpunt.training import ensure_model

PG_SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
STOCK_DIR = VAR / "bench" / "stock"
STOCK_CONVERSATION = ["hello", "I am feeling great", "are you a bot?", "I am sad", "yes", "bye"]
WERKPUNT_CONVERSATION = ["hallo", "ik zoek werk als kok in Zwolle", "meer", "wat is loonkostensubsidie?",
                         "hoe werkt de no-riskpolis", "bedankt"]


def stock_model() -> Path:
    """The `rasa init` bot's model, trained once (var/bench/stock/models)."""
    models = sorted((STOCK_DIR / "models").glob("*.tar.gz"))
    if models:
        return models[-1]
    STOCK_DIR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    subprocess.run([str(RASA_BIN), "init", "--no-prompt", "--init-dir", str(STOCK_DIR)], cwd=STOCK_DIR, env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    return sorted((STOCK_DIR / "models").glob("*.tar.gz"))[-1]


LOAD_TOOL = "load tool"
# The load tool is aiohttp for both stacks: per request it costs about a sixth of httpx's CPU, and on
# 2 shared cores every millisecond the load tool spends is taken from the stack it measures.
TIMEOUT = aiohttp.ClientTimeout(total=60)


async def _load(users: int, rounds: int, one_user) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    await asyncio.gather(*(one_user(rounds, latencies, errors) for _ in range(users)))
    result = _summary(latencies, time.perf_counter() - started)
    result["errors"] = len(errors)
    result["error_examples"] = errors[:5]
    return result


def _measured(users: int, rounds: int, one_user, groups: dict) -> dict:
    """The load phase with every process group's CPU seconds sampled beside it (tools/proc_cpu.py)."""
    meter = CpuMeter({**groups, LOAD_TOOL: single(os.getpid())})
    meter.own_group = LOAD_TOOL
    meter.start()
    result = asyncio.run(_load(users, rounds, one_user))
    meter.stop()
    result["cpu"] = meter.per_message(result["messages"])
    return result


def bench_stock(users: int, rounds: int, log: Path) -> dict:
    model = stock_model()
    port = free_port()
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    with open(log, "ab") as out:
        proc = subprocess.Popen([str(RASA_BIN), "run", "--model", str(model), "--port", str(port),
                                 "--interface", "127.0.0.1", "--endpoints", "endpoints.yml",
                                 "--credentials", "credentials.yml"], cwd=STOCK_DIR, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        if not wait_http(f"http://127.0.0.1:{port}/", 300, proc):
            raise RuntimeError(f"stock Rasa did not start; see {log}")
        url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"

        async def user(rounds: int, latencies: list[float], errors: list[str]) -> None:
            async with aiohttp.ClientSession(timeout=TIMEOUT) as client:
                for _ in range(rounds):
                    sender = f"stock-{uuid.uuid4().hex[:10]}"
                    for message in STOCK_CONVERSATION:
                        began = time.perf_counter()
                        try:
                            async with client.post(url, json={"sender": sender, "message": message}) as response:
                                ok = response.status == 200 and await response.json()
                        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                            ok, response = False, exc
                        latencies.append(time.perf_counter() - began)
                        if not ok:
                            errors.append(f"{message!r}: {response}")

        asyncio.run(_load(1, 1, user))  # warm-up
        return _measured(users, rounds, user, {"rasa": tree(proc.pid)})
    finally:
        stop([proc])


def _database(name: str) -> str:
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)


def _drop(name: str) -> None:
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _postgres_server_process(line: str) -> bool:
    """PostgreSQL's background processes (checkpointer, WAL writer, ...; not a client backend). The
    postmaster is left out: its children's CPU (every backend that ended, of everyone) is counted in it."""
    words = line.split()
    return (len(words) >= 3 and words[0] == "postgres:" and words[-1] not in ("idle", "active")
            and "(" not in line and "transaction" not in line)


def _rasa_port(replicas: int) -> int:
    while True:
        port = free_port()
        if port + replicas < 65000 and all(port_free(port + i) for i in range(1, replicas)):
            return port


async def _long_poll(client: aiohttp.ClientSession, seen: list[int]) -> None:
    """What bot/static/chat.js does beside sending: GET /api/updates?after=<last id> again and again."""
    while True:
        try:
            async with client.get("/api/updates", params={"after": seen[0]}) as response:
                data = await response.json() if response.status == 200 else {}
            seen[0] = max([seen[0]] + [m["id"] or 0 for m in data.get("messages", [])])
        except (aiohttp.ClientError, ValueError):
            await asyncio.sleep(1)


def bench_werkpunt(users: int, rounds: int, replicas: int, log_dir: Path, turns: int,
                   browser_poll: bool = False) -> tuple[dict, dict]:
    from werkpunt.database import prepare

    names = (f"wp_bench_stack_{uuid.uuid4().hex[:8]}", f"wp_bench_tracker_{uuid.uuid4().hex[:8]}")
    settings = Settings(database_url=_database(names[0]), tracker_store_url=_database(names[1]), port=free_port(),
                        rasa_port=_rasa_port(replicas), action_port=free_port(), rasa_replicas=replicas,
                        lock_store_url=REDIS if replicas > 1 else "", telegram_token="",
                        # One machine plays all users from one address and each user types fast: the
                        # per-IP and per-session limits (tested on their own) would turn the bench into 429s.
                        messages_per_minute=1_000_000, ip_messages_per_minute=1_000_000)
    procs = []
    try:
        prepare(settings.database_url, "small", settings.seed, report=None, demo=True)
        specs, procs, _ = start_children(settings, ensure_model(settings), log_dir)
        base = f"http://127.0.0.1:{settings.port}"

        async def user(rounds: int, latencies: list[float], errors: list[str]) -> None:
            for _ in range(rounds):
                # A new browser session: its own cookie jar (unsafe=True: the gateway is at an IP address).
                async with aiohttp.ClientSession(base_url=base, timeout=TIMEOUT,
                                                 cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
                    async with client.get("/") as page:
                        await page.read()
                    seen = [0]  # the highest message id this "browser" has shown (chat.js lastId)
                    poller = asyncio.create_task(_long_poll(client, seen)) if browser_poll else None
                    for message in WERKPUNT_CONVERSATION:
                        began = time.perf_counter()
                        try:
                            async with client.post("/api/message", json={"text": message}) as response:
                                data = await response.json()
                                ok = response.status == 200 and not data.get("failed")
                            seen[0] = max([seen[0]] + [m["id"] or 0 for m in data.get("messages", [])])
                        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                            ok, response = False, exc
                        latencies.append(time.perf_counter() - began)
                        if not ok:
                            errors.append(f"{message!r}: {response}")
                    if poller:
                        poller.cancel()
                        await asyncio.gather(poller, return_exceptions=True)

        asyncio.run(_load(1, 1, user))  # warm-up: model graph, database connections, every replica's caches
        asyncio.run(_load(replicas, 1, user))
        groups = {child.name: tree(proc.pid) for child, proc in zip(specs, procs)}
        groups["postgres placement backends"] = postgres_backends([names[0]])
        groups["postgres tracker backends"] = postgres_backends([names[1]])
        # Shared with every other user of the server (checkpointer, WAL writer, ...): an upper bound.
        groups["postgres server processes (shared)"] = matching(_postgres_server_process)
        groups["redis-server (shared)"] = matching(lambda line: line.startswith("redis-server"))
        load = _measured(users, rounds, user, groups)
        length = curve(run_conversation(settings.rasa_base_url, settings.secret("rasa_token"), turns)) if turns else {}
        return load, length
    finally:
        stop(procs)
        for name in names:
            _drop(name)


def cpu_table(result: dict) -> str:
    """CPU ms per user message per process, both stacks, as a Markdown table (for the README)."""
    lines = ["| stack | process | CPU ms per message |", "|---|---|---|"]
    for stack in ("stock", "werkpunt"):
        cpu = result[stack]["cpu"]
        for name, value in cpu["cpu_ms_per_message"].items():
            lines.append(f"| {stack} | {name} | {value} |")
        lines.append(f"| {stack} | **all measured** | **{cpu['cpu_ms_per_message_total']}** |")
    for stack in ("stock", "werkpunt"):
        r = result[stack]
        lines.append(f"{stack}: {r['messages_per_s']} msg/s, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
                     f"{r['errors']} errors, load {r['cpu']['load_before']} -> {r['cpu']['load_after']}, "
                     f"machine {r['cpu']['machine_cores_busy']} cores busy")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools.bench_stock")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="conversations per user")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--turns", type=int, default=200, help="length curve on the scaled stack (0: skip)")
    parser.add_argument("--only", choices=("werkpunt", "stock"), help="one side only, while developing (no ratio)")
    parser.add_argument("--browser-poll", action="store_true",
                        help="each Werkpunt user also long-polls /api/updates as the web chat page does")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wp-bench-stock-") as tmp:
        stock = werkpunt = length = None
        if args.only != "werkpunt":
            stock = bench_stock(args.users, args.rounds, Path(tmp) / "stock-rasa.log")
        if args.only != "stock":
            werkpunt, length = bench_werkpunt(args.users, args.rounds, args.replicas, Path(tmp) / "log", args.turns,
                                              args.browser_poll)
    if args.only:
        result = {"users": args.users, "replicas": args.replicas, "browser_poll": args.browser_poll,
                  args.only: stock or werkpunt, "length_curve": length,
                  "load_average_end": load_average()}
        print(json.dumps(result))
        return 1 if result[args.only]["errors"] else 0
    stock_cpu, werkpunt_cpu = stock["cpu"]["cpu_ms_per_message_total"], werkpunt["cpu"]["cpu_ms_per_message_total"]
    result = {"users": args.users, "replicas": args.replicas, "browser_poll": args.browser_poll,
              "stock": stock, "werkpunt": werkpunt,
              "throughput_ratio": round(werkpunt["messages_per_s"] / stock["messages_per_s"], 2),
              "p95_ratio": round(werkpunt["p95_ms"] / stock["p95_ms"], 2),
              # CPU per message barely depends on the load of other work on the machine: the steadier ratio.
              "cpu_ratio_stock_over_werkpunt": round(stock_cpu / werkpunt_cpu, 2) if werkpunt_cpu else None,
              "load_average_end": load_average(), "length_curve": length}
    reports = ROOT / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "bench_stock.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result))
    print(cpu_table(result), file=sys.stderr)
    return 1 if stock["errors"] or werkpunt["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
