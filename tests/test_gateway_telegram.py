"""Telegram (long polling) against a fake Bot API server and a fake Rasa, both over real HTTP.

python-telegram-bot talks to the fake through `base_url`; nothing inside the library is patched.
Each test uses its own chat id; the database (SQLite and PostgreSQL) is shared per module.
"""

from __future__ import annotations

import asyncio
import html
import itertools
from contextlib import asynccontextmanager
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import select

from bot import text as texts
from bot.models import ButtonPayload, ChatMessage
from bot.outbox import deliver
from placement.db import session_scope
from placement.models import Conversation
from tests.fake_rasa import (
    LONG_PAYLOAD,
    FakeRasa,
    add_tracker_events,
    gateway_settings,
    running_gateway,
    serve,
    tracker_engine,
    tracker_event_count,
)
from tests.fake_telegram import TOKEN, running_fake_telegram

CHATS = itertools.count(5_000_001)


@pytest.fixture(scope="module")
def tracker(tmp_path_factory):
    return tracker_engine(tmp_path_factory.mktemp("tracker") / "tracker.db")


@asynccontextmanager
async def telegram_stack(engine, tracker, rasa: FakeRasa | None = None, **overrides):
    rasa = rasa or FakeRasa()
    async with serve(rasa.app) as rasa_url, running_fake_telegram() as tg:
        settings = gateway_settings(rasa_url, telegram_token=TOKEN, telegram_api_base_url=tg.base_url, **overrides)
        async with running_gateway(settings, engine, tracker) as gw:
            await tg.wait_for(lambda calls: any(c.method == "getUpdates" for c in calls))  # polling runs
            yield SimpleNamespace(tg=tg, rasa=rasa, gw=gw, gateway=gw.gateway, chat=next(CHATS))


def messages(engine, conversation_id: str) -> list[ChatMessage]:
    with session_scope(engine) as session:
        return list(session.scalars(select(ChatMessage).where(ChatMessage.conversation_id == conversation_id)
                                    .order_by(ChatMessage.id)))


async def test_start_shows_greeting_privacy_notice_and_role_buttons(engine, tracker):
    async with telegram_stack(engine, tracker) as s:
        await s.tg.push(s.tg.text(s.chat, "/start"))
        greeting, notice = await s.tg.wait_sent(2, s.chat)
        assert "digitale assistent" in greeting.params["text"]
        assert "90 dagen" in notice.params["text"]
        buttons = [b for row in notice.params["reply_markup"]["inline_keyboard"] for b in row]
        assert [b["text"] for b in buttons] == ["Ik ben werkgever", "Ik zoek werk"]
        assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
        request = s.rasa.requests[0]
        assert request["message"] == "/greet" and request["metadata"] == {"channel": "telegram"}
        conversation_id = s.gateway.telegram_conversation_id(s.chat)
        assert request["sender"] == conversation_id and str(s.chat) not in conversation_id
        with session_scope(engine) as session:
            conversation = session.get(Conversation, conversation_id)
            assert (conversation.channel, conversation.channel_address) == ("telegram", str(s.chat))
        assert [(m.author, m.status) for m in messages(engine, conversation_id)] == [
            ("user", "ok"), ("bot", "ok"), ("bot", "ok")]
        assert any(c.method == "sendChatAction" for c in s.tg.calls)  # "typing..." while Rasa works


async def test_button_press_sends_payload_and_removes_the_keyboard(engine, tracker):
    async with telegram_stack(engine, tracker) as s:
        await s.tg.push(s.tg.text(s.chat, "/start"))
        sent = await s.tg.wait_sent(2, s.chat)
        await s.tg.push(s.tg.press(s.chat, sent[-1], "Ik ben werkgever"))
        answer = (await s.tg.wait_sent(3, s.chat))[-1]
        assert "vacature melden" in answer.params["text"]
        assert s.rasa.messages()[-1] == "/identify_as_employer"
        methods = [c.method for c in s.tg.calls]
        assert "answerCallbackQuery" in methods and "editMessageReplyMarkup" in methods
        stored = messages(engine, s.gateway.telegram_conversation_id(s.chat))
        assert stored[-2].author == "user" and stored[-2].text == "Ik ben werkgever"  # staff read the title


