"""The channel-independent turn: store, respect handoff, ask Rasa, store the answer, erase on request.

Web chat and Telegram both call `Gateway.turn`; staff replies go through `bot.outbox.deliver`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from bot import text as texts
from bot.held_turns import HeldTurns
from bot.rasa_client import DATA_DELETED, RasaClient, RasaStarting, RasaUnavailable, Reply
from bot.rate_limits import RateLimits
from bot.store import Message, Store
from placement.sensitive import redact_bsn
from settings import Settings

log = logging.getLogger(__name__)


def ref(conversation_id: str) -> str:
    """A short, non-reversible reference to a conversation for log lines."""
    return hashlib.sha256(conversation_id.encode()).hexdigest()[:8]


class KeyedLocks:
    """One FIFO asyncio lock per key (a chat, a conversation); unused locks are dropped."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._users: dict[Hashable, int] = defaultdict(int)

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] += 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]


class Notifier:
    """Wakes web chat pollers of one conversation when a message was stored for it.

    A poller calls `listen` before it reads the database and `wait` after, so no message is missed.
    """

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}
        self._waiting: dict[str, int] = defaultdict(int)

    def listen(self, conversation_id: str) -> asyncio.Event:
        return self._events.setdefault(conversation_id, asyncio.Event())

    def notify(self, conversation_id: str) -> None:
        event = self._events.pop(conversation_id, None)
        if event is not None:
            event.set()

    async def wait(self, conversation_id: str, event: asyncio.Event, timeout: float) -> None:
        self._waiting[conversation_id] += 1
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            self._waiting[conversation_id] -= 1
            if not self._waiting[conversation_id]:
                del self._waiting[conversation_id]
                if self._events.get(conversation_id) is event:
                    del self._events[conversation_id]


@dataclass
class Turn:
    """What one user message produced, for the channel to show."""

    user: Message | None
    replies: list[Message | Reply] = field(default_factory=list)
    failed: bool = False  # Rasa did not answer; replies hold the fallback message
    silent: bool = False  # a staff member has taken over; the bot says nothing
    deleted: bool = False  # the user's data was erased after this turn; replies were not stored


