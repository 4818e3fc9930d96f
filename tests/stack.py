"""Start the real stack (action server, Rasa, gateway) as processes on free ports, for tests.

It goes through `werkpunt.stack.start_stack`, the same launcher code as `make run`, so the children
get their settings (secrets included) the way they do in production. Rasa only answers callers with
its token: `chat`, `tracker` and `parse` send it as the gateway and the staff workspace do.
"""

from __future__ import annotations

import json
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

    def conversation_id(self, browser: httpx.Client) -> str:
        """The web chat conversation behind a browser's session cookie."""
        from itsdangerous import URLSafeSerializer

        from bot.webchat import COOKIE

        secret = self.settings.gateway_secret.get_secret_value().encode()
        return URLSafeSerializer(secret, salt="werkpunt-webchat").loads(browser.cookies[COOKIE])

    def button_payloads(self, browser: httpx.Client) -> list[str]:
        """The payloads behind the button keys the browser got (the gateway keeps them server side)."""
        from sqlalchemy import select

        from bot.models import ChatMessage
        from placement.db import make_engine, session_scope

        engine = make_engine(self.settings.database_url)
        try:
            with session_scope(engine) as session:
                rows = session.scalars(select(ChatMessage.buttons).where(
                    ChatMessage.conversation_id == self.conversation_id(browser), ChatMessage.buttons.is_not(None))
                    .order_by(ChatMessage.id)).all()
        finally:
            engine.dispose()
        return [b["payload"] for raw in rows for b in json.loads(raw)]

    def button_key(self, browser: httpx.Client, payload: str) -> str:
        """The key the gateway gives the browser for a button it sent (bot.gateway.Gateway.button_key)."""
        import hashlib
        import hmac

        secret = self.settings.gateway_secret.get_secret_value().encode()
        message = f"button:{self.conversation_id(browser)}:{payload}".encode()
        return hmac.new(secret, message, hashlib.sha256).hexdigest()[:24]

    def stop(self) -> None:
        stop(self.procs)


def start(settings: Settings, log_dir: Path) -> Stack:
    model = ensure_model(settings)
    return Stack(settings, start_stack(settings, model, log_dir), log_dir)
