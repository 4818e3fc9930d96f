"""Web chat turns held while Rasa is not up yet, answered in order as soon as it is.

The gateway starts within seconds; Rasa needs up to a minute or more to load its model. A web chat
message in that time is stored as usual (so staff see it and nothing is lost), gets the note
texts.STARTING, and waits here. One background task checks Rasa's /status every POLL_SECONDS; when a
replica answers, it sends the held messages per conversation in their order, stores the replies and
wakes the conversation's long poll, so the browser shows the answer without the user doing anything.
A new message in a conversation that still has held turns is held behind them, so order is kept.

Held turns live in this process: when the gateway itself stops before Rasa came up, the messages stay
stored (status "pending") but are not answered. Telegram does not hold turns (it keeps the fallback
answer): a Telegram chat has no long poll to bring a late answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, deque
from typing import Any

from bot import text as texts
from bot.rasa_client import DATA_DELETED, RasaStarting, RasaUnavailable
from bot.store import Message

# The bot.gateway.Gateway that owns this queue (not imported: bot.gateway imports this module).
Gateway = Any

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
PENDING = "pending"


class HeldTurns:
    def __init__(self) -> None:
        self._queue: OrderedDict[str, deque[tuple[int, str, str]]] = OrderedDict()
        self._task: asyncio.Task | None = None

    def has(self, conversation_id: str) -> bool:
        return bool(self._queue.get(conversation_id))

    async def hold(self, gateway: Gateway, conversation_id: str, user: Message, message: str, channel: str) -> Message:
        """Keep the turn for later and return the stored note; the caller holds the conversation's lock."""
        await asyncio.to_thread(gateway.store.set_status, user.id, PENDING)
        note = await asyncio.to_thread(gateway.store.add_message, conversation_id, "system", texts.STARTING)
        gateway.notifier.notify(conversation_id)
        self._queue.setdefault(conversation_id, deque()).append((user.id, message, channel))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(gateway))
        return note

    async def _drain(self, gateway: Gateway) -> None:
        while self._queue:
            if not await gateway.rasa.ready():
                await asyncio.sleep(POLL_SECONDS)
                continue
            conversation_id = next(iter(self._queue))
            async with gateway.locks.hold(conversation_id):
                if not await self._answer(gateway, conversation_id):
                    await asyncio.sleep(POLL_SECONDS)  # Rasa went away again: keep the rest held

    async def _answer(self, gateway: Gateway, conversation_id: str) -> bool:
        """Answer the conversation's held turns in order; False if Rasa refused again."""
        held = self._queue[conversation_id]
        while held:
            user_id, message, channel = held[0]
            try:
                answer = await gateway.rasa.send(conversation_id, message, channel)
                if not answer.replies and not answer.events:
                    raise RasaUnavailable("empty answer")
            except RasaStarting:
                return False
            except RasaUnavailable:
                held.popleft()
                await asyncio.to_thread(gateway.store.set_status, user_id, "failed")
                await asyncio.to_thread(gateway.store.add_message, conversation_id, "system",
                                        texts.fallback(gateway.settings))
                gateway.notifier.notify(conversation_id)
                continue
            held.popleft()
            if DATA_DELETED in answer.events:
                await asyncio.to_thread(gateway.store.delete_conversation, conversation_id)
                held.clear()
                break
            await asyncio.to_thread(gateway.store.set_status, user_id, "ok")
            await asyncio.to_thread(gateway.store.add_messages, conversation_id, "bot",
                                    [(r.text, r.buttons) for r in answer.replies])
            gateway.notifier.notify(conversation_id)
        del self._queue[conversation_id]
        return True

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