class Gateway:
    def __init__(self, settings: Settings, store: Store, rasa: RasaClient, secret: bytes) -> None:
        self.settings = settings
        self.store = store
        self.rasa = rasa
        self.secret = secret
        self.locks = KeyedLocks()
        self.notifier = Notifier()
        self.held = HeldTurns()  # web chat turns waiting for Rasa to start (bot/held_turns.py)
        self.telegram = None  # the running telegram.ext.Application, if Telegram is on
        self.limits = RateLimits(settings)

    def telegram_conversation_id(self, chat_id: int) -> str:
        digest = hmac.new(self.secret, f"telegram:{chat_id}".encode(), hashlib.sha256).hexdigest()
        return "tg-" + digest[:40]

    async def turn(self, conversation_id: str, channel: str, shown: str, message: str | None = None, *,
                   address: str | None = None, external_id: str | None = None) -> Turn:
        """Handle one user message: `shown` is stored and seen by staff, `message` goes to Rasa.

        `message` is set only for what the gateway itself issued (a button it sent, /start); typed text
        leaves it None and goes to Rasa as plain text, never as "/intent{...}" (texts.plain).

        A BSN never gets past this point: it is replaced by "[BSN]" before anything is
        stored or sent, so neither chat_message nor Rasa's tracker store keeps it (the forms then
        explain that it is not needed)."""
        shown = redact_bsn(shown)
        if message is None:
            message = texts.plain(shown)
        async with self.locks.hold(conversation_id):
            user, handoff = await asyncio.to_thread(
                self.store.add_user_message, conversation_id, channel, address, shown, external_id)
            self.notifier.notify(conversation_id)
            if handoff == "active":
                return Turn(user, silent=True)
            if self.held.has(conversation_id):  # earlier turns still wait for Rasa: keep the order
                return Turn(user, [await self.held.hold(self, conversation_id, user, message, channel)])
            try:
                answer = await self.rasa.send(conversation_id, message, channel)
            except RasaUnavailable as exc:
                if isinstance(exc, RasaStarting) and channel == "web":  # no replica up yet: answer later
                    return Turn(user, [await self.held.hold(self, conversation_id, user, message, channel)])
                log.warning("turn failed for %s (%s); fallback sent", ref(conversation_id), channel)
                await asyncio.to_thread(self.store.set_status, user.id, "failed")
                note = await asyncio.to_thread(self.store.add_message, conversation_id, "system",
                                               texts.fallback(self.settings))
                self.notifier.notify(conversation_id)
                return Turn(user, [note], failed=True)
            if DATA_DELETED in answer.events:
                complete = await asyncio.to_thread(self.store.delete_conversation, conversation_id, self.settings)
                log.info("conversation %s erased on request%s", ref(conversation_id), "" if complete else
                         " (tracker events pending)")
                replies = list(answer.replies) + ([] if complete else [Reply(texts.ERASURE_PENDING)])
                return Turn(None, replies, deleted=True)
            if not answer.replies:  # Rasa answered, with nothing to say (e.g. to "/back"): not an outage
                note = await asyncio.to_thread(self.store.add_message, conversation_id, "system", texts.NO_ANSWER)
                self.notifier.notify(conversation_id)
                return Turn(user, [note])
            stored = await asyncio.to_thread(self.store.add_messages, conversation_id, "bot",
                                             [(r.text, r.buttons) for r in answer.replies])
            self.notifier.notify(conversation_id)
            return Turn(user, stored)

    async def issued_payload(self, conversation_id: str, key: str) -> str | None:
        """The payload of a button the gateway sent in this conversation, found by its key; else None."""
        for payload in await asyncio.to_thread(self.store.issued_payloads, conversation_id):
            if hmac.compare_digest(self.button_key(conversation_id, payload), key):
                return payload
        return None

    def button_key(self, conversation_id: str, payload: str) -> str:
        """The key a client gets instead of a button's payload: the payload stays on the server."""
        digest = hmac.new(self.secret, f"button:{conversation_id}:{payload}".encode(), hashlib.sha256)
        return digest.hexdigest()[:24]

    async def local_turn(self, conversation_id: str, channel: str, shown: str, answer: str, *,
                         address: str | None = None, external_id: str | None = None) -> Turn:
        """A user message the gateway answers itself (a photo, an edit): both are stored for staff."""
        shown = redact_bsn(shown)
        async with self.locks.hold(conversation_id):
            user, _ = await asyncio.to_thread(
                self.store.add_user_message, conversation_id, channel, address, shown, external_id)
            note = await asyncio.to_thread(self.store.add_message, conversation_id, "system", answer)
            self.notifier.notify(conversation_id)
            return Turn(user, [note])

    async def stop(self, conversation_id: str, channel: str, address: str | None = None) -> Turn:
        """End the conversation: Rasa forgets the dialogue state, a handoff ends, history stays."""
        answer = texts.STOPPED if channel == "telegram" else texts.WEB_STOPPED
        turn = await self.local_turn(conversation_id, channel, "/stop", answer, address=address)
        async with self.locks.hold(conversation_id):
            await asyncio.to_thread(self.store.set_handoff, conversation_id, "none")
            try:
                await self.rasa.send(conversation_id, "/restart", channel)
            except RasaUnavailable:
                pass  # the session expires on its own; the user already has the answer
        return turn

    async def deliver(self, conversation_id: str, body: str, staff_id: int | None) -> Message:
        """Store a staff or system message; the caller pushes it to the channel."""
        author = "staff" if staff_id is not None else "system"
        message = await asyncio.to_thread(self.store.add_message, conversation_id, author, body, None, staff_id)
        self.notifier.notify(conversation_id)
        return message


_current: Gateway | None = None


def install(gateway: Gateway | None) -> None:
    """Make `gateway` the process-wide one (used by bot.outbox.deliver)."""
    global _current
    _current = gateway


def current() -> Gateway:
    if _current is None:
        raise RuntimeError("the channel gateway is not running in this process")
    return _current
