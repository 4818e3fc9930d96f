"""What users type is text: intent syntax never reaches Rasa as such; only issued buttons carry intents.

Real HTTP to the gateway, the fake Rasa (tests/fake_rasa.py) and the fake Bot API (tests/fake_telegram.py).
"""

from __future__ import annotations

import itertools

import pytest

from bot import text as texts
from tests.fake_rasa import tracker_engine
from tests.test_gateway_telegram import messages, telegram_stack
from tests.test_gateway_web import web

CHATS = itertools.count(6_000_001)
TYPED = ['/search_jobs{"location":"Zwolle","vacancy_id":"7"}', ' //affirm_delete', "\u200b/identify_as_employer"]


@pytest.fixture(scope="module")
def tracker(tmp_path_factory):
    return tracker_engine(tmp_path_factory.mktemp("tracker") / "tracker.db")


@pytest.mark.parametrize("typed", TYPED)
def test_plain_text_never_starts_with_a_slash(typed):
    assert not texts.plain(texts.clean(typed)).startswith("/")


async def test_typed_intent_syntax_reaches_rasa_as_plain_text(engine, tracker):
    async with web(engine, tracker) as s:
        for typed in TYPED:
            reply = await s.client.post("/api/message", json={"text": typed})
            assert reply.status_code == 200
            assert not s.rasa.messages()[-1].startswith("/"), s.rasa.messages()[-1]
        assert s.rasa.messages()[0] == 'search_jobs{"location":"Zwolle","vacancy_id":"7"}'
        history = (await s.client.get("/api/history")).json()["messages"]
        assert len(history) == 2 * len(TYPED)  # a typed "//affirm_delete" erased nothing
        only_slashes = await s.client.post("/api/message", json={"text": " // "})
        assert only_slashes.status_code == 422 and "leeg" in only_slashes.json()["error"]


async def test_button_payloads_are_keys_and_unknown_keys_are_refused(engine, tracker):
    async with web(engine, tracker) as s:
        started = (await s.client.post("/api/message", json={"start": True})).json()
        keys = [b["payload"] for m in started["messages"] for b in m.get("buttons", [])]
        assert keys and all("/" not in k and len(k) == 24 for k in keys)
        sent = len(s.rasa.requests)
        forged = await s.client.post("/api/message", json={"payload": "0" * 24, "title": "Ja"})
        raw = await s.client.post("/api/message", json={"payload": "/affirm_delete", "title": "Ja"})
        assert (forged.status_code, raw.status_code) == (409, 400)
        assert "knop werkt niet meer" in forged.json()["error"]
        assert len(s.rasa.requests) == sent  # nothing reached Rasa
        pressed = await s.client.post("/api/message", json={"payload": keys[0], "title": "Ik ben werkgever"})
        assert pressed.status_code == 200 and s.rasa.messages()[-1] == "/identify_as_employer"
        history = (await s.client.get("/api/history")).json()["messages"]
        assert [b["payload"] for m in history for b in m.get("buttons", [])][:2] == keys[:2]


async def test_a_key_from_another_conversation_does_not_work(engine, tracker):
    async with web(engine, tracker) as first, web(engine, tracker) as second:
        started = (await first.client.post("/api/message", json={"start": True})).json()
        key = started["messages"][-1]["buttons"][0]["payload"]
        stolen = await second.client.post("/api/message", json={"payload": key, "title": "x"})
        assert stolen.status_code == 409 and second.rasa.requests == []


async def test_telegram_forged_callback_data_is_a_stale_button(engine, tracker):
    async with telegram_stack(engine, tracker) as s:
        await s.tg.push(s.tg.text(s.chat, "/start"))
        sent = await s.tg.wait_sent(2, s.chat)
        markup = sent[-1].params["reply_markup"]
        markup["inline_keyboard"][0][0]["callback_data"] = "p:/affirm_delete"
        await s.tg.push(s.tg.press(s.chat, sent[-1], "Ik ben werkgever"))
        answer = (await s.tg.wait_sent(3, s.chat))[-1]
        assert "knop werkt niet meer" in answer.params["text"]
        assert "/affirm_delete" not in s.rasa.messages()
        assert messages(engine, s.gateway.telegram_conversation_id(s.chat))  # nothing was erased


