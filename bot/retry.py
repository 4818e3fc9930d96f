"""The gateway's background retries: Telegram messages that did not go out (bot/delivery.py) and
erasures of tracker events that did not complete (bot/erasure.py). One small loop in the gateway
process, started and stopped with it; the queues are database rows, so a restart loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot import delivery, erasure
from bot.telegram import send

log = logging.getLogger(__name__)
TICK = 2.0  # seconds between rounds; each round is two indexed queries when nothing is due


class Retrier:
    def __init__(self, gateway, tick: float = TICK) -> None:
        self.gateway = gateway
        self.tick = tick
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="gateway-retries")

    async def once(self) -> None:
        store = self.gateway.store
        await asyncio.to_thread(erasure.retry_due, store.engine, store.tracker_engine, self.gateway.settings)
        await delivery.retry_due(self.gateway, send)

    async def _run(self) -> None:
        while True:
            try:
                await self.once()
            except Exception as exc:  # a dead database must not end the loop; the next round tries again
                log.warning("retry round failed: %s", type(exc).__name__)
            await asyncio.sleep(self.tick)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
