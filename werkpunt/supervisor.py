"""Keeps the stack running: a child that stops is started again, with backoff, and the operator is told.

A single crash (Rasa, the action server, the gateway) no longer takes Werkpunt offline. While Rasa or
the action server is away the gateway answers with its fallback and stores every message; the tracker
store keeps the conversations, so after a restart they go on with their context. The supervisor gives
up only when one child keeps failing fast (MAX_FAILURES stops within FAILURE_WINDOW seconds): then the
cause is something a restart does not fix (a broken configuration, a port taken), and it says so.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from werkpunt.console import say
from werkpunt.stack import Child, healthy, spawn

MAX_FAILURES = 5
FAILURE_WINDOW = 300.0  # seconds
MAX_BACKOFF = 30.0


class GaveUp(RuntimeError):
    """A child failed too often too fast; the message says which one and where its log is."""


class Supervisor:
    def __init__(self, specs: list[Child], procs: list[subprocess.Popen], env: dict[str, str], log_dir: Path, *,
                 max_failures: int = MAX_FAILURES, window: float = FAILURE_WINDOW,
                 clock=time.monotonic, child_env: dict[str, dict[str, str]] | None = None) -> None:
        self.specs, self.procs, self.env, self.log_dir = specs, procs, env, log_dir
        self.child_env = child_env or {}  # name -> its own environment (the reliability harness's proxies)
        self.max_failures, self.window, self.clock = max_failures, window, clock
        self.failures: dict[str, list[float]] = {c.name: [] for c in specs}
        self.due: dict[int, float] = {}  # child index -> when to start it again
        self.restarts = 0

    def check(self) -> None:
        """One round: notice stopped children, start those whose backoff has passed. Raises GaveUp."""
        now = self.clock()
        for index, (child, proc) in enumerate(zip(self.specs, self.procs)):
            if index in self.due:
                if now >= self.due[index]:
                    del self.due[index]
                    self._restart(index)
                continue
            code = proc.poll()
            if code is None:
                continue
            _kill_group(proc)  # anything the child left behind in its process group
            recent = [t for t in self.failures[child.name] if t > now - self.window] + [now]
            self.failures[child.name] = recent
            log = child.log_path(self.log_dir)
            if len(recent) >= self.max_failures:
                raise GaveUp(f"{child.name} is {len(recent)} keer gestopt binnen {self.window:.0f} seconden. "
                             f"Opnieuw starten helpt niet: kijk in {log} wat er misgaat (bijvoorbeeld een fout "
                             "in de instellingen of een poort die bezet is).")
            delay = min(2.0 ** (len(recent) - 1), MAX_BACKOFF)
            say(f"{child.name} is gestopt (afsluitcode {code}). Ik start het over {delay:.0f} s opnieuw "
                f"(poging {len(recent)} van {self.max_failures - 1}). Log: {log}")
            self.due[index] = now + delay

    def _restart(self, index: int) -> None:
        child = self.specs[index]
        proc = spawn(child, self.child_env.get(child.name, self.env), self.log_dir)
        self.procs[index] = proc
        self.restarts += 1
        started = self.clock()
        say(f"{child.name} opnieuw gestart")

        def announce() -> None:
            if healthy(child, proc):
                say(f"{child.name} werkt weer (na {self.clock() - started:.0f} s)")

        threading.Thread(target=announce, daemon=True).start()

    def run(self, interval: float = 1.0) -> None:
        """Supervise until interrupted (KeyboardInterrupt) or until a child fails too often (GaveUp)."""
        while True:
            self.check()
            time.sleep(interval)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
