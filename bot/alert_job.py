"""The gateway's alert job: match new outbox events, then push due alerts to Telegram (issue 16).

One asyncio task per gateway process, started and stopped with it (like bot/retry.py), every
ALERT_INTERVAL_S seconds. Database work runs in threads, so the chat never waits for matching.
An alert goes out as an ordinary stored bot message with buttons: the gateway's button checks
(issued payloads, bot/telegram.py `button_press`) apply to it as to any Rasa answer, staff see it in
the transcript, and python-telegram-bot's rate limiter (bot/telegram_limits.py: about one message a
second per chat, 30 a second overall) spaces the pushes. A message Telegram does not accept follows
bot/delivery.py: marked failed and retried; a blocked bot (403) pauses the person's alerts
(`paused_reason` telegram_geblokkeerd, shown on the staff alerts page) and is logged at WARNING
without personal data. Several gateway workers may run this job at once: claims are conditional
UPDATEs and pairs are unique, so nothing is matched or sent twice.

`clock` is the job's notion of now (naive UTC); tests replace it to cross quiet hours without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from telegram.error import Forbidden, TelegramError

from bot import delivery
from bot.gateway import ref
from bot.rasa_client import Button
from bot.telegram import send
from placement import clock as placement_clock
from placement.alerts import delivery as alert_delivery
from placement.alerts.matcher import expire_closed, process_events
from placement.db import session_scope

log = logging.getLogger(__name__)
PARALLEL_CHATS = 30  # chats served at once; the rate limiter keeps Telegram's overall limit


class AlertJob:
    def __init__(self, gateway, interval: float | None = None,
                 clock: Callable[[], object] = placement_clock.now) -> None:
        self.gateway = gateway
        self.interval = interval if interval is not None else gateway.settings.alert_interval_s
        self.clock = clock
        self._task: asyncio.Task | None = None

    @property
    def _engine(self):
        return self.gateway.store.engine

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="gateway-alerts")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.once()
            except Exception as exc:  # a dead database must not end the loop; the next round tries again
                log.warning("alert round failed: %s", type(exc).__name__)
            await asyncio.sleep(self.interval)

    def _match(self, at) -> int:
        with session_scope(self._engine) as session:
            created = process_events(session, now=at, quiet=self.gateway.settings.alert_quiet_hours)
        with session_scope(self._engine) as session:  # web chat alerts too: never shown for a closed vacancy
            expire_closed(session)
        return created

    def _claim(self, at) -> list[alert_delivery.Push]:
        with session_scope(self._engine) as session:
            return alert_delivery.claim_due(session, at, self.gateway.settings.alert_quiet_hours)

    def _unclaim(self, pushes: list[alert_delivery.Push]) -> None:
        with session_scope(self._engine) as session:
            alert_delivery.unclaim(session, [i for push in pushes for i in push.alert_ids])

    def _blocked(self, push: alert_delivery.Push) -> int:
        with session_scope(self._engine) as session:
            return alert_delivery.pause_blocked(session, push.conversation_id, list(push.alert_ids))

    async def once(self) -> int:
        """One round: match pending events, then send what is due. Returns the messages sent."""
        at = self.clock()
        created = await asyncio.to_thread(self._match, at)
        if created:
            log.info("%d new match alert(s)", created)
        application = self.gateway.telegram
        if application is None:  # Telegram off: alerts of Telegram users wait until it is on
            return 0
        pushes = await asyncio.to_thread(self._claim, at)
        by_chat: dict[str, list[alert_delivery.Push]] = {}
        for push in pushes:
            by_chat.setdefault(push.conversation_id, []).append(push)
        gate = asyncio.Semaphore(PARALLEL_CHATS)

        async def chat(items: list[alert_delivery.Push]) -> int:
            async with gate:
                return await self._send_chat(application.bot, items)

        sent = sum(await asyncio.gather(*(chat(items) for items in by_chat.values())))
        if sent:
            log.info("%d match alert message(s) sent", sent)
        return sent

    async def _send_chat(self, bot, pushes: list[alert_delivery.Push]) -> int:
        """Send one chat's alerts in order; at the first refusal the rest waits for a later round."""
        gateway, sent = self.gateway, 0
        for number, push in enumerate(pushes):
            buttons = [Button(b["title"], b["payload"]) for b in push.buttons]
            try:
                (message,) = await asyncio.to_thread(gateway.store.add_messages, push.conversation_id, "bot",
                                                     [(push.text, buttons)])
            except LookupError:  # the conversation was erased meanwhile
                await asyncio.to_thread(self._unclaim, pushes[number:])
                return sent
            gateway.notifier.notify(push.conversation_id)
            try:
                await send(bot, gateway, push.conversation_id, int(push.address), [message])
            except Forbidden as exc:
                await asyncio.to_thread(delivery.mark_failed, self._engine, gateway.settings, [message.id], exc)
                paused = await asyncio.to_thread(self._blocked, push)
                log.warning("alerts for %s paused: the user blocked the bot (%d subscription(s))",
                            ref(push.conversation_id), paused)
                await asyncio.to_thread(self._unclaim, pushes[number + 1:])
                return sent
            except TelegramError as exc:  # stored and queued: bot/retry.py sends it again with back-off
                log.warning("alert to %s not delivered (%s); queued for retry", ref(push.conversation_id),
                            type(exc).__name__)
                await asyncio.to_thread(delivery.mark_failed, self._engine, gateway.settings, [message.id], exc)
                await asyncio.to_thread(self._unclaim, pushes[number + 1:])
                return sent
            sent += 1
        return sent
