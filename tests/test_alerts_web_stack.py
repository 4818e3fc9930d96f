"""Match alerts through the real stack (gateway + Rasa + action server), web chat (issue 16, Done-when).

A registered job seeker searches, is offered alerts, opts in with the button; a fitting vacancy is
published and matched by the alert engine; on return the alert is there with its buttons and the title
count; "Reageer" applies; "Reageer" on a vacancy closed in the meantime is answered politely; "Stop
berichten" stops, and stopping again is polite. An employer who reported a vacancy opts in after a
candidate search and, on return, is told about a new fitting candidate, anonymously.
"""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from sqlalchemy import select

from placement.alerts.events import emit_candidate_registered, emit_vacancy_published
from placement.alerts.matcher import process_events
from placement.alerts.models import Alert, AlertSubscription
from placement.db import make_engine, session_scope
from placement.models import Application, Candidate, Employer, Vacancy
from placement.occupation_normaliser import esco_fields
from placement.services.employer import submit_vacancy

pytestmark = pytest.mark.rasa
GOUDA = "GM0513"
OPT_IN = '/alert_opt_in{"alert_frequency":"direct"}'


def _bot(reply: dict) -> str:
    return "\n".join(m["text"] for m in reply["messages"] if m["author"] == "bot")


def _press(stack, browser: httpx.Client, payload: str, title: str) -> dict:
    assert payload in stack.button_payloads(browser), payload  # the gateway issued this button
    reply = browser.post("/api/message", json={"payload": stack.button_key(browser, payload), "title": title})
    assert reply.status_code == 200, reply.text
    return reply.json()


def _publish(engine, title: str, employer_id: int | None = None) -> int:
    """A vacancy opened by staff (the publish route emits the event in the same transaction)."""
    with session_scope(engine) as s:
        if employer_id is None:
            boss = Employer(name="Alerttest BV", gemeente_code=GOUDA)
            s.add(boss)
            s.flush()
            employer_id = boss.id
        vacancy = Vacancy(employer_id=employer_id, title=title, **esco_fields("schoonmaker"), hours_min=24,
                          hours_max=32, gemeente_code=GOUDA, status="open", origin="staff", description="")
        s.add(vacancy)
        s.flush()
        emit_vacancy_published(s, vacancy.id)
        vacancy_id = vacancy.id
    with session_scope(engine) as s:
        process_events(s, now=dt.datetime(2026, 12, 3, 12, 0))
    return vacancy_id


def _alert_shown(reply: dict, marker: str) -> dict:
    shown = [m for m in reply["messages"] if m["author"] == "bot" and marker in m["text"]]
    assert shown, reply["messages"][-3:]
    return shown[-1]


