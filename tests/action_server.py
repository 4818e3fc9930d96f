"""The real action server (`python -m actions.server`, as the launcher starts it) on a free port, for tests.

Every request needs the shared secret; `HEADERS` carries it the way Rasa sends it (endpoints.yml).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from actions.server import SECRET_HEADER
from settings import ROOT
from werkpunt.net import free_port

SECRET = "test-action-secret-" + "a" * 24
HEADERS = {SECRET_HEADER: SECRET}


def start(database_url: str, log: Path | None = None, **env: str) -> tuple[subprocess.Popen, str]:
    """Start it with DATABASE_URL and ACTION_SECRET; returns (process, base URL) once /health answers."""
    port = free_port()
    environ = {**os.environ, "DATABASE_URL": database_url, "ACTION_PORT": str(port), "ACTION_SECRET": SECRET,
               "ACTION_HOST": "127.0.0.1", "LOG_LEVEL": "WARNING", **env}
    out = open(log, "ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "-m", "actions.server"], cwd=ROOT, env=environ, stdout=out,
                            stderr=subprocess.STDOUT if log else subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            detail = Path(log).read_text()[-2000:] if log else proc.stderr.read().decode()[-2000:]
            raise RuntimeError(f"action server stopped: {detail}")
        try:
            if httpx.get(f"{base}/health", headers=HEADERS, timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("action server did not start within 60 s")


def webhook(base: str, action: str, sender: str, slots: dict, latest_message: dict,
            events: list | None = None) -> dict:
    """POST what Rasa posts to /webhook (every slot typed "any"); returns {"events": [...], "responses": [...]}."""
    tracker = {"sender_id": sender, "slots": slots, "latest_message": latest_message, "events": events or [],
               "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen"}
    domain = {"slots": {name: {"type": "any"} for name in slots}, "responses": {}, "intents": [], "entities": []}
    reply = httpx.post(f"{base}/webhook", timeout=30, headers=HEADERS,
                       json={"next_action": action, "sender_id": sender, "tracker": tracker, "domain": domain,
                             "version": "3.6.21"})
    assert reply.status_code == 200, reply.text
    return reply.json()


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
