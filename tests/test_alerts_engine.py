"""The alert engine on SQLite and PostgreSQL: outbox → matcher → alert rows (issue 16).

Fit, radius, never twice, closed vacancies, feedback that lowers similar matches, quiet hours and the
digest moment, and the texts (anonymous employer alerts, the contract's buttons).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from placement.alerts import matcher, quiet_hours
from placement.alerts.models import Alert, AlertEvent
from placement.alerts.texts import alert_message, digest_message
from placement.db import session_scope
from placement.matching import Target, search_vacancies
from tests import alerts_support as sup

# 10:00 in Amsterdam on a winter day (UTC+1), and 22:00 the same day
DAY = dt.datetime(2026, 12, 3, 9, 0)
NIGHT = dt.datetime(2026, 12, 3, 21, 0)


@pytest.fixture()
def session(engine):
    with session_scope(engine) as s:
        sup.clear(s)
    with session_scope(engine) as s:
        yield s


def alerts_of(session, sub) -> list[Alert]:
    return session.scalars(select(Alert).where(Alert.subscription_id == sub.id).order_by(Alert.id)).all()


def test_a_published_vacancy_alerts_the_fitting_subscribers_only(session):
    near = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, hours=24)
    related = sup.seeker(session, "vakkenvuller", sup.ZWOLLE, hours=24)  # 9334: same minor group as 9333
    other_work = sup.seeker(session, "kok", sup.ZWOLLE, hours=24)
    far_away = sup.seeker(session, "magazijnmedewerker", sup.GRONINGEN, hours=24)
    wrong_hours = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, hours=8)
    stopped = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE)
    stopped.status = "gestopt"
    vac = sup.vacancy(session, "magazijnmedewerker", sup.KAMPEN, 24, 32)
    created = matcher.process_events(session, now=DAY)
    assert created == 2
    [alert] = alerts_of(session, near)
    assert alert.pair_key == f"w:{near.conversation_id}:{vac.id}" and alert.status == "wachtend"
    assert alert.due_at == DAY and alert.reason.startswith("Zelfde beroep, 13 km van Zwolle")
    assert alerts_of(session, related)[0].reason.startswith("Verwant beroep")
    for sub in (other_work, far_away, wrong_hours, stopped):
        assert alerts_of(session, sub) == []
    assert session.scalar(select(func.count()).select_from(AlertEvent)
                          .where(AlertEvent.processed_at.is_(None))) == 0


def test_the_reason_is_the_chat_searchs_reason(session):
    sub = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, hours=20)
    vac = sup.vacancy(session, "orderpicker", sup.DALFSEN, 24, 32)
    matcher.process_events(session, now=DAY)
    [alert] = alerts_of(session, sub)
    result = search_vacancies(session, None, sup.ZWOLLE, 20, page_size=200,
                              target=Target(sub.esco_uri, sub.isco_code, "magazijnmedewerker"))
    [shown] = [m for m in result.matches if m.vacancy_id == vac.id]
    assert alert.reason == shown.reason


def test_radius_is_the_subscribers(session):
    wide = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, radius=40)
    narrow = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, radius=10)
    sup.vacancy(session, "magazijnmedewerker", sup.DEVENTER)  # 29 km from Zwolle
    matcher.process_events(session, now=DAY)
    assert len(alerts_of(session, wide)) == 1 and alerts_of(session, narrow) == []


def test_a_pair_is_never_alerted_twice(session):
    sub = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE)
    vac = sup.vacancy(session, "magazijnmedewerker", sup.ZWOLLE)
    assert matcher.process_events(session, now=DAY) == 1
    from placement.alerts.events import emit_vacancy_published

    emit_vacancy_published(session, vac.id)  # published again (e.g. reopened), or a second worker
    emit_vacancy_published(session, vac.id)
    assert matcher.process_events(session, now=DAY) == 0
    assert len(alerts_of(session, sub)) == 1


def test_closed_vacancies_are_never_alerted_and_waiting_alerts_expire(session):
    sub = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE)
    closed = sup.vacancy(session, "magazijnmedewerker", sup.ZWOLLE, status="closed")
    assert matcher.process_events(session, now=DAY) == 0
    later = sup.vacancy(session, "magazijnmedewerker", sup.KAMPEN)
    matcher.process_events(session, now=DAY)
    [alert] = alerts_of(session, sub)
    assert alert.vacancy_id == later.id != closed.id
    later.status = "filled"
    session.flush()
    assert matcher.expire_closed(session) == 1  # as delivery does before it claims anything
    session.refresh(alert)
    assert alert.status == "verlopen"


def _reject(session, sub, feedback: str) -> None:
    for alert in alerts_of(session, sub):
        alert.status, alert.feedback = "niet_passend", feedback
    session.flush()


def test_feedback_other_work_lowers_the_same_isco_group(session):
    sub = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, hours=20)
    control = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, hours=20)
    sup.vacancy(session, "orderpicker", sup.KAMPEN, 24, 32)
    matcher.process_events(session, now=DAY)
    _reject(session, sub, "ander_werk")
    sup.vacancy(session, "magazijnmedewerker", sup.DALFSEN, 24, 32)  # same 9333 group again
    matcher.process_events(session, now=DAY)
    assert len(alerts_of(session, control)) == 2
    assert len(alerts_of(session, sub)) == 1  # the similar one is no longer worth an alert


def test_feedback_too_far_shrinks_the_radius(session):
    sub = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, radius=40)
    sup.vacancy(session, "magazijnmedewerker", sup.DEVENTER)  # 29 km
    matcher.process_events(session, now=DAY)
    _reject(session, sub, "te_ver")
    sup.vacancy(session, "magazijnmedewerker", sup.DEVENTER)  # as far: not again
    near = sup.vacancy(session, "magazijnmedewerker", sup.KAMPEN)  # 13 km: still
    matcher.process_events(session, now=DAY)
    assert [a.vacancy_id for a in alerts_of(session, sub)][1:] == [near.id]


def test_feedback_other_hours_penalises_an_hours_gap(session):
    sub = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, hours=20)
    control = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, hours=20)
    sup.vacancy(session, "magazijnmedewerker", sup.ZWOLLE, 24, 32)
    matcher.process_events(session, now=DAY)
    before = alerts_of(session, control)[0].score
    _reject(session, sub, "andere_uren")
    sup.vacancy(session, "magazijnmedewerker", sup.ZWOLLE, 24, 32)  # the same hours again
    fits = sup.vacancy(session, "magazijnmedewerker", sup.ZWOLLE, 16, 20)
    matcher.process_events(session, now=DAY)
    assert [a.vacancy_id for a in alerts_of(session, sub)][1:] == [fits.id]
    assert len(alerts_of(session, control)) == 3 and before > matcher.MIN_SCORE


def test_quiet_hours_move_telegram_alerts_to_eight_oclock_not_web(session):
    tg = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE)
    web = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, channel="web")
    daily = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, frequency="dagelijks")
    sup.vacancy(session, "magazijnmedewerker", sup.ZWOLLE)
    matcher.process_events(session, now=NIGHT)  # 22:00 in Amsterdam
    eight = dt.datetime(2026, 12, 4, 7, 0)  # 08:00 in Amsterdam
    assert alerts_of(session, tg)[0].due_at == eight
    assert alerts_of(session, daily)[0].due_at == eight
    assert alerts_of(session, web)[0].due_at == NIGHT  # nothing is pushed to the web chat: shown on return


def test_daily_alerts_in_the_day_wait_for_the_next_morning():
    assert quiet_hours.next_digest(DAY) == dt.datetime(2026, 12, 4, 7, 0)
    summer = dt.datetime(2026, 7, 1, 12, 0)
    assert quiet_hours.next_digest(summer) == dt.datetime(2026, 7, 2, 6, 0)  # 08:00 CEST
    assert quiet_hours.is_quiet(dt.datetime(2026, 7, 1, 19, 0))  # 21:00 CEST
    assert not quiet_hours.is_quiet(dt.datetime(2026, 7, 1, 18, 59))
    assert not quiet_hours.is_quiet(NIGHT, "0-0")


def test_a_registered_candidate_alerts_the_employer_anonymously(session):
    vac = sup.vacancy(session, "magazijnmedewerker", sup.ZWOLLE, publish=False)
    sub = sup.employer_subscription(session, vac)
    closed = sup.vacancy(session, "magazijnmedewerker", sup.ZWOLLE, status="closed", publish=False)
    sup.employer_subscription(session, closed)
    cand = sup.candidate(session, "orderpicker", sup.DALFSEN, hours=28, name="Anna de Vries")
    sup.candidate(session, "kok", sup.DALFSEN)
    assert matcher.process_events(session, now=DAY) == 1
    [alert] = alerts_of(session, sub)
    assert alert.pair_key == f"e:{vac.id}:{cand.id}" and alert.candidate_id == cand.id
    text, buttons = alert_message(session, alert)
    assert "binnen 20 km" in text and "28 uur" in text
    assert "Anna" not in text and "Vries" not in text and "Dalfsen" not in text
    assert [b["title"] for b in buttons] == ["Reageer", "Niet voor mij", "Stop berichten"]


def test_texts_carry_the_contracts_payloads_and_a_digest_is_one_message(session):
    sub = sup.seeker(session, "magazijnmedewerker", sup.ZWOLLE, frequency="dagelijks")
    for place in (sup.ZWOLLE, sup.KAMPEN, sup.DALFSEN):
        sup.vacancy(session, "magazijnmedewerker", place)
    matcher.process_events(session, now=DAY)
    alerts = alerts_of(session, sub)
    text, buttons = alert_message(session, alerts[0])
    assert "Magazijnmedewerker in Zwolle" in text and "Waarom dit bij u past: zelfde beroep" in text
    assert [b["payload"] for b in buttons] == [f'/alert_react{{"alert_id":"{alerts[0].id}"}}',
                                               f'/alert_not_for_me{{"alert_id":"{alerts[0].id}"}}', "/alert_stop"]
    text, buttons = digest_message(session, alerts)
    assert text.count("Magazijnmedewerker in") == 3 and "1. " in text and "3. " in text
    assert len(buttons) == 7 and buttons[-1]["payload"] == "/alert_stop"
    assert all(len(("p:" + b["payload"]).encode()) <= 64 for b in buttons)  # fits Telegram's callback_data


def test_registration_emits_in_its_own_transaction_and_employers_are_told(engine, session):
    from placement.services.jobseeker import register_candidate

    vac = sup.vacancy(session, "magazijnmedewerker", sup.ZWOLLE, publish=False)
    sub = sup.employer_subscription(session, vac)
    session.commit()
    with pytest.raises(RuntimeError), session_scope(engine) as other:  # a registration that fails: no event
        register_candidate(other, sender_id="tg-register-rollback", job_title="magazijnmedewerker",
                           location="Kampen", hours="24", consent="ja")
        raise RuntimeError("the turn failed")
    assert matcher.process_events(session, now=DAY) == 0
    with session_scope(engine) as other:
        assert register_candidate(other, sender_id="tg-register-ok", job_title="magazijnmedewerker",
                                  location="Kampen", hours="24", consent="ja").outcome == "ok"
    assert matcher.process_events(session, now=DAY) == 1
    [alert] = alerts_of(session, sub)
    assert "zelfde beroep" in alert.reason.lower() and "binnen 20 km" in alert.reason