async def test_text_turn_with_long_button_payload_uses_a_stored_key(engine, tracker):
    async with telegram_stack(engine, tracker) as s:
        await s.tg.push(s.tg.text(s.chat, "vacatures"))
        (offer,) = await s.tg.wait_sent(1, s.chat)
        (button,) = offer.params["reply_markup"]["inline_keyboard"][0]
        assert len(LONG_PAYLOAD.encode()) > 64
        assert button["callback_data"].startswith("k:") and len(button["callback_data"].encode()) <= 64
        await s.tg.push(s.tg.press(s.chat, offer, "Solliciteer"))
        await s.tg.wait_sent(2, s.chat)
        assert s.rasa.messages()[-1] == LONG_PAYLOAD


async def test_long_answer_is_split_and_escaped(engine, tracker):
    async with telegram_stack(engine, tracker) as s:
        await s.tg.push(s.tg.text(s.chat, "lang antwoord"))
        await s.tg.wait_for(lambda calls: len(s.tg.sent(s.chat)) >= 3)
        parts = [html.unescape(c.params["text"]) for c in s.tg.sent(s.chat)]
        assert all(texts.utf16_len(p) < 4096 for p in parts)
        assert all(c.params["parse_mode"] == "HTML" and "<en>" not in c.params["text"] for c in s.tg.sent(s.chat))
        original = ("Dit is een lange zin over werk <en> & loon. " * 250).strip()
        assert " ".join(parts) == original


async def test_photo_and_edited_message_get_a_polite_dutch_answer(engine, tracker):
    async with telegram_stack(engine, tracker) as s:
        await s.tg.push(s.tg.photo(s.chat), s.tg.edited(s.chat, "toch iets anders"))
        photo, edited = await s.tg.wait_sent(2, s.chat)
        assert photo.params["text"] == texts.NOT_TEXT["photo"]
        assert edited.params["text"] == texts.EDITED
        assert s.rasa.requests == []  # nothing for Rasa to read
        stored = messages(engine, s.gateway.telegram_conversation_id(s.chat))
        assert [m.text for m in stored if m.author == "user"] == ["[photo]", "[bericht aangepast]"]


async def test_duplicate_update_is_answered_once(engine, tracker):
    async with telegram_stack(engine, tracker) as s:
        update = s.tg.text(s.chat, "hallo")
        await s.tg.push(update, update)
        await s.tg.push(s.tg.text(s.chat, "daarna"))  # same chat: handled after both copies
        sent = await s.tg.wait_sent(2, s.chat)
        assert [c.params["text"] for c in sent] == ["U zei: hallo", "U zei: daarna"]
        assert s.rasa.messages() == ["hallo", "daarna"]


async def test_429_from_telegram_delays_the_answer_but_never_drops_it(engine, tracker):
    async with telegram_stack(engine, tracker) as s:
        s.tg.rate_limit("sendMessage", 1)
        await s.tg.push(s.tg.text(s.chat, "hallo"))
        (answer,) = await s.tg.wait_sent(1, s.chat)
        refused = [c for c in s.tg.calls if c.method == "sendMessage" and c.status == 429]
        assert len(refused) == 1
        assert answer.at - refused[0].at >= 1.0  # waited retry_after before trying again
        assert answer.params["text"] == "U zei: hallo"


async def test_one_chat_in_order_other_chats_concurrently(engine, tracker):
    rasa = FakeRasa()
    rasa.gate = asyncio.Event()  # Rasa holds every answer until the test opens the gate
    async with telegram_stack(engine, tracker, rasa) as s:
        other = next(CHATS)
        await s.tg.push(s.tg.text(s.chat, "een"), s.tg.text(s.chat, "twee"), s.tg.text(other, "drie"))
        await rasa.wait_requests(2)
        assert sorted(rasa.messages()) == ["drie", "een"]  # "twee" waits for "een"; chat B is not blocked
        rasa.gate.set()
        sent = await s.tg.wait_sent(2, s.chat)
        assert [c.params["text"] for c in sent] == ["U zei: een", "U zei: twee"]
        assert (await s.tg.wait_sent(1, other))[0].params["text"] == "U zei: drie"


