"""A failed erasure is retried until it completes, the user is told the truth, staff see it pending.

The tracker store (Rasa's events, an SQLite file here) is held locked by another connection while
the user confirms the erasure, as a busy or unreachable tracker database would be. The gateway's own
rows go at once (SQLite and PostgreSQL); the events are erased by the gateway's retry loop as soon as
the lock is gone. Real HTTP throughout: fake Rasa, fake Telegram Bot API, the staff workspace.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest
from sqlalchemy import create_engine, func, select

from bot import text as texts
from bot.models import ChatMessage, ErasureRequest
from placement.db import session_scope
from placement.models import Conversation
from placement.tracker_events import create_events_table
from staff.summary import conversation_ref
from tests.fake_rasa import add_tracker_events, tracker_event_count
from tests.staff_support import login, make_staff, workspace
from tests.test_gateway_telegram import telegram_stack
from werkpunt.net import free_port


@pytest.fixture(scope="module")
def tracker_file(tmp_path_factory):
    return tmp_path_factory.mktemp("tracker") / "tracker.db"


@pytest.fixture(scope="module")
def tracker(tracker_file):
    engine = create_engine(f"sqlite:///{tracker_file}", connect_args={"timeout": 0.5})  # give up fast when locked
    create_events_table(engine)
    yield engine
    engine.dispose()


def pending(engine) -> list[ErasureRequest]:
    with session_scope(engine) as session:
        found = list(session.scalars(select(ErasureRequest)))
        session.expunge_all()
        return found


async def until(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(check):
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.2)


async def test_failed_erasure_is_told_retried_and_completed(engine, tracker, tracker_file):
    async with telegram_stack(engine, tracker, erasure_retry_seconds=1) as s:
        conversation_id = s.gateway.telegram_conversation_id(s.chat)
        await s.tg.push(s.tg.text(s.chat, "vacatures"))
        await s.tg.wait_sent(1, s.chat)
        add_tracker_events(tracker, conversation_id)
        await s.tg.push(s.tg.text(s.chat, "/verwijder"))
        question = (await s.tg.wait_sent(2, s.chat))[-1]

        lock = sqlite3.connect(tracker_file, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")  # the tracker store cannot be written (or read) now
        try:
            await s.tg.push(s.tg.press(s.chat, question, "Ja, wis alles"))
            sent = await s.tg.wait_sent(4, s.chat, timeout=15)
            assert sent[2].params["text"] == "Uw gegevens zijn gewist."
            assert sent[3].params["text"] == texts.ERASURE_PENDING  # the truth: not everything is gone yet
            assert "nog niet alles is gewist" in texts.ERASURE_PENDING
            with session_scope(engine) as session:  # the gateway's own copy is gone at once
                assert session.get(Conversation, conversation_id) is None
                assert not session.scalar(select(func.count()).select_from(ChatMessage).where(
                    ChatMessage.conversation_id == conversation_id))
            (request,) = [r for r in pending(engine) if r.conversation_id == conversation_id]
            assert request.last_error == "OperationalError"
            await asyncio.sleep(2.5)  # retry rounds run and fail while the lock holds; the request stays
            assert [r.conversation_id for r in pending(engine)] == [conversation_id]

            make_staff(engine, "wissen.beheer@werkpunt.example", "admin")
            with workspace(engine, tracker, free_port()) as (served, _app):
                client, _ = await asyncio.to_thread(login, served.url, "wissen.beheer@werkpunt.example")
                page = await asyncio.to_thread(client.get, "/staff/bezorging")
                assert "Wisverzoeken die nog niet klaar zijn <small>1</small>" in page.text
                assert conversation_ref(conversation_id) in page.text and conversation_id not in page.text
        finally:
            lock.rollback()
            lock.close()
        await until(lambda: not pending(engine), timeout=30)  # retried until it completed
        assert tracker_event_count(tracker, conversation_id) == 0
        assert pending(engine) == []


async def test_erasure_that_works_at_once_says_nothing_extra(engine, tracker):
    async with telegram_stack(engine, tracker) as s:
        conversation_id = s.gateway.telegram_conversation_id(s.chat)
        await s.tg.push(s.tg.text(s.chat, "/verwijder"))
        question = (await s.tg.wait_sent(1, s.chat))[-1]
        add_tracker_events(tracker, conversation_id)
        await s.tg.push(s.tg.press(s.chat, question, "Ja, wis alles"))
        await s.tg.wait_sent(2, s.chat)
        await asyncio.sleep(0.5)
        assert [c.params["text"] for c in s.tg.sent(s.chat)][-1] == "Uw gegevens zijn gewist."
        assert tracker_event_count(tracker, conversation_id) == 0 and not pending(engine)
