"""The Done-when of issue 16 on the real stack (launcher, gateway, Rasa, action server) with the fake
Telegram Bot API: a Telegram user who opted in gets ONE push when a fitting vacancy is published, reacts
with one button ("Reageer": the alert is opened) and stops the alerts with one button ("Stop berichten")."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from placement.alerts import consent
from placement.alerts.events import emit_vacancy_published
from placement.alerts.models import Alert, AlertSubscription
from placement.db import make_engine, session_scope
from placement.models import Employer, Vacancy
from placement.occupation_normaliser import esco_fields

CHAT_ID = 8_160_001
ZWOLLE, KAMPEN = "GM0193", "GM0166"


def run(loop, coroutine, timeout: float = 90):
    return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout)


def eventually(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.3)
    return value


def publish(engine) -> int:
    """What the staff publish route does: status open and the outbox event, in one transaction."""
    esco = esco_fields("magazijnmedewerker")
    with session_scope(engine) as session:
        employer = Employer(name="Alertbedrijf Kampen", gemeente_code=KAMPEN)
        session.add(employer)
        session.flush()
        vacancy = Vacancy(employer_id=employer.id, title="Magazijnmedewerker nachtploeg", esco_uri=esco["esco_uri"],
                          isco_code=esco["isco_code"], hours_min=24, hours_max=32, gemeente_code=KAMPEN,
                          status="open", skills="", description="")
        session.add(vacancy)
        session.flush()
        emit_vacancy_published(session, vacancy.id)
        return vacancy.id


def test_opted_in_telegram_user_gets_one_push_reacts_and_stops(stack, fake_bot_api):
    fake, loop = fake_bot_api

    def pushes():
        return [c for c in fake.sent(CHAT_ID) if "Er is nieuw werk" in c.params.get("text", "")]

    engine = make_engine(stack.settings.database_url)
    run(loop, fake.push(fake.text(CHAT_ID, "hallo")))
    run(loop, fake.wait_sent(1, CHAT_ID, timeout=90))
    with session_scope(engine) as session:  # the conversation the gateway made for this chat
        from placement.models import Conversation

        conversation_id = session.scalar(select(Conversation.id).where(Conversation.channel_address == str(CHAT_ID)))
        esco = esco_fields("magazijnmedewerker")
        sub_id = consent.subscribe(session, conversation_id=conversation_id, channel="telegram", kind="werkzoekende",
                                   job_title="magazijnmedewerker", esco_uri=esco["esco_uri"],
                                   isco_code=esco["isco_code"], gemeente_code=ZWOLLE, hours=24).id
    vacancy_id = publish(engine)
    run(loop, fake.wait_for(lambda calls: pushes(), timeout=60))
    [push] = pushes()
    assert "Magazijnmedewerker nachtploeg in Kampen" in push.params["text"]
    titles = [b["text"] for row in push.params["reply_markup"]["inline_keyboard"] for b in row]
    assert titles == ["Reageer", "Niet voor mij", "Stop berichten"]
    time.sleep(3)  # three more rounds of the alert job: still one push
    assert len(pushes()) == 1

    def alert():
        with session_scope(engine) as session:
            return session.scalar(select(Alert).where(Alert.subscription_id == sub_id))

    assert alert().vacancy_id == vacancy_id
    before = len(fake.sent(CHAT_ID))
    run(loop, fake.push(fake.press(CHAT_ID, push, "Reageer")))
    eventually(lambda: alert().opened_at is not None)
    answered = len(run(loop, fake.wait_sent(before + 1, CHAT_ID, timeout=60)))
    run(loop, fake.push(fake.press(CHAT_ID, push, "Stop berichten")))

    def stopped():
        with session_scope(engine) as session:
            return session.get(AlertSubscription, sub_id).status == "gestopt"

    eventually(stopped)
    eventually(lambda: len(fake.sent(CHAT_ID)) > answered)  # the assistant confirms it
    engine.dispose()
