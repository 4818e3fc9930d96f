"""Match alerts pushed to Telegram by the gateway's alert job, against the fake Bot API over real HTTP
(SQLite and PostgreSQL): one push per fitting vacancy with the three buttons, quiet hours, the daily
digest as one message, Telegram's per-chat rate limit, and a blocked bot pausing the alerts.

The conversation is a real one (created by a message through the gateway); the vacancy is published
by an accountmanager through the staff workspace over HTTP. The alert job's clock is set by the test,
so quiet hours are crossed without waiting for 08:00.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
from sqlalchemy import select

from bot.models import ChatMessage, TelegramDelivery
from placement.alerts import consent
from placement.alerts.models import Alert, AlertSubscription
from placement.db import session_scope
from placement.matching.area import region_code_of
from placement.occupation_normaliser import esco_fields
from tests import alerts_support as sup
from tests.fake_rasa import tracker_engine
from tests.staff_support import csrf_of, login, make_staff, workspace
from tests.test_gateway_telegram import telegram_stack
from tests.test_telegram_delivery import BLOCKED, until
from werkpunt.net import free_port

DAY = dt.datetime(2026, 12, 3, 9, 0)  # 10:00 in Amsterdam
NIGHT = dt.datetime(2026, 12, 3, 21, 0)  # 22:00 in Amsterdam
MORNING = dt.datetime(2026, 12, 4, 7, 0)  # 08:00 in Amsterdam


@pytest.fixture(scope="module")
def tracker(tmp_path_factory):
    return tracker_engine(tmp_path_factory.mktemp("tracker") / "tracker.db")


@pytest.fixture()
def clean(engine):
    with session_scope(engine) as session:
        sup.clear(session)


async def opted_in(s, clock, title: str = "magazijnmedewerker", **subscription) -> tuple[str, int]:
    """A Telegram user talks to the gateway once, then has an alert subscription; returns its ids."""
    s.gw.app.state.alert_job.clock = lambda: clock[0]
    await s.tg.push(s.tg.text(s.chat, "hallo"))
    await s.tg.wait_sent(1, s.chat)
    conversation_id = s.gateway.telegram_conversation_id(s.chat)
    esco = esco_fields(title)
    with session_scope(s.engine) as session:  # what the opt-in action stores (actions/alerts.py)
        sub = consent.subscribe(session, conversation_id=conversation_id, channel="telegram", kind="werkzoekende",
                                job_title=title, esco_uri=esco["esco_uri"], isco_code=esco["isco_code"],
                                gemeente_code=sup.ZWOLLE, hours=24, **subscription)
        return conversation_id, sub.id


def publish_by_staff(engine, tracker, vacancy_id: int) -> None:
    """An accountmanager of the vacancy's region presses "Publiceren" in the staff workspace."""
    email = "alerts.accountmanager@werkpunt.example"
    make_staff(engine, email, "accountmanager", regions=(region_code_of(sup.ZWOLLE),))
    with workspace(engine, tracker, free_port()) as (served, _app):
        client, answer = login(served.url, email)
        assert answer.status_code == 303
        token = csrf_of(client.get("/staff/vacancies").text)
        answer = client.post(f"/staff/vacancies/{vacancy_id}/publish", data={"csrf_token": token})
        assert answer.status_code == 303, answer.text


def concept(engine, title: str = "magazijnmedewerker", place: str = sup.KAMPEN) -> int:
    with session_scope(engine) as session:
        return sup.vacancy(session, title, place, status="concept", publish=False).id


def published(engine, count: int = 1, place: str = sup.KAMPEN) -> list[int]:
    with session_scope(engine) as session:
        return [sup.vacancy(session, "magazijnmedewerker", place).id for _ in range(count)]


def titles(call) -> list[str]:
    return [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]


def alert_rows(engine, sub_id: int) -> list[tuple[str, dt.datetime]]:
    with session_scope(engine) as session:
        return [tuple(r) for r in session.execute(select(Alert.status, Alert.due_at)
                                                  .where(Alert.subscription_id == sub_id).order_by(Alert.id))]


