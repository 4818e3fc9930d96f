"""The web chat API over real HTTP: sessions, turns, bad input, faults, handoff, data deletion."""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import select

from bot import text as texts
from bot.models import ChatMessage
from bot.outbox import DeliveryError, deliver
from bot.webchat import COOKIE
from placement.db import session_scope
from placement.models import Conversation
from tests.fake_rasa import (
    FakeRasa,
    add_tracker_events,
    gateway_settings,
    listening_socket,
    running_gateway,
    serve,
    tracker_engine,
    tracker_event_count,
)


@pytest.fixture(scope="module")
def tracker(tmp_path_factory):
    return tracker_engine(tmp_path_factory.mktemp("tracker") / "tracker.db")


@asynccontextmanager
async def web(engine, tracker, rasa: FakeRasa | None = None, rasa_url: str | None = None, **overrides):
    rasa = rasa or FakeRasa()
    async with serve(rasa.app) as fake_url:
        async with running_gateway(gateway_settings(rasa_url or fake_url, **overrides), engine, tracker) as gw:
            async with httpx.AsyncClient(base_url=gw.url, timeout=15) as client:
                await client.get("/")  # a first visit: the server issues the session cookie
                yield SimpleNamespace(client=client, rasa=rasa, gw=gw, gateway=gw.gateway)


def conversation_id(client: httpx.AsyncClient | httpx.Response, gateway) -> str:
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(gateway.secret, salt="werkpunt-webchat").loads(client.cookies[COOKIE])


def stored(engine, conversation: str) -> list[ChatMessage]:
    with session_scope(engine) as session:
        return list(session.scalars(select(ChatMessage).where(ChatMessage.conversation_id == conversation)
                                    .order_by(ChatMessage.id)))


async def test_page_is_dutch_and_sets_a_safe_session_cookie(engine, tracker):
    async with web(engine, tracker) as s:
        async with httpx.AsyncClient(base_url=s.gw.url) as fresh:
            page = await fresh.get("/")
        assert page.status_code == 200 and '<html lang="nl">' in page.text
        cookie = page.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        assert "script-src 'self'" in page.headers["content-security-policy"]
        static = await s.client.get("/static/chat.js")
        assert static.status_code == 200


async def test_text_turn_and_history(engine, tracker):
    async with web(engine, tracker) as s:
        started = (await s.client.post("/api/message", json={"start": True})).json()
        assert started["messages"][-1]["buttons"][0]["title"] == "Ik ben werkgever"
        reply = (await s.client.post("/api/message", json={"text": "Ik zoek werk"})).json()
        assert [m["text"] for m in reply["messages"]] == ["Ik zoek werk", "U zei: Ik zoek werk"]
        key = started["messages"][-1]["buttons"][0]["payload"]  # a key: the payload stays on the server
        assert "/" not in key
        pressed = (await s.client.post("/api/message", json={"payload": key, "title": "Ik ben werkgever"})).json()
        assert pressed["messages"][0]["text"] == "Ik ben werkgever"
        me = conversation_id(s.client, s.gateway)
        assert s.rasa.requests[-1] == {"sender": me, "message": "/identify_as_employer", "metadata": {"channel": "web"}}
        history = (await s.client.get("/api/history")).json()["messages"]
        assert [m["author"] for m in history] == ["user", "bot", "bot", "user", "bot", "user", "bot"]


async def test_client_cannot_choose_its_session(engine, tracker):
    async with web(engine, tracker) as s:
        async with httpx.AsyncClient(base_url=s.gw.url, cookies={COOKIE: "web-ikkiesmijnid"}) as forger:
            response = await forger.post("/api/message", json={"text": "hallo"})
            chosen = conversation_id(response, s.gateway)  # the server issued its own id
        assert chosen != "web-ikkiesmijnid" and len(chosen) > 30
        with session_scope(engine) as session:
            assert session.get(Conversation, "web-ikkiesmijnid") is None


BAD_BODIES = [
    ({"text": "x" * 10_000}, 422, "te lang"),
    ({"text": "   \n\t "}, 422, "leeg"),
    ({"text": "\x00\x01\x1b"}, 422, "leeg"),
    ({"text": 12}, 422, "leeg"),
    ({}, 422, "leeg"),
    ([1, 2], 400, "niet lezen"),
    ({"payload": "geen-slash"}, 400, "niet lezen"),
    ({"payload": "/" + "x" * 5000}, 400, "niet lezen"),
]


