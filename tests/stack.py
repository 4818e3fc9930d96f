"""Start the real stack (action server, Rasa, gateway) as processes on free ports, for tests.

It goes through `werkpunt.stack.start_stack`, the same launcher code as `make run`, so the children
get their settings (secrets included) the way they do in production. Rasa only answers callers with
its token: `chat`, `tracker` and `parse` send it as the gateway and the staff workspace do.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

from bot.rasa_client import CHANNEL_PATH, TOKEN_HEADER
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

    @property
    def rasa_token(self) -> str:
        return self.settings.secret("rasa_token")

    def chat(self, sender: str, message: str, channel: str = "web") -> list[dict]:
        """One user message through Werkpunt's Rasa channel, exactly as the gateway sends it."""
        response = httpx.post(f"{self.rasa}{CHANNEL_PATH}", headers={TOKEN_HEADER: self.rasa_token}, timeout=60,
                              json={"sender": sender, "message": message, "metadata": {"channel": channel}})
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        response = httpx.get(f"{self.rasa}/conversations/{sender}/tracker", params={"token": self.rasa_token},
                             timeout=30)
        response.raise_for_status()
        return response.json()

    def parse(self, text: str) -> dict:
        response = httpx.post(f"{self.rasa}/model/parse", params={"token": self.rasa_token}, json={"text": text},
                              timeout=30)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        stop(self.procs)


def start(settings: Settings, log_dir: Path) -> Stack:
    model = ensure_model(settings)
    return Stack(settings, start_stack(settings, model, log_dir), log_dir)
