"""Messages from staff (live handoff) or the system to a user, on the user's own channel.

    from bot.outbox import deliver
    await deliver(conversation_id, "Goedemiddag, u spreekt met Sanne van het WSP.", staff_id=7)

Runs in the gateway process (the staff UI is mounted there). The message is stored first, so the
transcript is complete even when delivery fails.
"""

from __future__ import annotations

import asyncio
import logging

from telegram.error import TelegramError

from bot import text as texts
from bot.delivery import mark_failed, permanent
from bot.gateway import current, ref

log = logging.getLogger(__name__)


class DeliveryError(RuntimeError):
    """The message is stored (status "failed") but could not be pushed to the user's channel.

    `retrying`: it is queued and sent again by itself (bot/delivery.py); False when Telegram refused
    for good (the user blocked the bot), so sending it again would not help either."""

    def __init__(self, message: str, retrying: bool = True) -> None:
        super().__init__(message)
        self.retrying = retrying


async def deliver(conversation_id: str, text: str, staff_id: int | None = None) -> None:
    """Store a staff (or, without staff_id, system) message and push it to the user's channel.

    Web chat: open pages receive it through their long poll within a moment. Telegram: sent by the
    running bot. Raises LookupError for an unknown conversation, ValueError for an empty text and
    DeliveryError when Telegram could not be reached (the message stays stored, marked "failed",
    and is retried by bot/retry.py).
    """
    gateway = current()
    body = texts.clean(text)
    if not body:
        raise ValueError("empty message")
    info = await asyncio.to_thread(gateway.store.conversation, conversation_id)
    if info is None:
        raise LookupError("unknown conversation")
    message = await gateway.deliver(conversation_id, body, staff_id)
    if info.channel != "telegram":
        return
    application = gateway.telegram
    try:
        if application is None or not info.address:
            raise DeliveryError("Telegram staat uit in deze gateway (TELEGRAM_TOKEN ontbreekt)")
        from bot.telegram import send

        await send(application.bot, gateway, conversation_id, int(info.address), [message])
    except (TelegramError, DeliveryError) as exc:
        log.warning("staff message to %s not delivered: %s", ref(conversation_id), type(exc).__name__)
        # Marked failed and queued: bot/retry.py sends it again with back-off; staff see the status.
        await asyncio.to_thread(mark_failed, gateway.store.engine, gateway.settings, [message.id], exc)
        raise DeliveryError(f"Bericht opgeslagen maar niet afgeleverd via Telegram: {exc}",
                            retrying=not permanent(exc)) from exc