async def test_verwijder_erases_messages_rows_and_tracker_events(engine, tracker):
    async with telegram_stack(engine, tracker) as s:
        conversation_id = s.gateway.telegram_conversation_id(s.chat)
        await s.tg.push(s.tg.text(s.chat, "vacatures"))  # also stores a long button payload
        await s.tg.wait_sent(1, s.chat)
        add_tracker_events(tracker, conversation_id)
        await s.tg.push(s.tg.text(s.chat, "/verwijder"))
        question = (await s.tg.wait_sent(2, s.chat))[-1]
        assert s.rasa.messages()[-1] == "/request_data_deletion"
        await s.tg.push(s.tg.press(s.chat, question, "Ja, wis alles"))
        done = (await s.tg.wait_sent(3, s.chat))[-1]
        assert done.params["text"] == "Uw gegevens zijn gewist."
        assert "werkpunt_event" not in "".join(c.params["text"] for c in s.tg.sent(s.chat))
        assert messages(engine, conversation_id) == []
        assert tracker_event_count(tracker, conversation_id) == 0
        with session_scope(engine) as session:
            assert session.get(Conversation, conversation_id) is None
            assert not session.scalars(select(ButtonPayload).where(ButtonPayload.conversation_id == conversation_id)).all()


async def test_stop_and_unknown_command(engine, tracker):
    async with telegram_stack(engine, tracker) as s:
        await s.tg.push(s.tg.text(s.chat, "/stop"), s.tg.text(s.chat, "/onbekend"))
        stopped, unknown = await s.tg.wait_sent(2, s.chat)
        assert stopped.params["text"] == texts.STOPPED and unknown.params["text"] == texts.UNKNOWN_COMMAND
        assert s.rasa.messages() == ["/restart"]  # Rasa forgets the dialogue state


async def test_rasa_down_gives_fallback_and_stores_the_message(engine, tracker):
    async with running_fake_telegram() as tg:
        settings = gateway_settings("http://127.0.0.1:9", telegram_token=TOKEN, telegram_api_base_url=tg.base_url)
        async with running_gateway(settings, engine, tracker) as gw:
            chat = next(CHATS)
            await tg.push(tg.text(chat, "Ik zoek werk als schilder"))
            (answer,) = await tg.wait_sent(1, chat, timeout=5)
            assert answer.params["text"].startswith("Er gaat even iets mis") and "088 123 45 67" in answer.params["text"]
            stored = messages(engine, gw.gateway.telegram_conversation_id(chat))
            assert (stored[0].text, stored[0].status) == ("Ik zoek werk als schilder", "failed")


async def test_active_handoff_silences_the_bot_and_staff_replies_arrive(engine, tracker):
    async with telegram_stack(engine, tracker) as s:
        conversation_id = s.gateway.telegram_conversation_id(s.chat)
        await s.tg.push(s.tg.text(s.chat, "hallo"))
        await s.tg.wait_sent(1, s.chat)
        s.gateway.store.set_handoff(conversation_id, "active")
        await s.tg.push(s.tg.text(s.chat, "Ik wil een mens spreken"), s.tg.text(s.chat, "/onbekend"))
        await s.tg.wait_sent(2, s.chat)  # the second update's answer: the first one has been handled
        assert s.rasa.messages() == ["hallo"]
        assert "Ik wil een mens spreken" in [m.text for m in messages(engine, conversation_id)]
        await deliver(conversation_id, "Goedemiddag, u spreekt met Sanne.", staff_id=None)
        staff = (await s.tg.wait_sent(3, s.chat))[-1]
        assert staff.params["text"] == "Goedemiddag, u spreekt met Sanne."
        assert messages(engine, conversation_id)[-1].author == "system"


async def test_unreachable_telegram_does_not_hold_up_the_web_chat(engine, tracker):
    rasa = FakeRasa()
    async with serve(rasa.app) as rasa_url:
        settings = gateway_settings(rasa_url, telegram_token=TOKEN, telegram_api_base_url="http://127.0.0.1:9/bot")
        async with running_gateway(settings, engine, tracker) as gw:
            async with httpx.AsyncClient(base_url=gw.url, timeout=10) as client:
                assert (await client.get("/health")).json()["telegram"] == "starting"  # retrying in the background
                reply = await client.post("/api/message", json={"text": "hallo"})
                assert reply.json()["messages"][-1]["text"] == "U zei: hallo"


async def test_rejected_token_is_reported_in_health(engine, tracker):
    async with running_fake_telegram() as tg:
        settings = gateway_settings("http://127.0.0.1:9", telegram_token="999:wrong", telegram_api_base_url=tg.base_url)
        async with running_gateway(settings, engine, tracker) as gw:
            assert await gw.app.state.telegram.settled() is False  # no retrying with a wrong token
            async with httpx.AsyncClient(base_url=gw.url) as client:
                assert (await client.get("/health")).json()["telegram"] == "failed"
