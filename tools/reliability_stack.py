"""`make reliability`, part two: faults of the real stack (gateway, real Rasa, real action server, the
launcher's supervisor), with the databases and Redis behind TCP proxies (tools/tcp_proxy.py) that are cut
for a while and restored, and the end-to-end fuzz campaign through the gateway.

Wiring: PostgreSQL and Redis stay up. The action server reaches the placement database through a proxy
(the gateway reaches the same database directly: its message store is not what is being broken); Rasa
reaches the tracker database through a second proxy and its Redis lock store (LOCK_STORE_URL) through a
third. Children are restarted by werkpunt/supervisor.py, the code `make run` runs.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tools.reliability_fuzz import MIGRATE_LOCK
from tools.tcp_proxy import TcpProxy
from werkpunt.net import free_port

PG_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = ("127.0.0.1", 6379)
SEARCH = "Ik zoek werk als schilder in Amersfoort"  # a turn that needs Rasa, the action server and the database


def _admin():
    return create_engine(PG_SERVER, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})


class RealStack:
    """The real stack on fresh PostgreSQL databases (names with r14), children supervised in a thread."""

    def __init__(self) -> None:
        from settings import Settings
        from werkpunt.database import prepare
        from werkpunt.rasa_env import rasa_environ
        from werkpunt.stack import children, healthy, spawn
        from werkpunt.supervisor import Supervisor
        from werkpunt.training import ensure_model

        self.tmp = Path(tempfile.mkdtemp(prefix="werkpunt-reliability-stack-"))
        self.log_dir = self.tmp / "log"
        self.log_dir.mkdir(mode=0o700)
        self.databases = [f"wp_r14_rel_{uuid.uuid4().hex[:10]}" for _ in range(2)]
        admin = _admin()
        with admin.connect() as conn:
            for name in self.databases:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        server = make_url(PG_SERVER)
        self.proxies = {"placement": TcpProxy(server.host, server.port or 5432).start(),
                        "tracker": TcpProxy(server.host, server.port or 5432).start(),
                        "redis": TcpProxy(*REDIS).start()}
        direct = server.set(database=self.databases[0]).render_as_string(hide_password=False)
        via_proxy = server.set(port=self.proxies["placement"].port, database=self.databases[0])
        tracker = server.set(port=self.proxies["tracker"].port, database=self.databases[1])
        self.settings = Settings(
            database_url=direct, tracker_store_url=tracker.render_as_string(hide_password=False),
            lock_store_url=f"redis://127.0.0.1:{self.proxies['redis'].port}/14", rasa_replicas=1,
            port=free_port(), rasa_port=free_port(), action_port=free_port(), demo_size="small",
            gateway_secret=uuid.uuid4().hex * 2, rasa_token=uuid.uuid4().hex * 2, action_secret=uuid.uuid4().hex * 2,
            telegram_token="", host="127.0.0.1", rasa_host="127.0.0.1", action_host="127.0.0.1",
            messages_per_minute=100_000, ip_messages_per_minute=100_000, leads_per_hour=100_000)
        with MIGRATE_LOCK:
            prepare(self.settings.database_url, "small", self.settings.seed, report=None, demo=True)
        env = rasa_environ(self.settings)
        env["LOG_LEVEL"] = "WARNING"
        action_env = dict(env, DATABASE_URL=via_proxy.render_as_string(hide_password=False))
        self.specs = [c for c in children(self.settings, ensure_model(self.settings), env) if c.name != "bewaartermijn"]
        envs = {"actieserver": action_env}
        self.procs = [spawn(c, envs.get(c.name, env), self.log_dir) for c in self.specs]
        for child, proc in zip(self.specs, self.procs):
            if not healthy(child, proc):
                self.close()
                raise RuntimeError(f"{child.name} kwam niet op; kijk in {child.log_path(self.log_dir)}")
        self.supervisor = Supervisor(self.specs, self.procs, env, self.log_dir, child_env=envs)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._supervise, daemon=True)
        self.thread.start()
        self.placement = create_engine(direct)

    def _supervise(self) -> None:
        while not self.stopped.wait(0.5):
            self.supervisor.check()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    def index(self, name: str) -> int:
        return [c.name for c in self.specs].index(name)

    def kill(self, name: str) -> None:
        proc = self.supervisor.procs[self.index(name)]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.supervisor.procs)

    def stored_user_texts(self) -> list[str]:
        with self.placement.connect() as conn:
            return list(conn.scalars(text("SELECT text FROM chat_message WHERE author = 'user'")))

    def close(self) -> None:
        from werkpunt.stack import stop

        if hasattr(self, "stopped"):
            self.stopped.set()
            self.thread.join(5)
        stop(getattr(self, "supervisor", None) and self.supervisor.procs or self.procs)
        for proxy in self.proxies.values():
            proxy.close()
        if hasattr(self, "placement"):
            self.placement.dispose()
        admin = _admin()
        with admin.connect() as conn:
            for name in self.databases:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _conversation(stack: RealStack, client: httpx.Client) -> str:
    from itsdangerous import URLSafeSerializer

    from bot.webchat import COOKIE

    return URLSafeSerializer(stack.settings.gateway_secret.get_secret_value().encode(),
                             salt="werkpunt-webchat").loads(client.cookies[COOKIE])


def _stored(stack: RealStack, conversation: str) -> list[str]:
    with stack.placement.connect() as conn:
        return list(conn.scalars(text("SELECT text FROM chat_message WHERE conversation_id = :c AND author = 'user' "
                                      "ORDER BY id"), {"c": conversation}))


def is_real(reply: dict | None) -> bool:
    """A reply from the dialogue itself: not the gateway's fallback, not an action's 'storing' apology."""
    from actions.service_support import DB_DOWN_READ, DB_DOWN_WRITE

    if reply is None or reply.get("failed"):
        return False
    bot = [m.get("text") or "" for m in reply["messages"][1:]]
    return bool(bot) and not any(t in (DB_DOWN_READ, DB_DOWN_WRITE) for t in bot)


def _talk(client: httpx.Client, message: str) -> dict | None:
    try:
        response = client.post("/api/message", json={"text": message}, timeout=60)
        return response.json() if response.status_code == 200 else None
    except httpx.HTTPError:
        return None


def outage(stack: RealStack, fault: str, break_it, heal_it, outage_s: float, pause: float = 1.0) -> dict:
    """A conversation before, during and after a fault. Every message must be stored, in order, and answered
    (the fallback counts); after healing the user retries until the dialogue answers for real."""
    sent, answered, fallbacks = [], 0, 0
    with httpx.Client(base_url=stack.base) as client:
        client.get("/")
        for n in range(2):
            sent.append(SEARCH if n else "Hallo")
            answered += _talk(client, sent[-1]) is not None
        break_it()
        end = time.monotonic() + outage_s
        while time.monotonic() < end:
            sent.append(SEARCH)
            reply = _talk(client, sent[-1])
            answered += reply is not None and bool(reply["messages"][1:])
            fallbacks += not is_real(reply)
            time.sleep(pause)
        started = time.monotonic()
        heal_it()
        real_after = False
        while time.monotonic() - started < 180 and not real_after:
            sent.append(SEARCH)
            reply = _talk(client, sent[-1])
            answered += reply is not None and bool(reply["messages"][1:])
            real_after = is_real(reply)
            if not real_after:
                time.sleep(pause)
        recovered = time.monotonic() - started
        stored = _stored(stack, _conversation(stack, client))
    lost = max(len(sent) - len(stored), 0) + (0 if real_after else 1)
    if stored != sent and lost == 0:
        lost = 1  # stored out of order or changed: a difference is a failure
    # fallbacks (for the operator): answers during the fault that were not the dialogue's own. Rasa wraps its
    # tracker store in a FailSafeTrackerStore, so during a tracker outage it may answer from memory instead.
    return {"fault": fault, "survived": lost == 0 and answered == len(sent) and stack.alive(),
            "sent": len(sent), "answered": answered, "lost": lost, "recovered_s": round(recovered, 1),
            "fallbacks": fallbacks}


def killed_action_server(stack: RealStack, outage_s: float) -> dict:
    """SIGKILL the action server; the supervisor starts it again after its backoff (1 s, then 2 s ...)."""
    def wait_healed() -> None:
        deadline = time.monotonic() + 120
        while stack.supervisor.restarts == restarts[0] and time.monotonic() < deadline:
            time.sleep(0.2)

    restarts = [stack.supervisor.restarts]

    def break_it() -> None:
        restarts[0] = stack.supervisor.restarts
        stack.supervisor.due.clear()
        stack.kill("actieserver")

    # The supervisor heals on its own; the "outage" is as long as it takes, the user keeps talking meanwhile.
    return outage(stack, "action_server_killed", break_it, wait_healed, outage_s)


def proxy_outage(stack: RealStack, fault: str, proxy: str, outage_s: float) -> dict:
    return outage(stack, fault, stack.proxies[proxy].stop, stack.proxies[proxy].start, outage_s)


def stack_lines(outage_s: float) -> tuple[list[dict], RealStack]:
    """The real-stack fault lines; the stack stays up for the end-to-end fuzz (the caller closes it)."""
    stack = RealStack()
    lines = [killed_action_server(stack, min(outage_s, 5.0)),
             proxy_outage(stack, "placement_database_unreachable", "placement", outage_s),
             proxy_outage(stack, "tracker_database_unreachable", "tracker", outage_s),
             proxy_outage(stack, "redis_lock_store_unreachable", "redis", outage_s)]
    return lines, stack
