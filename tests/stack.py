"""Start the real stack (action server, Rasa, gateway) as processes on free ports, for tests."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from settings import Settings
from werkpunt.stack import start_stack, stop
from werkpunt.training import ensure_model


@dataclass
class Stack:
    settings: Settings
    procs: list[subprocess.Popen]
    log_dir: Path

    @property
    def rasa(self) -> str:
        return self.settings.rasa_base_url

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    def stop(self) -> None:
        stop(self.procs)


def start(settings: Settings, log_dir: Path) -> Stack:
    model = ensure_model(settings)
    return Stack(settings, start_stack(settings, model, log_dir), log_dir)
