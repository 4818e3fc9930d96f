"""The alert actions through the real action server's webhook, on SQLite and PostgreSQL (issue 16).

Offer after a search / intake, opt in, change how often, stop (twice), "Reageer" (apply, idempotent,
closed vacancy, employer → candidate proposal) and "Niet voor mij" with its one optional question.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from actions.alerts import OFFER_EMPLOYER, OFFER_SEEKER
from placement.alerts.models import Alert, AlertSubscription
from placement.db import session_scope
from placement.matching.area import region_code_of
from placement.models import Application, Candidate, Lead, StaffMember, StaffRegion, Vacancy
from tests import alerts_support as sup
from tests.action_server import start, stop, webhook

ZWOLLE = sup.ZWOLLE


@pytest.fixture(scope="module")
def world(engine):
    with session_scope(engine) as s:
        for name, role in (("Anna Account", "accountmanager"), ("Carla Consulent", "consulent")):
            member = StaffMember(name=name, email=f"{role}@werkpunt.example", role=role, active=True)
            member.regions.append(StaffRegion(region_code=region_code_of(ZWOLLE)))
            s.add(member)
        boss = sup.employer(s)
        ids = {"open": sup.vacancy(s, "schoonmaker", ZWOLLE, employer_row=boss, publish=False).id,
               "closed": sup.vacancy(s, "schoonmaker", ZWOLLE, status="closed", employer_row=boss, publish=False).id}
    return engine, ids


@pytest.fixture(scope="module")
def server(world, db_url):
    proc, base = start(db_url)
    yield base
    stop(proc)


def _message(intent: str, text: str = "", channel: str = "web", **entities) -> dict:
    return {"intent": {"name": intent, "confidence": 1.0}, "text": text or f"/{intent}", "metadata": {"channel": channel},
            "entities": [{"entity": k, "value": v} for k, v in entities.items()]}


def _texts(reply: dict) -> list[str]:
    return [r.get("text") or "" for r in reply["responses"]]


def _slots(reply: dict) -> dict:
    return {e["name"]: e["value"] for e in reply["events"] if e.get("event") == "slot"}


def _subs(engine, sender):
    with session_scope(engine) as s:
        return [(r.kind, r.status, r.frequency, r.isco_code, r.gemeente_code, r.vacancy_id, r.channel)
                for r in s.scalars(select(AlertSubscription).where(AlertSubscription.conversation_id == sender)
                                   .order_by(AlertSubscription.id))]


SEARCH = {"job_title": "schoonmaker", "location": "Zwolle", "user_role": "werkzoekende"}


def test_search_offers_alerts_once_and_opt_in_stores_consent(world, server):
    engine, _ = world
    sender = "web-alerts-seeker"
    reply = webhook(server, "action_search_jobs", sender, SEARCH,
                    _message("search_jobs", "ik zoek werk als schoonmaker in Zwolle", job_title="schoonmaker"))
    offer = [r for r in reply["responses"] if r.get("text") == OFFER_SEEKER]
    assert offer and [b["title"] for b in offer[0]["buttons"]] == ["Ja, direct", "Ja, één keer per dag", "Nee, dank u"]
    again = webhook(server, "action_search_jobs", sender, SEARCH, _message("search_jobs", "schoonmaker zwolle"),
                    events=[{"event": "bot", "text": OFFER_SEEKER}])
    assert OFFER_SEEKER not in _texts(again)  # asked once per conversation

    opt = webhook(server, "action_alert_opt_in", sender, SEARCH,
                  _message("alert_opt_in", '/alert_opt_in{"alert_frequency":"direct"}', alert_frequency="direct"))
    text = _texts(opt)[0]
    assert "schoonmaker" in text.lower() and "Zwolle" in text and "stop berichten" in text
    assert "als u terugkomt" in text  # web chat: no push, as the code does
    [(kind, status, freq, isco, gemeente, vacancy, channel)] = _subs(engine, sender)
    assert (kind, status, freq, gemeente, vacancy, channel) == ("werkzoekende", "actief", "direct", ZWOLLE, None, "web")
    assert isco and isco.startswith("91")
    later = webhook(server, "action_search_jobs", "web-alerts-seeker", SEARCH, _message("search_jobs", "schoonmaker"))
    assert OFFER_SEEKER not in _texts(later)  # already subscribed

    changed = webhook(server, "action_alert_opt_in", sender, SEARCH,
                      _message("alert_opt_in", "liever één keer per dag"))
    assert "één keer per dag" in _texts(changed)[0]
    assert [s[2] for s in _subs(engine, sender)] == ["dagelijks"]


def test_telegram_opt_in_names_the_quiet_hours(world, server):
    reply = webhook(server, "action_alert_opt_in", "tg-alerts-1", SEARCH,
                    _message("alert_opt_in", channel="telegram", alert_frequency="direct"))
    assert "Tussen 21.00 en 8.00 uur stuur ik niets." in _texts(reply)[0]
    assert _subs(world[0], "tg-alerts-1")[0][6] == "telegram"


def test_opt_in_without_anything_to_match_asks_for_a_search(world, server):
    reply = webhook(server, "action_alert_opt_in", "web-alerts-empty", {}, _message("alert_opt_in", "stuur mij berichten"))
    assert "Zoek eerst naar werk" in _texts(reply)[0]
    assert _subs(world[0], "web-alerts-empty") == []


def test_stop_and_stop_twice(world, server):
    sender = "web-alerts-stop"
    webhook(server, "action_alert_opt_in", sender, SEARCH, _message("alert_opt_in", alert_frequency="direct"))
    first = webhook(server, "action_alert_stop", sender, {}, _message("alert_stop", "stop berichten"))
    assert "geen berichten meer" in _texts(first)[0]
    second = webhook(server, "action_alert_stop", sender, {}, _message("alert_stop", "stop berichten"))
    assert "U hoeft niets te doen" in _texts(second)[0]
    assert [s[1] for s in _subs(world[0], sender)] == ["gestopt"]


def _alert(engine, sender, vacancy_id, candidate_id=None, kind="werkzoekende") -> int:
    with session_scope(engine) as s:
        sub = s.scalar(select(AlertSubscription).where(AlertSubscription.conversation_id == sender,
                                                       AlertSubscription.kind == kind))
        key = f"e:{vacancy_id}:{candidate_id}" if kind == "werkgever" else f"w:{sender}:{vacancy_id}"
        row = Alert(subscription_id=sub.id, pair_key=key, vacancy_id=vacancy_id, candidate_id=candidate_id,
                    reason="Zelfde beroep", status="verzonden")
        s.add(row)
        s.flush()
        return row.id


def _alert_row(engine, alert_id):
    with session_scope(engine) as s:
        row = s.get(Alert, alert_id)
        return row.status, row.feedback, row.opened_at is not None


def test_react_applies_once_and_closed_vacancy_is_polite(world, server):
    engine, ids = world
    sender = "web-alerts-react"
    webhook(server, "action_alert_opt_in", sender, SEARCH, _message("alert_opt_in", alert_frequency="direct"))
    alert_id = _alert(engine, sender, ids["open"])
    press = _message("alert_react", f'/alert_react{{"alert_id":"{alert_id}"}}', alert_id=str(alert_id))
    unregistered = webhook(server, "action_alert_react", sender, {"alert_id": str(alert_id)}, press)
    assert "Schrijf u dan eerst in" in _texts(unregistered)[0]
    assert _slots(unregistered)["vacancy_id"] == str(ids["open"])  # registration then sends the reaction
    with session_scope(engine) as s:
        s.add(Candidate(channel_key=sender, gemeente_code=ZWOLLE, interests="", skills="", active=True,
                        consent_at=sup.dt.datetime(2026, 11, 1)))
    applied = webhook(server, "action_alert_react", sender, {"alert_id": str(alert_id)}, press)
    assert "Uw reactie op vacature" in _texts(applied)[0]
    again = webhook(server, "action_alert_react", sender, {"alert_id": str(alert_id)}, press)
    assert "U heeft al gereageerd" in _texts(again)[0]
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Application).where(
            Application.vacancy_id == ids["open"])) == 1
    assert _alert_row(engine, alert_id)[0] == "gesolliciteerd"

    closed = _alert(engine, sender, ids["closed"])
    reply = webhook(server, "action_alert_react", sender, {"alert_id": str(closed)},
                    _message("alert_react", alert_id=str(closed)))
    assert _texts(reply)[0].startswith("Deze vacature is helaas niet meer open")
    assert _alert_row(engine, closed)[0] == "geopend"

    stranger = webhook(server, "action_alert_react", "web-someone-else", {"alert_id": str(alert_id)},
                       _message("alert_react", alert_id=str(alert_id)))
    assert "niet meer vinden" in _texts(stranger)[0]


def test_not_for_me_asks_one_optional_question_and_stores_the_answer(world, server):
    engine, ids = world
    sender = "web-alerts-nope"
    webhook(server, "action_alert_opt_in", sender, SEARCH, _message("alert_opt_in", alert_frequency="direct"))
    alert_id = _alert(engine, sender, ids["open"])
    first = webhook(server, "action_alert_not_for_me", sender, {"alert_id": str(alert_id)},
                    _message("alert_not_for_me", alert_id=str(alert_id)))
    [question] = first["responses"]
    assert [b["title"] for b in question["buttons"]] == ["Ander werk", "Te ver weg", "Andere uren"]
    assert question["buttons"][1]["payload"] == f'/alert_not_for_me{{"alert_id":"{alert_id}","alert_feedback":"te_ver"}}'
    assert _alert_row(engine, alert_id) == ("niet_passend", None, True)
    answer = webhook(server, "action_alert_not_for_me", sender, {"alert_id": str(alert_id), "alert_feedback": "te_ver"},
                     _message("alert_not_for_me", alert_id=str(alert_id), alert_feedback="te_ver"))
    assert "Dank u" in _texts(answer)[0] and not answer["responses"][0].get("buttons")
    assert _alert_row(engine, alert_id) == ("niet_passend", "te_ver", True)


def test_employer_intake_offer_subscription_and_reaction_makes_one_proposal(world, server):
    engine, _ = world
    sender = "web-alerts-employer"
    intake = {"company_name": "Schoon BV", "job_title": "schoonmaker", "location": "Zwolle", "hours": "24",
              "contact_name": "Bert", "phone": "0612345678", "email": "bert@example.org", "user_role": "werkgever"}
    reply = webhook(server, "action_submit_vacancy", sender, intake, _message("affirm"))
    assert OFFER_EMPLOYER in _texts(reply)
    opt = webhook(server, "action_alert_opt_in", sender, {"user_role": "werkgever"},
                  _message("alert_opt_in", alert_frequency="direct"))
    assert "zonder naam" in _texts(opt)[0]
    [(kind, status, _f, _i, _g, vacancy_id, _c)] = _subs(engine, sender)
    assert (kind, status) == ("werkgever", "actief") and vacancy_id
    with session_scope(engine) as s:
        s.get(Vacancy, vacancy_id).status = "open"
        cand = sup.candidate(s, "schoonmaker", ZWOLLE, register=False)
        cand_id = cand.id
    alert_id = _alert(engine, sender, vacancy_id, cand_id, kind="werkgever")
    press = _message("alert_react", alert_id=str(alert_id))
    first = webhook(server, "action_alert_react", sender, {"alert_id": str(alert_id), "user_role": "werkgever"}, press)
    assert "Anna Account (accountmanager) neemt contact met u op" in _texts(first)[0]
    second = webhook(server, "action_alert_react", sender, {"alert_id": str(alert_id), "user_role": "werkgever"}, press)
    assert "had ik al doorgegeven" in _texts(second)[0]
    with session_scope(engine) as s:
        leads = s.scalars(select(Lead).where(Lead.sender_id == sender, Lead.kind == "candidate_proposal")).all()
        assert [(lead.candidate_id, lead.vacancy_id, lead.contact_phone) for lead in leads] == \
            [(cand_id, vacancy_id, "0612345678")]
    assert _alert_row(engine, alert_id)[0] == "gesolliciteerd"
