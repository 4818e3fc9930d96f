"""Telegram delivery that tells the truth, against the fake Bot API answering errors over real HTTP
(SQLite and PostgreSQL): a refused message is marked failed, retried with back-off and delivered,
a blocked user is not retried, attempts run out, staff see it; updates are done only once handled."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time

import pytest
from sqlalchemy import select

from bot.models import ChatMessage, TelegramDelivery, TelegramUpdate
from bot.outbox import DeliveryError, deliver
from placement.clock import now
from placement.db import session_scope
from staff.summary import conversation_ref
from tests.fake_rasa import tracker_engine
from tests.staff_support import login, make_staff, workspace
from tests.test_gateway_telegram import telegram_stack
from tests.test_gateway_webhook import stack as webhook_stack
from werkpunt.net import free_port

CHATS = itertools.count(7_000_001)
BAD_GATEWAY = (502, "Bad Gateway")
BLOCKED = (403, "Forbidden: bot was blocked by the user")


@pytest.fixture(scope="module")
def tracker(tmp_path_factory):
    return tracker_engine(tmp_path_factory.mktemp("tracker") / "tracker.db")


def rows(engine, conversation_id: str) -> list[tuple[str, str, str | None, int | None]]:
    """(author, status, delivery state, attempts) per stored message."""
    with session_scope(engine) as session:
        found = session.execute(
            select(ChatMessage.author, ChatMessage.status, TelegramDelivery.state, TelegramDelivery.attempts)
            .outerjoin(TelegramDelivery, TelegramDelivery.message_id == ChatMessage.id)
            .where(ChatMessage.conversation_id == conversation_id).order_by(ChatMessage.id)).all()
        return [tuple(r) for r in found]


async def until(check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        value = await asyncio.to_thread(check)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.2)


async def test_refused_answer_is_marked_failed_retried_and_delivered(engine, tracker):
    async with telegram_stack(engine, tracker, telegram_retry_seconds=1) as s:
        chat = next(CHATS)
        conversation_id = s.gateway.telegram_conversation_id(chat)
        s.tg.fail("sendMessage", BAD_GATEWAY)
        await s.tg.push(s.tg.text(chat, "hallo"))
        await s.tg.wait_for(lambda calls: any(c.method == "sendMessage" and c.status == 502 for c in calls))
        await until(lambda: rows(engine, conversation_id) == [("user", "ok", None, None),
                                                              ("bot", "failed", "retrying", 1)])
        (answer,) = await s.tg.wait_sent(1, chat, timeout=15)  # the retry, no new user message needed
        assert answer.params["text"] == "U zei: hallo"
        await until(lambda: rows(engine, conversation_id) == [("user", "ok", None, None), ("bot", "ok", None, None)])


async def test_blocked_user_is_not_retried_and_staff_see_it(engine, tracker):
    async with telegram_stack(engine, tracker, telegram_retry_seconds=1) as s:
        chat = next(CHATS)
        conversation_id = s.gateway.telegram_conversation_id(chat)
        s.tg.fail("sendMessage", BLOCKED)
        await s.tg.push(s.tg.text(chat, "hallo"))
        await until(lambda: rows(engine, conversation_id)[-1:] == [("bot", "failed", "failed", 1)])
        await asyncio.sleep(3.5)  # more than a retry round: nothing is sent again
        assert len([c for c in s.tg.calls if c.method == "sendMessage" and int(c.params["chat_id"]) == chat]) == 1
        make_staff(engine, "bezorging.beheer@werkpunt.example", "admin")
        with workspace(engine, tracker, free_port()) as (served, _app):
            client, _ = await asyncio.to_thread(login, served.url, "bezorging.beheer@werkpunt.example")
            page = await asyncio.to_thread(client.get, "/staff/bezorging")
            assert page.status_code == 200 and conversation_ref(conversation_id) in page.text
            assert "niet bezorgd" in page.text and "Forbidden" in page.text
            transcript = await asyncio.to_thread(client.get, f"/staff/conversations/{conversation_ref(conversation_id)}")
            assert "niet bezorgd via Telegram" in transcript.text


async def test_attempts_run_out_and_the_message_stays_failed(engine, tracker):
    async with telegram_stack(engine, tracker, telegram_retry_seconds=1, telegram_retry_attempts=2) as s:
        chat = next(CHATS)
        conversation_id = s.gateway.telegram_conversation_id(chat)
        s.tg.fail("sendMessage", *[BAD_GATEWAY] * 5)
        await s.tg.push(s.tg.text(chat, "hallo"))
        await until(lambda: rows(engine, conversation_id)[-1:] == [("bot", "failed", "failed", 2)])
        with session_scope(engine) as session:
            row = session.scalar(select(TelegramDelivery).join(ChatMessage).where(
                ChatMessage.conversation_id == conversation_id))
            assert row.last_error.startswith("NetworkError")


async def test_staff_reply_that_fails_is_queued_and_arrives_later(engine, tracker):
    async with telegram_stack(engine, tracker, telegram_retry_seconds=1) as s:
        chat = next(CHATS)
        conversation_id = s.gateway.telegram_conversation_id(chat)
        await s.tg.push(s.tg.text(chat, "hallo"))
        await s.tg.wait_sent(1, chat)
        s.tg.fail("sendMessage", BAD_GATEWAY)
        with pytest.raises(DeliveryError):
            await deliver(conversation_id, "Goedemiddag, u spreekt met Sanne.", staff_id=None)
        assert rows(engine, conversation_id)[-1] == ("system", "failed", "retrying", 1)
        second = (await s.tg.wait_sent(2, chat, timeout=15))[-1]
        assert second.params["text"] == "Goedemiddag, u spreekt met Sanne."
        await until(lambda: rows(engine, conversation_id)[-1] == ("system", "ok", None, None))


def update_row(engine, update_id: int) -> TelegramUpdate | None:
    with session_scope(engine) as session:
        row = session.get(TelegramUpdate, update_id)
        if row is not None:
            session.expunge(row)
        return row


async def test_webhook_update_is_done_only_after_it_is_handled(engine, tracker):
    async with webhook_stack(engine, tracker) as s:
        handled = s.tg.text(s.chat, "hallo")
        assert (await s.tg.deliver(handled)).status_code == 200
        assert len(s.tg.sent(s.chat)) == 1  # answered before the 200
        assert update_row(engine, handled["update_id"]).done_at is not None

        # A process claimed this update and died while handling it: Telegram redelivers (no 200 came).
        crashed = s.tg.text(s.chat, "na de crash")
        with session_scope(engine) as session:
            session.add(TelegramUpdate(update_id=crashed["update_id"], received_at=now() - dt.timedelta(minutes=5)))
        assert (await s.tg.deliver(crashed)).status_code == 200
        assert s.tg.sent(s.chat)[-1].params["text"] == "U zei: na de crash"
        assert update_row(engine, crashed["update_id"]).done_at is not None

        # Claimed a moment ago and not done: being handled elsewhere. 503, so Telegram tries again later.
        busy = s.tg.text(s.chat, "bezig")
        with session_scope(engine) as session:
            session.add(TelegramUpdate(update_id=busy["update_id"]))
        assert (await s.tg.deliver(busy)).status_code == 503
        assert s.tg.sent(s.chat)[-1].params["text"] == "U zei: na de crash"  # not answered twice
        assert (await s.tg.deliver(handled)).status_code == 200  # a done update: answered once, 200
        assert len(s.tg.sent(s.chat)) == 2
