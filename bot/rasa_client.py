"""Talks to Rasa through Werkpunt's own input channel (rasa_addons/channel.py) with short, explicit timeouts.

The channel is Rasa's REST channel plus a check of the gateway's token: without the token Rasa refuses the
call (401), so nobody else on the network can speak as a user, even when Rasa listens beyond loopback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import httpx

from settings import Settings

log = logging.getLogger(__name__)

DATA_DELETED = "data_deleted"
# Must match rasa_addons/channel.py (tests/test_locked_doors.py checks that they agree).
CHANNEL_PATH = "/webhooks/werkpunt/webhook"
TOKEN_HEADER = "X-Werkpunt-Token"


class RasaUnavailable(Exception):
    """Rasa did not answer in time, refused the connection or answered with an error."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass
class Reply:
    """One message of the assistant, as the channels show it."""

    text: str
    buttons: list[Button] = field(default_factory=list)


@dataclass
class RasaAnswer:
    replies: list[Reply]
    events: set[str]  # werkpunt_event values from custom json messages, e.g. {"data_deleted"}


def parse(body: object) -> RasaAnswer:
    """Turn the REST channel's list of messages into replies and gateway events."""
    if not isinstance(body, list):
        raise RasaUnavailable(f"unexpected Rasa response type {type(body).__name__}")
    replies: list[Reply] = []
    events: set[str] = set()
    for item in body:
        if not isinstance(item, dict):
            continue
        custom = item.get("custom")
        if isinstance(custom, dict):
            event = custom.get("werkpunt_event")
            if isinstance(event, str):
                events.add(event)
            continue  # custom json is for the gateway, never shown to the user
        text = item.get("text") if isinstance(item.get("text"), str) else ""
        buttons = [
            Button(str(b.get("title") or b.get("payload")), str(b["payload"]))
            for b in item.get("buttons") or []
            if isinstance(b, dict) and b.get("payload")
        ]
        if text.strip() or buttons:
            replies.append(Reply(text.strip(), buttons))
    return RasaAnswer(replies, events)


class RasaClient:
    """One pooled HTTP client for the process; `send` raises RasaUnavailable on any failure."""

    def __init__(self, settings: Settings) -> None:
        self.url = f"{settings.rasa_base_url.rstrip('/')}{CHANNEL_PATH}"
        timeout = httpx.Timeout(settings.rasa_timeout, connect=settings.rasa_connect_timeout)
        self._client = httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=50),
                                         headers={TOKEN_HEADER: settings.secret("rasa_token")})

    async def send(self, sender: str, message: str, channel: str) -> RasaAnswer:
        """Send one user message (text or /payload) and return the assistant's answer."""
        body = {"sender": sender, "message": message, "metadata": {"channel": channel}}
        try:
            response = await self._client.post(self.url, json=body)
            response.raise_for_status()
            return parse(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            # Only the kind of failure: the message text never goes to the log.
            log.warning("Rasa unavailable: %s", type(exc).__name__)
            raise RasaUnavailable(type(exc).__name__) from exc

    async def aclose(self) -> None:
        await self._client.aclose()
