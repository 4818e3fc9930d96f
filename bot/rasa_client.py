"""Talks to Rasa through Werkpunt's own input channel (rasa_addons/channel.py) with short, explicit timeouts.

The channel is Rasa's REST channel plus a check of the gateway's token: without the token Rasa refuses the
call (401), so nobody else on the network can speak as a user, even when Rasa listens beyond loopback.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field

import aiohttp

from settings import Settings

log = logging.getLogger(__name__)

DATA_DELETED = "data_deleted"
# Must match rasa_addons/channel.py (tests/test_locked_doors.py checks that they agree).
CHANNEL_PATH = "/webhooks/werkpunt/webhook"
TOKEN_HEADER = "X-Werkpunt-Token"


class RasaUnavailable(Exception):
    """Rasa did not answer in time, refused the connection or answered with an error."""


class RasaStarting(RasaUnavailable):
    """No Rasa replica accepts connections, and none has answered this process yet: the stack is starting."""


# A replica that refused a connection is skipped for this long before it is tried again first.
DOWN_SECONDS = 5.0


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
    """One pooled HTTP client for the process; `send` raises RasaUnavailable on any failure.

    With several Rasa replicas (RASA_REPLICAS, or RASA_URL with comma-separated URLs) a conversation
    goes to the replica its id hashes to, so its turns usually meet a warm cache there. When that
    replica refuses the connection (down, restarting) the turn goes to the next one: the shared
    tracker store and the Redis lock store make any replica right for any turn (werkpunt/replicas.py).
    Only failures where Rasa cannot have started the turn (no connection, 502/503) fail over; a timeout
    does not, because the slow replica may still be handling it.

    aiohttp, not httpx: with keep-alive connections a request costs about 0.25 ms CPU here against
    1.5-3 ms with httpx's AsyncClient, and the gateway makes one per user message (README "Benchmarks").
    The session is made on first use, inside the running event loop.
    """

    def __init__(self, settings: Settings) -> None:
        self.urls = [f"{base.rstrip('/')}{CHANNEL_PATH}" for base in settings.rasa_base_urls]
        self.url = self.urls[0]
        self._down_until = [0.0] * len(self.urls)
        self.seen_up = False  # a replica has answered: from then on "all refused" is a failure, not a start
        self._token = settings.secret("rasa_token")
        self._timeout = aiohttp.ClientTimeout(total=settings.rasa_timeout, sock_connect=settings.rasa_connect_timeout)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # Keep-alive pool like httpx's default (at most 50 connections); no cookies, no proxies from env.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=50, keepalive_timeout=5), timeout=self._timeout,
                headers={TOKEN_HEADER: self._token}, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False,
                json_serialize=json.dumps)
        return self._session

    def order(self, sender: str) -> list[int]:
        """Replica indexes to try for `sender`: its own (stable hash) first, replicas marked down last."""
        first = int.from_bytes(hashlib.sha256(sender.encode()).digest()[:4], "big") % len(self.urls)
        ring = [(first + i) % len(self.urls) for i in range(len(self.urls))]
        now = time.monotonic()
        return [i for i in ring if self._down_until[i] <= now] + [i for i in ring if self._down_until[i] > now]

    async def send(self, sender: str, message: str, channel: str) -> RasaAnswer:
        """Send one user message (text or /payload) and return the assistant's answer."""
        body = {"sender": sender, "message": message, "metadata": {"channel": channel}}
        refused = 0
        candidates = self.order(sender)
        client = self._client()
        for index in candidates:
            try:
                async with client.post(self.urls[index], json=body) as response:
                    if response.status in (502, 503) and index != candidates[-1]:
                        raise _Refused(f"HTTP {response.status}")
                    if response.status >= 400:
                        raise RasaUnavailable(f"HTTP {response.status}")
                    payload = await response.json(content_type=None)
                self._down_until[index] = 0.0
                self.seen_up = True
                return parse(payload)
            except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError, _Refused) as exc:
                # Nothing reached Rasa: safe to try the next replica. Only the kind of failure is logged.
                self._down_until[index] = time.monotonic() + DOWN_SECONDS
                refused += 1
                log.warning("Rasa replica %d unreachable (%s)", index + 1, type(exc).__name__)
            except RasaUnavailable as exc:
                log.warning("Rasa unavailable: %s", exc)
                raise
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                # Only the kind of failure: the message text never goes to the log.
                log.warning("Rasa unavailable: %s", type(exc).__name__)
                raise RasaUnavailable(type(exc).__name__) from exc
        if self.seen_up:
            raise RasaUnavailable(f"{refused} replica(s) refused the connection")
        raise RasaStarting(f"{refused} replica(s) refused the connection")

    async def ready(self) -> bool:
        """True when at least one replica answers its status endpoint (the model is loaded)."""
        client = self._client()
        for url in self.urls:
            try:
                status_url = url.removesuffix(CHANNEL_PATH) + "/status"
                async with client.get(status_url, params={"token": self._token}) as status:
                    if status.status == 200:
                        self.seen_up = True
                        return True
            except (aiohttp.ClientError, asyncio.TimeoutError):
                continue
        return False

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class _Refused(Exception):
    """A replica answered 502/503 before the turn started (a proxy in front of a replica that is down)."""
