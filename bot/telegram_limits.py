"""Telegram's limits, kept: updates of one chat in order, and about one message a second per chat."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Update
from telegram.ext import AIORateLimiter, BaseRateLimiter, BaseUpdateProcessor

from bot.gateway import KeyedLocks


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of one chat are handled in arrival order; different chats concurrently."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks = KeyedLocks()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        async with self._locks.hold(chat.id):
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


class ChatRateLimiter(BaseRateLimiter[int]):
    """python-telegram-bot's AIORateLimiter (30/s overall, 20/min per group, waits out a 429 and
    retries) plus about one message a second per private chat, with a burst of three."""

    def __init__(self, max_retries: int = 100) -> None:
        self._inner = AIORateLimiter(max_retries=max_retries)  # then the error is logged; the answer stays stored
        self._chats: dict[int, AsyncLimiter] = {}

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self._chats) > 1024:
            self._chats = {k: v for k, v in self._chats.items() if not v.has_capacity(v.max_rate)}
        return self._chats.setdefault(chat_id, AsyncLimiter(3, 3))

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> Any:
        chat_id = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)
        if isinstance(chat_id, int) and chat_id > 0 and endpoint != "sendChatAction":
            async with self._chat_limiter(chat_id):
                return await self._inner.process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        return await self._inner.process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