async def test_bad_input_gets_a_clear_dutch_answer(engine, tracker):
    async with web(engine, tracker) as s:
        for body, status, message in BAD_BODIES:
            response = await s.client.post("/api/message", json=body)
            assert (response.status_code, message in response.json()["error"]) == (status, True), body
        assert s.rasa.requests == []


async def test_oversized_and_malformed_requests_never_500(engine, tracker):
    async with web(engine, tracker) as s:
        json_type = {"content-type": "application/json"}
        huge = await s.client.post("/api/message", content=b'{"text": "' + b"a" * 1_000_000 + b'"}', headers=json_type)
        assert huge.status_code == 413 and "te groot" in huge.json()["error"]
        broken = await s.client.post("/api/message", content=b'{"text": ', headers=json_type)
        form = await s.client.post("/api/message", data={"text": "hallo"})
        bad_query = await s.client.get("/api/updates", params={"after": "abc"})
        assert (broken.status_code, form.status_code, bad_query.status_code) == (400, 415, 422)
        assert (await s.client.get("/bestaat-niet")).status_code == 404


async def test_control_characters_and_odd_unicode_are_cleaned_and_stored(engine, tracker):
    async with web(engine, tracker) as s:
        raw = b'{"text": "Hallo\\u0000 \\u202ewereld\\u202c \\ud800 \\ud83d\\udc69\\u200d\\ud83d\\udd27 e\\u0301 \\r\\n  tot  ziens"}'
        response = await s.client.post("/api/message", content=raw, headers={"content-type": "application/json"})
        assert response.status_code == 200
        text = response.json()["messages"][0]["text"]
        assert text == "Hallo wereld ? \U0001f469\u200d\U0001f527 \u00e9\ntot ziens"
        assert stored(engine, conversation_id(s.client, s.gateway))[0].text == text  # also on PostgreSQL


async def test_rasa_stopped_gives_fallback_quickly_keeps_the_message_and_recovers(engine, tracker):
    sock = listening_socket()
    port = sock.getsockname()[1]
    rasa = FakeRasa()
    async with running_gateway(gateway_settings(f"http://127.0.0.1:{port}"), engine, tracker) as gw:
        async with httpx.AsyncClient(base_url=gw.url, timeout=15) as client:
            async with serve(rasa.app, sock):
                assert not (await client.post("/api/message", json={"text": "hallo"})).json()["failed"]
            # Rasa is stopped now (the gateway still holds a pooled connection to it).
            started = time.monotonic()
            reply = (await client.post("/api/message", json={"text": "Ik zoek werk als kok"})).json()
            assert time.monotonic() - started < 3
            assert reply["failed"] and reply["messages"][-1]["text"] == texts.fallback(gw.gateway.settings)
            assert reply["messages"][-1]["author"] == "system"
            user = stored(engine, conversation_id(client, gw.gateway))[-2]
            assert (user.text, user.status) == ("Ik zoek werk als kok", "failed")  # staff can see and follow up
            async with serve(rasa.app, listening_socket(port)):  # Rasa is back
                assert (await client.post("/api/message", json={"text": "weer daar?"})).json()["messages"][-1]["text"] \
                    == "U zei: weer daar?"


async def test_rasa_slow_gives_fallback_after_the_short_timeout(engine, tracker):
    rasa = FakeRasa()
    rasa.gate = asyncio.Event()  # never opened: Rasa hangs
    async with web(engine, tracker, rasa, rasa_timeout=1.0) as s:
        started = time.monotonic()
        reply = (await s.client.post("/api/message", json={"text": "hallo"})).json()
        assert 0.9 < time.monotonic() - started < 3
        assert reply["failed"] and "Er gaat even iets mis" in reply["messages"][-1]["text"]
        rasa.gate.set()


