"""Job and candidate search with the ESCO normaliser through the action server's HTTP webhook
(SQLite and PostgreSQL): the six words of issue 11, reasons per result, buttons when unsure, radius,
and bad input (empty, noise, unknown place, radius -5 or 9999 km) answered politely."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from placement.db import session_scope
from placement.models import Candidate, Employer, Vacancy
from placement.occupation_normaliser import esco_fields
from placement.seed import fix_sequence
from tests import action_server

SLOTS = ("user_role", "job_title", "location", "hours", "vacancy_id", "search_page", "callback_topic")
ZWOLLE, KAMPEN, AMSTERDAM, UTRECHT, TILBURG, GRONINGEN, EINDHOVEN = (
    "GM0193", "GM0166", "GM0363", "GM0344", "GM0855", "GM0014", "GM0772")
# (id, title, gemeente, hours): one or two real vacancies for each word of "Done when"
VACANCIES = [
    (501, "Medewerker groenvoorziening", KAMPEN, 24, 32), (502, "Hovenier", ZWOLLE, 32, 36),
    (503, "Schoonmaker kantoren", AMSTERDAM, 12, 20), (504, "Kapper", UTRECHT, 24, 32),
    (505, "Orderpicker", TILBURG, 32, 40), (506, "Verzorgende IG", GRONINGEN, 24, 28),
    (507, "Buschauffeur", EINDHOVEN, 32, 40), (508, "Lasser", ZWOLLE, 32, 40),
]


@pytest.fixture(scope="module")
def world(engine):
    with session_scope(engine) as s:
        s.add(Employer(id=1, name="Groen en Schoon", sector="groen", gemeente_code=ZWOLLE))
        s.flush()
        for vid, title, gemeente, lo, hi in VACANCIES:
            s.add(Vacancy(id=vid, employer_id=1, title=title, **esco_fields(title), hours_min=lo, hours_max=hi,
                          gemeente_code=gemeente, status="open", origin="seed"))
        for n, gemeente in enumerate((KAMPEN, ZWOLLE, GRONINGEN)):
            s.add(Candidate(channel_key=f"seed-{n}", name=f"Geheime Naam {n}", gemeente_code=gemeente,
                            **esco_fields("medewerker groenvoorziening"), hours_wanted=24,
                            consent_at=dt.datetime(2026, 1, 1)))
        s.flush()
        for model in (Employer, Vacancy):
            fix_sequence(s, model)
    return engine


@pytest.fixture(scope="module")
def server(world, db_url):
    proc, base = action_server.start(db_url)
    yield base
    action_server.stop(proc)


def call(base: str, action: str, text: str = "", entities: list | None = None, **slots) -> dict:
    sender = "t-" + uuid.uuid4().hex[:12]
    slots.setdefault("user_role", "werkzoekende")  # a typed search with the role unknown first asks it (issue 12)
    events = [{"event": "user", "text": text, "parse_data": {"entities": entities or []}}] if text else []
    latest = {"text": text, "intent": {"name": "search_jobs", "confidence": 1.0}, "entities": entities or [],
              "metadata": {"channel": "web"}}
    return action_server.webhook(base, action, sender, {name: slots.get(name) for name in SLOTS}, latest, events)


def texts(reply: dict) -> str:
    return "\n".join(r.get("text") or "" for r in reply["responses"])


def payloads(reply: dict) -> list[str]:
    return [b["payload"] for r in reply["responses"] for b in (r.get("buttons") or [])]


def shown(reply: dict) -> list[int]:
    return [int(p.split('"vacancy_id":"')[1].split('"')[0]) for p in payloads(reply) if "vacancy_id" in p]


@pytest.mark.parametrize(("word", "place", "expected", "reason"), [
    ("groenvoorziening", "Zwolle", [501, 502], "Zelfde beroep, 13 km van Zwolle, 24–32 uur"),
    ("poetsvrouw", "Amsterdam", [503], "Zelfde beroep, in Amsterdam, 12–20 uur"),
    ("kapster", "Utrecht", [504], "Zelfde beroep, in Utrecht, 24–32 uur"),
    ("orderpicker", "Tilburg", [505], "Zelfde beroep, in Tilburg, 32–40 uur"),
    ("verzorgende", "Groningen", [506], "Zelfde beroep, in Groningen, 24–28 uur"),
    ("buschauffeur", "Eindhoven", [507], "Zelfde beroep, in Eindhoven, 32–40 uur"),
])
def test_the_six_words_find_work_near_the_place_with_reasons(server, word, place, expected, reason):
    reply = call(server, "action_search_jobs", text=f"ik zoek werk als {word} in {place}", location=place)
    assert sorted(shown(reply)) == expected, texts(reply)
    assert reason.lower()[1:] in texts(reply).lower()
    assert f"rond {place}, binnen 20 km" in texts(reply)


def test_same_field_ranks_same_occupation_first_and_says_why(server):
    reply = call(server, "action_search_jobs", job_title="hovenier", location="Zwolle")
    assert shown(reply) == [502, 501]  # exact ESCO occupation first, then the same ISCO group 13 km away
    assert "Hovenier — zelfde beroep, in Zwolle, 32–36 uur" in texts(reply)
    assert "Medewerker groenvoorziening — zelfde beroepsgroep, 13 km van Zwolle, 24–32 uur" in texts(reply)


def test_radius_from_the_message_and_polite_limits(server):
    near = call(server, "action_search_jobs", text="groenvoorziening binnen 5 km", location="Zwolle")
    assert shown(near) == [502] and "binnen 5 km" in texts(near)
    negative = call(server, "action_search_jobs", text="groenvoorziening binnen -5 km", location="Zwolle")
    assert "-5 km kan ik niet gebruiken" in texts(negative) and sorted(shown(negative)) == [501, 502]
    huge = call(server, "action_search_jobs", text="hovenier binnen 9999 km", location="Zwolle")
    assert "binnen 150 km" in texts(huge) and 502 in shown(huge)


def test_nothing_near_says_what_was_understood_and_offers_a_wider_radius(server):
    reply = call(server, "action_search_jobs", text="kapper in Zwolle", location="Zwolle")
    assert shown(reply) == []
    assert "Ik zocht naar kapper rond Zwolle, binnen 20 km" in texts(reply)
    assert '/search_jobs{"job_title":"kapper","radius_km":"40"}' in payloads(reply)
    assert "/register_jobseeker" in payloads(reply)
    wider = call(server, "action_search_jobs", text='/search_jobs{"job_title":"kapper","radius_km":"150"}',
                 entities=[{"entity": "radius_km", "value": "150"}], job_title="kapper", location="Zwolle")
    assert 504 in shown(wider)  # Utrecht is about 75 km from Zwolle


def test_uncertain_title_asks_with_buttons_and_never_substitutes(server):
    reply = call(server, "action_search_jobs", job_title="bouwplaatsschoonmaker", location="Zwolle")
    assert shown(reply) == [] and "niet zeker" in texts(reply)
    options = [p for p in payloads(reply) if p.startswith("/search_jobs")]
    assert 1 <= len(options) <= 3 and '"job_title":"schoonmaker gebouwen"' in options[0]


@pytest.mark.parametrize("title", ["", "qzxv wprt kjhg " * 35])
def test_empty_or_noise_title_gets_a_question(server, title):
    reply = call(server, "action_search_jobs", text=title, job_title=title[:80] or None, location="Zwolle")
    assert shown(reply) == [] and "Welk werk zoekt u?" in texts(reply)
    assert "qzxv" not in texts(reply)  # what was typed is not repeated


def test_unknown_place_is_named_politely(server):
    reply = call(server, "action_search_jobs", job_title="hovenier", location="Atlantis")
    assert "Ik ken de plaats 'Atlantis' niet" in texts(reply)


def test_employer_gets_anonymous_candidates_with_distance_bands(server):
    reply = call(server, "action_find_candidates", job_title="groenvoorziener", location="Zwolle",
                 user_role="werkgever")
    body = texts(reply)
    assert body.count("Kandidaat ") == 2 and "Geheime Naam" not in body and "Kampen" not in body
    assert "binnen 5 km" in body and "binnen 20 km" in body  # Zwolle itself, Kampen at 13 km
    assert "Groningen" not in body
    unsure = call(server, "action_find_candidates", job_title="bouwplaatsschoonmaker", location="Zwolle",
                  user_role="werkgever")
    assert any(p.startswith("/find_candidates{") for p in payloads(unsure))