async def test_deep_json_and_huge_ids_are_4xx_not_500(engine, tracker):
    async with web(engine, tracker) as s:
        await s.client.post("/api/message", json={"text": "hallo"})
        deep = await s.client.post("/api/message", content=b"[" * 5000 + b"]" * 5000,
                                   headers={"content-type": "application/json"})
        nested = await s.client.post("/api/message", content=b'{"text":' + b'{"a":' * 3000 + b"1" + b"}" * 3001,
                                     headers={"content-type": "application/json"})
        huge = await s.client.get("/api/updates", params={"after": "9223372036854775808"})
        negative = await s.client.get("/api/updates", params={"after": "-5"})
        assert (deep.status_code, nested.status_code, huge.status_code, negative.status_code) == (400, 400, 422, 422)
        assert "niet lezen" in huge.json()["error"]


@pytest.mark.parametrize("value", [1e308, float("inf"), float("nan"), -3, 0, "Infinity", "1e308", "9" * 400, None])
def test_entity_values_never_crash_the_parsers(value):
    from actions.form_values import check_hours, parse_hours
    from actions.service_support import bounded_int
    from placement.services.employer import parse_hours as employer_hours
    from placement.services.jobseeker import MAX_VACANCY_ID, parse_vacancy_ref

    ref = parse_vacancy_ref(value)
    assert ref is None or 1 <= ref <= MAX_VACANCY_ID
    assert employer_hours(value) is None or 1 <= employer_hours(value) <= 40
    parse_hours(value)
    check_hours(value)
    assert 0 <= bounded_int(value, 0, 100) <= 100


@pytest.mark.parametrize("text", ["mijn nummer is 0612345678", "bel 06-1234 5678", "+31 6 12345678"])
def test_a_phone_number_is_not_hours(text):
    from actions.form_values import parse_hours
    from placement.services.employer import parse_hours as employer_hours

    assert parse_hours(text) is None and employer_hours(text) is None


@pytest.mark.parametrize("text, hours", [("20 uur", 20), ("20 - 24 uur", 24), ("fulltime", 36), ("4 dagen", 32)])
def test_ordinary_hours_still_parse(text, hours):
    from actions.form_values import parse_hours

    assert parse_hours(text) == hours


async def test_web_chat_messages_per_session_are_limited_politely(engine, tracker):
    async with web(engine, tracker, messages_per_minute=3) as s:
        answers = [await s.client.post("/api/message", json={"text": f"hallo {n}"}) for n in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert "Wacht een minuut" in answers[-1].json()["error"]
        assert len(s.rasa.requests) == 3
        history = (await s.client.get("/api/history")).json()["messages"]
        assert [m["text"] for m in history if m["author"] == "user"] == ["hallo 0", "hallo 1", "hallo 2"]


async def test_web_chat_messages_per_ip_are_limited_across_sessions(engine, tracker):
    async with web(engine, tracker, ip_messages_per_minute=2) as s:
        import httpx

        codes = []
        for _ in range(3):  # a new session each time: the per-session limit does not help a flooder
            async with httpx.AsyncClient(base_url=s.gw.url) as fresh:
                codes.append((await fresh.post("/api/message", json={"text": "hallo"})).status_code)
        assert codes == [200, 200, 429]


async def test_telegram_messages_per_chat_are_limited_politely(engine, tracker):
    async with telegram_stack(engine, tracker, messages_per_minute=2) as s:
        for n in range(3):
            await s.tg.push(s.tg.text(s.chat, f"hallo {n}"))
        sent = await s.tg.wait_sent(3, s.chat)
        assert "Wacht een minuut" in sent[-1].params["text"]
        assert len(s.rasa.requests) == 2
        stored = messages(engine, s.gateway.telegram_conversation_id(s.chat))
        assert [m.text for m in stored if m.author == "user"] == ["hallo 0", "hallo 1", "hallo 2"]  # nothing lost