async def test_empty_rasa_answer_is_not_an_outage(engine, tracker):
    async with web(engine, tracker, FakeRasa(lambda message: [])) as s:
        reply = (await s.client.post("/api/message", json={"text": "/back"})).json()
        assert not reply["failed"] and reply["messages"][-1]["text"] == texts.NO_ANSWER
        assert [m.status for m in stored(engine, conversation_id(s.client, s.gateway))] == ["ok", "ok"]


async def test_handoff_active_stays_silent_and_staff_reply_reaches_the_poller(engine, tracker):
    async with web(engine, tracker) as s:
        await s.client.post("/api/message", json={"text": "hallo"})
        me = conversation_id(s.client, s.gateway)
        s.gateway.store.set_handoff(me, "requested")
        assert (await s.client.post("/api/message", json={"text": "nog steeds"})).json()["messages"][-1]["author"] == "bot"
        s.gateway.store.set_handoff(me, "active")
        silent = (await s.client.post("/api/message", json={"text": "Ik wil een mens"})).json()
        assert silent["silent"] and [m["text"] for m in silent["messages"]] == ["Ik wil een mens"]
        assert s.rasa.messages() == ["hallo", "nog steeds"]
        last = silent["messages"][0]["id"]
        poll = asyncio.create_task(s.client.get("/api/updates", params={"after": last}))
        await deliver(me, "Goedemiddag, u spreekt met Sanne.")
        update = (await poll).json()
        assert [(m["author"], m["text"]) for m in update["messages"]] == [("system", "Goedemiddag, u spreekt met Sanne.")]
        assert update["handoff"] == "active"


async def test_deliver_errors(engine, tracker):
    async with web(engine, tracker) as s:
        with pytest.raises(LookupError):
            await deliver("web-bestaat-niet", "hallo")
        s.gateway.store.add_user_message("tg-zonder-bot", "telegram", "42", "hallo")
        with pytest.raises(DeliveryError):  # Telegram is off in this gateway; the message stays stored
            await deliver("tg-zonder-bot", "hallo")
        assert stored(engine, "tg-zonder-bot")[-1].status == "failed"


async def test_data_deletion_erases_everything_and_starts_a_new_session(engine, tracker):
    async with web(engine, tracker) as s:
        await s.client.post("/api/message", json={"text": "hallo"})
        me = conversation_id(s.client, s.gateway)
        add_tracker_events(tracker, me)
        asked = (await s.client.post("/api/message", json={"text": "verwijder mijn gegevens"})).json()
        key = asked["messages"][-1]["buttons"][0]["payload"]
        reply = (await s.client.post("/api/message", json={"payload": key, "title": "Ja"})).json()
        assert reply["reset"] and [m["text"] for m in reply["messages"]] == ["Uw gegevens zijn gewist."]
        assert stored(engine, me) == [] and tracker_event_count(tracker, me) == 0
        with session_scope(engine) as session:
            assert session.get(Conversation, me) is None
        assert conversation_id(s.client, s.gateway) != me
        assert (await s.client.get("/api/history")).json()["messages"] == []


async def test_restart_begins_a_new_conversation(engine, tracker):
    async with web(engine, tracker) as s:
        await s.client.post("/api/message", json={"text": "hallo"})
        me = conversation_id(s.client, s.gateway)
        assert (await s.client.post("/api/restart", json={})).status_code == 200
        assert conversation_id(s.client, s.gateway) != me
        assert s.rasa.messages()[-1] == "/restart"
        assert (await s.client.get("/api/history")).json()["messages"] == []


async def test_message_text_never_reaches_the_log_at_info(engine, tracker, caplog):
    secret_words = "Mijn-geheime-zin-7781"
    caplog.set_level(logging.INFO)
    async with web(engine, tracker) as s:
        await s.client.post("/api/message", json={"text": secret_words})
        asked = (await s.client.post("/api/message", json={"text": "verwijder mijn gegevens"})).json()
        key = asked["messages"][-1]["buttons"][0]["payload"]  # the issued key of "/affirm_delete"
        erased = await s.client.post("/api/message", json={"payload": key, "title": secret_words})
        assert erased.json()["reset"]
    async with web(engine, tracker, rasa_url="http://127.0.0.1:9") as s:
        await s.client.post("/api/message", json={"text": secret_words})  # the failure path logs too
    assert caplog.records and secret_words not in caplog.text