async def test_an_opted_in_user_gets_one_push_with_three_buttons(engine, tracker, clean):
    async with telegram_stack(engine, tracker, alert_interval_s=0.2) as s:
        s.engine = engine
        conversation_id, sub_id = await opted_in(s, [DAY])
        vacancy_id = concept(engine)
        await asyncio.to_thread(publish_by_staff, engine, tracker, vacancy_id)
        push = (await s.tg.wait_sent(2, s.chat))[1]
        assert "Er is nieuw werk dat bij u past" in push.params["text"]
        assert f"Magazijnmedewerker in Kampen" in push.params["text"] and "zelfde beroep" in push.params["text"]
        assert titles(push) == ["Reageer", "Niet voor mij", "Stop berichten"]
        with session_scope(engine) as session:
            alert = session.scalar(select(Alert).where(Alert.subscription_id == sub_id))
            assert (alert.vacancy_id, alert.status) == (vacancy_id, "verzonden")
            stored = session.scalars(select(ChatMessage).where(ChatMessage.conversation_id == conversation_id)
                                     .order_by(ChatMessage.id)).all()[-1]
        payloads = [b["payload"] for b in json.loads(stored.buttons)]  # stored: the gateway's button check
        assert payloads == [f'/alert_react{{"alert_id":"{alert.id}"}}',
                            f'/alert_not_for_me{{"alert_id":"{alert.id}"}}', "/alert_stop"]
        await asyncio.sleep(1.0)  # five more rounds of the job: still one push
        assert len(s.tg.sent(s.chat)) == 2
        await s.tg.push(s.tg.press(s.chat, push, "Stop berichten"))  # the press reaches Rasa as the payload
        await s.tg.wait_sent(3, s.chat)
        assert s.rasa.messages()[-1] == "/alert_stop"


async def test_a_vacancy_published_at_night_is_pushed_at_eight(engine, tracker, clean):
    async with telegram_stack(engine, tracker, alert_interval_s=0.2) as s:
        s.engine = engine
        clock = [NIGHT]
        _conversation_id, sub_id = await opted_in(s, clock)
        published(engine)
        await until(lambda: alert_rows(engine, sub_id) == [("wachtend", MORNING)])
        clock[0] = MORNING - dt.timedelta(minutes=1)  # 07:59: still quiet
        await asyncio.sleep(1.0)
        assert len(s.tg.sent(s.chat)) == 1 and alert_rows(engine, sub_id)[0][0] == "wachtend"
        clock[0] = MORNING
        await s.tg.wait_sent(2, s.chat)
        assert alert_rows(engine, sub_id)[0][0] == "verzonden"


async def test_a_daily_digest_is_one_message(engine, tracker, clean):
    async with telegram_stack(engine, tracker, alert_interval_s=0.2) as s:
        s.engine = engine
        clock = [DAY]
        _conversation_id, sub_id = await opted_in(s, clock, frequency="dagelijks")
        published(engine, 3)
        await until(lambda: len(alert_rows(engine, sub_id)) == 3)
        await asyncio.sleep(0.6)
        assert len(s.tg.sent(s.chat)) == 1  # 10:00: the digest waits for tomorrow morning
        clock[0] = MORNING
        digest = (await s.tg.wait_sent(2, s.chat))[1]
        assert digest.params["text"].count("Magazijnmedewerker in Kampen") == 3
        assert titles(digest)[-1] == "Stop berichten" and len(titles(digest)) == 7
        await asyncio.sleep(1.0)
        assert len(s.tg.sent(s.chat)) == 2 and {r[0] for r in alert_rows(engine, sub_id)} == {"verzonden"}


async def test_alerts_to_one_chat_keep_the_rate_limit(engine, tracker, clean):
    async with telegram_stack(engine, tracker, alert_interval_s=0.2) as s:
        s.engine = engine
        _conversation_id, _sub_id = await opted_in(s, [DAY])
        published(engine, 5)
        sent = (await s.tg.wait_sent(6, s.chat, timeout=20))[1:]
        # the per-chat limiter allows a burst of three, then about one a second (bot/telegram_limits.py)
        assert sent[4].at - sent[0].at >= 1.5
        assert min(b.at - a.at for a, b in zip(sent[2:], sent[3:])) >= 0.7


async def test_a_blocked_bot_pauses_the_alerts(engine, tracker, clean):
    async with telegram_stack(engine, tracker, alert_interval_s=0.2) as s:
        s.engine = engine
        conversation_id, sub_id = await opted_in(s, [DAY])
        s.tg.fail("sendMessage", BLOCKED)
        published(engine)

        def paused():
            with session_scope(engine) as session:
                sub = session.get(AlertSubscription, sub_id)
                return (sub.status, sub.paused_reason) == ("gepauzeerd", "telegram_geblokkeerd")

        await until(paused)
        assert alert_rows(engine, sub_id)[0][0] == "mislukt"
        with session_scope(engine) as session:
            last = session.scalars(select(ChatMessage).where(ChatMessage.conversation_id == conversation_id)
                                   .order_by(ChatMessage.id.desc())).first()
            delivery = session.get(TelegramDelivery, last.id)
            assert last.status == "failed" and delivery.state == "failed"  # on staff's Bezorging page
        published(engine)  # paused: no further pushes
        await asyncio.sleep(1.0)
        assert len([c for c in s.tg.calls if c.method == "sendMessage" and int(c.params["chat_id"]) == s.chat]) == 2
