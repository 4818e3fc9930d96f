"""Telegram delivery that tells the truth: a message Telegram did not accept is marked `failed`,
retried with back-off, and shown to staff (transcript badge, the staff "Bezorging" page).

Every message is stored before it is sent (bot/gateway.py). `send_stored` sends a turn's stored
messages in order; at the first refusal that message and all after it get status "failed" and a
`telegram_delivery` row, so they are retried in the same order. `retry_due` (run by bot/retry.py
inside the gateway) sends what is due: success sets the status back to "ok" and removes the row;
another failure doubles the wait (TELEGRAM_RETRY_SECONDS, at most an hour) until
TELEGRAM_RETRY_ATTEMPTS are used up, then the row stays as `failed` for staff. A user who blocked
the bot (403) or a chat that no longer exists (400) is not retried: that would never succeed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy import select, update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.models import ChatMessage, TelegramDelivery
from bot.store import Message, _message
from placement.clock import now
from placement.db import session_scope
from placement.models import Conversation

log = logging.getLogger(__name__)
MAX_WAIT = dt.timedelta(hours=1)


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:120]


def permanent(exc: Exception) -> bool:
    """Telegram refused for good: a blocked bot (403) or an unknown chat (400)."""
    return isinstance(exc, Forbidden | BadRequest)


def _wait(settings, attempts: int, exc: Exception) -> dt.timedelta:
    if isinstance(exc, RetryAfter):
        retry_after = exc.retry_after
        seconds = retry_after.total_seconds() if isinstance(retry_after, dt.timedelta) else float(retry_after)
        return dt.timedelta(seconds=seconds)
    return min(dt.timedelta(seconds=settings.telegram_retry_seconds) * 2 ** max(attempts - 1, 0), MAX_WAIT)


def mark_failed(engine, settings, message_ids: list[int], exc: Exception) -> None:
    """Status "failed" and a retry row (or a given-up row for a permanent refusal) per message."""
    state = "failed" if permanent(exc) else "retrying"
    at = now() + _wait(settings, 1, exc)
    with session_scope(engine) as session:
        session.execute(update(ChatMessage).where(ChatMessage.id.in_(message_ids)).values(status="failed"))
        for message_id in message_ids:
            row = session.get(TelegramDelivery, message_id) or TelegramDelivery(message_id=message_id, attempts=0)
            row.state, row.attempts, row.next_try_at, row.last_error = state, row.attempts + 1, at, _error_text(exc)
            session.add(row)


def _waiting(engine, conversation_id: str) -> bool:
    """An earlier message of this conversation still waits for a retry."""
    with session_scope(engine) as session:
        return session.scalar(
            select(TelegramDelivery.message_id).join(ChatMessage, ChatMessage.id == TelegramDelivery.message_id)
            .where(ChatMessage.conversation_id == conversation_id, TelegramDelivery.state == "retrying")
            .limit(1)) is not None


def _queue_behind(engine, message_ids: list[int]) -> None:
    """Queue messages behind an earlier one that waits, due at once: the retry loop sends them in id order."""
    with session_scope(engine) as session:
        session.execute(update(ChatMessage).where(ChatMessage.id.in_(message_ids)).values(status="failed"))
        for message_id in message_ids:
            session.add(TelegramDelivery(message_id=message_id, attempts=0, state="retrying", next_try_at=now(),
                                         last_error="waiting for an earlier message"))


async def send_stored(send, bot, gateway, conversation_id: str, chat_id: int, messages: list[Message]) -> bool:
    """Send stored messages in order with `send` (bot.telegram.send); True if all went out, else the
    rest is queued for retry. While an earlier message of the chat waits for a retry, these wait behind it:
    a chat gets its answers in order (make reliability: telegram_429_and_5xx)."""
    engine = gateway.store.engine
    if messages and await asyncio.to_thread(_waiting, engine, conversation_id):
        await asyncio.to_thread(_queue_behind, engine, [m.id for m in messages])
        return False
    for number, message in enumerate(messages):
        try:
            await send(bot, gateway, conversation_id, chat_id, [message])
        except TelegramError as exc:
            log.warning("message to chat not delivered (%s); queued for retry", type(exc).__name__)
            rest = [m.id for m in messages[number:]]
            await asyncio.to_thread(mark_failed, gateway.store.engine, gateway.settings, rest, exc)
            return False
    return True


def _due(engine, limit: int = 50) -> list[tuple[Message, str, str | None]]:
    """Due retries, oldest message first: (message, conversation id, Telegram chat id)."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(ChatMessage, Conversation.channel_address)
            .join(TelegramDelivery, TelegramDelivery.message_id == ChatMessage.id)
            .join(Conversation, Conversation.id == ChatMessage.conversation_id)
            .where(TelegramDelivery.state == "retrying", TelegramDelivery.next_try_at <= now())
            .order_by(ChatMessage.id).limit(limit)).all()
        return [(_message(m), m.conversation_id, address) for m, address in rows]


def _succeeded(engine, message_id: int) -> None:
    with session_scope(engine) as session:
        session.execute(update(ChatMessage).where(ChatMessage.id == message_id).values(status="ok"))
        row = session.get(TelegramDelivery, message_id)
        if row is not None:
            session.delete(row)


def _failed_again(engine, settings, message_id: int, exc: Exception) -> None:
    with session_scope(engine) as session:
        row = session.get(TelegramDelivery, message_id)
        if row is None:
            return
        row.attempts += 1
        row.last_error = _error_text(exc)
        if permanent(exc) or row.attempts >= settings.telegram_retry_attempts:
            row.state = "failed"
        else:
            row.next_try_at = now() + _wait(settings, row.attempts, exc)


async def retry_due(gateway, send) -> int:
    """One round of retries with `send` (bot.telegram.send); returns how many messages got through."""
    application = gateway.telegram
    if application is None:
        return 0
    engine, delivered, blocked = gateway.store.engine, 0, set()
    for message, conversation_id, address in await asyncio.to_thread(_due, engine):
        if conversation_id in blocked or not address:
            continue  # keep the order: a later message of a chat waits for the earlier one
        try:
            await send(application.bot, gateway, conversation_id, int(address), [message])
        except TelegramError as exc:
            blocked.add(conversation_id)
            await asyncio.to_thread(_failed_again, engine, gateway.settings, message.id, exc)
            continue
        await asyncio.to_thread(_succeeded, engine, message.id)
        delivered += 1
    if delivered:
        log.info("%d Telegram message(s) delivered on retry", delivered)
    return delivered