def test_job_seeker_alert_on_return_react_closed_and_stop(stack):
    engine = make_engine(stack.settings.database_url)
    try:
        with httpx.Client(base_url=stack.gateway, timeout=90) as browser:
            browser.get("/")
            browser.post("/api/message", json={"start": True})
            conversation = stack.conversation_id(browser)
            with session_scope(engine) as s:  # registered earlier (the registration form has its own tests)
                s.add(Candidate(channel_key=conversation, gemeente_code=GOUDA, hours_wanted=24, interests="",
                                skills="", active=True, consent_at=dt.datetime(2026, 11, 1),
                                **esco_fields("schoonmaker")))
            search = browser.post("/api/message", json={"text": "Ik zoek werk als schoonmaker in Gouda"}).json()
            assert "Wilt u een bericht krijgen als er nieuw werk is dat bij u past?" in _bot(search)

            opted = _press(stack, browser, OPT_IN, "Ja, direct")
            assert "Dan krijgt u een bericht" in _bot(opted) and "als u terugkomt" in _bot(opted)
            with session_scope(engine) as s:
                [sub] = s.scalars(select(AlertSubscription).where(AlertSubscription.conversation_id == conversation))
                assert (sub.status, sub.kind, sub.gemeente_code, sub.channel) == ("actief", "werkzoekende", GOUDA, "web")

            first = _publish(engine, "Schoonmaker kantoren")
            second = _publish(engine, "Schoonmaker scholen")
            back = browser.get("/api/history").json()  # the user returns
            alert = _alert_shown(back, "Schoonmaker kantoren")
            assert back["alerts_unread"] == 2
            assert "Er is nieuw werk dat bij u past." in alert["text"]
            assert [b["title"] for b in alert["buttons"]] == ["Reageer", "Niet voor mij", "Stop berichten"]
            with session_scope(engine) as s:
                ids = {a.vacancy_id: a.id for a in s.scalars(select(Alert).where(Alert.subscription_id == sub.id))}
            assert set(ids) == {first, second}

            react = '/alert_react' + json.dumps({"alert_id": str(ids[first])}, separators=(",", ":"))
            applied = _press(stack, browser, react, "Reageer")
            assert f"Uw reactie op vacature {first}" in _bot(applied)
            with session_scope(engine) as s:
                assert s.scalar(select(Application).where(Application.vacancy_id == first)) is not None
                assert s.get(Alert, ids[first]).status == "gesolliciteerd"
                s.get(Vacancy, second).status = "closed"  # closed in the meantime
            late = '/alert_react' + json.dumps({"alert_id": str(ids[second])}, separators=(",", ":"))
            assert "Deze vacature is helaas niet meer open" in _bot(_press(stack, browser, late, "Reageer"))
            assert browser.get("/api/history").json()["alerts_unread"] == 0

            stopped = _press(stack, browser, "/alert_stop", "Stop berichten")
            assert "U krijgt geen berichten meer" in _bot(stopped)
            again = browser.post("/api/message", json={"text": "stop berichten"}).json()
            assert "U krijgt nu geen berichten van mij" in _bot(again)
            with session_scope(engine) as s:
                assert s.get(AlertSubscription, sub.id).status == "gestopt"
    finally:
        engine.dispose()


def test_employer_is_told_about_a_new_fitting_candidate(stack):
    engine = make_engine(stack.settings.database_url)
    try:
        with httpx.Client(base_url=stack.gateway, timeout=90) as browser:
            browser.get("/")
            browser.post("/api/message", json={"start": True})
            conversation = stack.conversation_id(browser)
            with session_scope(engine) as s:  # the vacancy intake this conversation did (form tested elsewhere)
                intake = submit_vacancy(s, sender_id=conversation, channel="web", company_name="Schoon en Snel",
                                        job_title="schoonmaker", location="Gouda", hours="24", contact_name="Bert",
                                        phone="0612345678", email="bert@example.org")
                vacancy_id = intake.vacancy_id
            found = browser.post("/api/message", json={"text": "Ik zoek een schoonmaker in Gouda voor mijn bedrijf"})
            assert "Wilt u een bericht als er een nieuwe kandidaat is die past?" in _bot(found.json())
            assert "zonder naam" in _bot(_press(stack, browser, OPT_IN, "Ja, direct"))
            with session_scope(engine) as s:
                s.get(Vacancy, vacancy_id).status = "open"  # staff published it
                cand = Candidate(channel_key="web-new-candidate-alerts", name="Naam Die Geheim Blijft",
                                 gemeente_code=GOUDA, hours_wanted=24, interests="", skills="", active=True,
                                 consent_at=dt.datetime(2026, 12, 1), available_from=dt.date(2026, 12, 1),
                                 **esco_fields("schoonmaker"))
                s.add(cand)
                s.flush()
                emit_candidate_registered(s, cand.id)
            with session_scope(engine) as s:
                process_events(s, now=dt.datetime(2026, 12, 3, 12, 0))
            back = browser.get("/api/history").json()
            alert = _alert_shown(back, "Er is een nieuwe kandidaat voor uw vacature")
            assert "Naam Die Geheim Blijft" not in alert["text"] and "Gouda" not in alert["text"].split("\n", 1)[1]
            react = next(b for b in alert["buttons"] if b["title"] == "Reageer")
            reply = browser.post("/api/message", json={"payload": react["payload"], "title": "Reageer"}).json()
            assert "neemt contact met u op over de kandidaat" in _bot(reply)
    finally:
        engine.dispose()
