"""The running stack: action server, Rasa, the gateway and the daily retention job as child processes, in order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from settings import ROOT, Settings
from werkpunt.console import say
from werkpunt.rasa_env import action_command, rasa_environ
from werkpunt.replicas import rasa_specs

# Children create their files (Rasa's tracker.db, SQLite WAL files, var/ secrets) owner-only.
CHILD_UMASK = 0o077


def wait_http(url: str, timeout: float, proc: subprocess.Popen, *, headers: dict | None = None,
              params: dict | None = None) -> bool:
    """True once `url` answers 2xx (with the credentials the stack itself uses); False if `proc` ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if httpx.get(url, timeout=2, headers=headers, params=params).status_code < 300:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def alive(proc: subprocess.Popen, grace: float = 1.0) -> bool:
    """True if a child without a health URL is still running after a short grace period."""
    time.sleep(grace)
    return proc.poll() is None


def reachable(host: str) -> str:
    """Where this machine reaches a server bound to `host` (a wildcard bind answers on loopback)."""
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


def open_log(path: Path):
    """A log file for appending, owner-only (0600): logs name conversations and error details."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)  # also for a log file an older version made world-readable
    return os.fdopen(fd, "ab")


@dataclass(frozen=True)
class Child:
    """One process of the stack: how to start it and how to see that it answers."""

    name: str
    cmd: list[str]
    health: str | None  # None: no HTTP side (the retention job); running is healthy
    timeout: float  # seconds it may take to answer after a start
    credentials: dict = field(default_factory=dict)

    def log_path(self, log_dir: Path) -> Path:
        return log_dir / f"{self.name}.log"


def children(settings: Settings, model: Path, env: dict[str, str]) -> list[Child]:
    """The stack's processes in start order. Fast start: the gateway comes first, so the web chat
    answers within seconds; until Rasa has loaded its model the gateway holds web chat turns
    (bot/held_turns.py). Then the action server, the Rasa replicas and the retention job."""
    python = sys.executable
    action_health = settings.action_webhook_url.rsplit("/webhook", 1)[0] + "/health"
    specs = [
        ("gateway", [python, "-m", "uvicorn", "werkpunt.app:app", "--host", settings.host, "--port", str(settings.port),
                     "--log-level", "warning", "--timeout-graceful-shutdown", "5"],
         f"http://{reachable(settings.host)}:{settings.port}/health", 60, {}),
        ("actieserver", action_command(settings, python), action_health, 60,
         {"headers": {"X-Werkpunt-Action-Secret": env["ACTION_SECRET"]}}),
        *rasa_specs(settings, model, env["RASA_TOKEN"]),  # RASA_REPLICAS of them (werkpunt/replicas.py)
        # The daily retention job (werkpunt/retention_job.py) has no HTTP side: alive is healthy.
        ("bewaartermijn", [python, "-m", "werkpunt.retention_job"], None, 0, {}),
    ]
    return [Child(*spec) for spec in specs]


def spawn(child: Child, env: dict[str, str], log_dir: Path) -> subprocess.Popen:
    """Start one child, its output appended to its log file, in a process group of its own."""
    log = open_log(child.log_path(log_dir))
    proc = subprocess.Popen(child.cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, umask=CHILD_UMASK)
    log.close()  # the child has its own copy
    return proc


def healthy(child: Child, proc: subprocess.Popen) -> bool:
    """The child answers its health URL (or, without one, is still running after a moment)."""
    return wait_http(child.health, child.timeout, proc, **child.credentials) if child.health else alive(proc)


def start_stack(settings: Settings, model: Path, log_dir: Path) -> list[subprocess.Popen]:
    """Start action server, Rasa and the gateway; returns the processes once all answer."""
    return start_children(settings, model, log_dir)[1]


def start_children(settings: Settings, model: Path, log_dir: Path
                   ) -> tuple[list[Child], list[subprocess.Popen], dict[str, str]]:
    """Like start_stack, and also what a supervisor needs to start a child again."""
    env = rasa_environ(settings)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_dir.chmod(0o700)
    specs = children(settings, model, env)  # every child is started at once, then waited for in order
    procs: list[subprocess.Popen] = []
    for child in specs:
        procs.append(spawn(child, env, log_dir))
        say(f"{child.name} starten (log: {child.log_path(log_dir)})")
    started = time.monotonic()
    for proc, child in zip(procs, specs):
        if not healthy(child, proc):
            stop(procs)
            raise RuntimeError(f"{child.name} kwam niet op; kijk in {child.log_path(log_dir)}")
        say(f"{child.name} klaar na {time.monotonic() - started:.1f} s")
    return specs, procs, env


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
