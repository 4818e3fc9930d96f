"""The running stack: action server, Rasa and the gateway as child processes, started in order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from settings import ROOT, Settings
from werkpunt.console import say
from werkpunt.rasa_env import rasa_environ, run_command


def wait_http(url: str, timeout: float, proc: subprocess.Popen) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def start_stack(settings: Settings, model: Path, log_dir: Path) -> list[subprocess.Popen]:
    """Start action server, Rasa and the gateway; returns the processes once all answer."""
    python = sys.executable
    env = rasa_environ(settings)
    log_dir.mkdir(parents=True, exist_ok=True)
    specs = [
        ("actieserver", [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.action_port)],
         f"http://127.0.0.1:{settings.action_port}/health", 60),
        ("rasa", run_command(settings, model), f"{settings.rasa_base_url}/status", 240),
        ("gateway", [python, "-m", "uvicorn", "werkpunt.app:app", "--host", settings.host, "--port", str(settings.port),
                     "--log-level", "warning", "--timeout-graceful-shutdown", "5"],
         f"http://127.0.0.1:{settings.port}/health", 60),
    ]
    procs: list[subprocess.Popen] = []
    for name, cmd, health, timeout in specs:
        log = open(log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(proc)
        say(f"{name} starten (log: {log_dir / (name + '.log')})")
        if not wait_http(health, timeout, proc):
            stop(procs)
            raise RuntimeError(f"{name} kwam niet op; kijk in {log_dir / (name + '.log')}")
    return procs


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
