"""Alert data on SQLite and PostgreSQL: deleting one's data deletes the consent and the alert history
(placement service and gateway erasure), and the retention job removes what is past its period."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.store import Store
from placement.alerts import matcher
from placement.alerts.models import Alert, AlertSubscription
from placement.db import session_scope
from placement.models import Conversation
from placement.services.support import delete_user_data
from staff import retention
from tests import alerts_support as sup

DAY = dt.datetime(2026, 12, 3, 9, 0)


@pytest.fixture()
def clean(engine):
    with session_scope(engine) as session:
        sup.clear(session)


def _conversation(session, conversation_id: str, at: dt.datetime = DAY) -> None:
    session.add(Conversation(id=conversation_id, channel="telegram", channel_address="42", handoff_state="none",
                             created_at=at, last_message_at=at))


def _state(engine) -> tuple[set[str], int]:
    with session_scope(engine) as session:
        subs = set(session.scalars(select(AlertSubscription.conversation_id)))
        return subs, len(session.scalars(select(Alert.id)).all())


def _two_people(engine, mine: str, other: str) -> None:
    with session_scope(engine) as session:
        for conversation_id in (mine, other):
            _conversation(session, conversation_id)
            sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, conversation=conversation_id)
        sup.vacancy(session, "magazijnmedewerker", sup.ZWOLLE)
        matcher.process_events(session, now=DAY)


def test_deleting_my_data_deletes_my_alert_consent_and_history(engine, clean):
    _two_people(engine, "tg-privacy-mine", "tg-privacy-other")
    assert _state(engine) == ({"tg-privacy-mine", "tg-privacy-other"}, 2)
    with session_scope(engine) as session:
        delete_user_data(session, "tg-privacy-mine")
    assert _state(engine) == ({"tg-privacy-other"}, 1)


def test_the_gateways_erasure_deletes_them_too(engine, clean):
    _two_people(engine, "tg-erase-mine", "tg-erase-other")
    assert Store(engine, None).delete_conversation("tg-erase-mine")
    assert _state(engine) == ({"tg-erase-other"}, 1)


def test_an_employer_alert_about_a_deleted_candidate_goes_with_the_candidate(engine, clean):
    with session_scope(engine) as session:
        vac = sup.vacancy(session, "magazijnmedewerker", sup.ZWOLLE, publish=False)
        sup.employer_subscription(session, vac, conversation="tg-employer-x")
        cand = sup.candidate(session, "magazijnmedewerker", sup.KAMPEN)
        cand.channel_key = "tg-candidate-x"
        matcher.process_events(session, now=DAY)
    assert _state(engine)[1] == 1
    with session_scope(engine) as session:
        delete_user_data(session, "tg-candidate-x")
    assert _state(engine) == ({"tg-employer-x"}, 0)


def test_retention_removes_stopped_consent_and_old_alerts_but_keeps_what_waits(engine, clean):
    later = DAY + dt.timedelta(days=100)
    with session_scope(engine) as session:
        for conversation_id in ("tg-ret-active", "tg-ret-stopped", "tg-ret-waiting"):
            _conversation(session, conversation_id, at=later)  # recent chats: the conversations stay
        active = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, conversation="tg-ret-active")
        stopped = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, conversation="tg-ret-stopped")
        sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, conversation="tg-ret-waiting", channel="web")
        _conversation(session, "tg-ret-old", at=DAY)  # no message for 100 days: the conversation goes
        sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, conversation="tg-ret-old")
        sup.vacancy(session, "magazijnmedewerker", sup.ZWOLLE)
        matcher.process_events(session, now=DAY)
        for alert in session.scalars(select(Alert).join(AlertSubscription)
                                     .where(AlertSubscription.conversation_id != "tg-ret-waiting")):
            alert.status, alert.created_at = "verzonden", DAY
        stopped.status, stopped.stopped_at = "gestopt", DAY + dt.timedelta(days=1)
        active_id = active.id
    result = retention.run(engine, None, retention.Periods(), now=later)
    assert result.alerts >= 3
    subs, alerts = _state(engine)
    assert subs == {"tg-ret-active", "tg-ret-waiting"} and alerts == 1  # the web user's alert still waits
    with session_scope(engine) as session:
        assert session.get(AlertSubscription, active_id).status == "actief"
