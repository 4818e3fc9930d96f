"""Every service action through the action server's real HTTP webhook, on SQLite and PostgreSQL.

One `python -m actions.server` process per backend (module scope) with DATABASE_URL pointing at a fresh
test database; requests look like the ones Rasa 3.6 sends. Assertions check the reply and the rows.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import uuid

import pytest
from sqlalchemy import func, select, text

from placement.db import session_scope
from placement.models import (
    Application,
    Candidate,
    Conversation,
    Employer,
    Lead,
    StaffMember,
    StaffRegion,
    Vacancy,
)
from placement.office_hours import describe
from placement.seed import fix_sequence
from settings import Settings
from tests import action_server
from tests.action_server import stop
from werkpunt.net import free_port

GOUDA, GRONINGEN = "GM0513", "GM0014"
SLOTS = ("user_role", "job_title", "location", "hours", "vacancy_id", "search_page", "company_name", "contact_name",
         "email", "phone", "preferred_moment", "callback_topic", "registration_consent",
         "home_place", "place_depends")
CANDIDATE_NAME = "Geertruida Geheimnaam"
# ESCO magazijnmedewerker (ISCO 9333), as migration 0010 maps old rows and the services write new ones.
MAGAZIJN = {"esco_uri": "http://data.europa.eu/esco/occupation/bea705fe-06ac-4147-b8e0-6e8ac1208d8f",
            "isco_code": "9333"}


def start_action_server(database_url: str) -> tuple[subprocess.Popen, str]:
    return action_server.start(database_url)


def call(base: str, action: str, sender: str, **slots) -> dict:
    """POST what Rasa posts to /webhook; returns {"events": [...], "responses": [...]}."""
    latest = {"text": "", "intent": {"name": "test", "confidence": 1.0}, "entities": [], "metadata": {"channel": "web"}}
    return action_server.webhook(base, action, sender, {name: slots.get(name) for name in SLOTS}, latest)


def texts(reply: dict) -> str:
    return "\n".join(r.get("text") or "" for r in reply["responses"])


def buttons(reply: dict) -> list[str]:
    return [b["payload"] for r in reply["responses"] for b in (r.get("buttons") or [])]


def slot_events(reply: dict) -> dict:
    return {e["name"]: e["value"] for e in reply["events"] if e["event"] == "slot"}


def new_sender() -> str:
    return "t-" + uuid.uuid4().hex[:16]


def _staff(s, name: str, role: str, region: str, sector: str | None = None) -> None:
    member = StaffMember(name=name, email=f"{name.split()[0].lower()}.{region}.{role}@werkpunt.example", role=role,
                         sector=sector)
    member.regions.append(StaffRegion(region_code=region))
    s.add(member)


@pytest.fixture(scope="module")
def world(engine):
    with session_scope(engine) as s:
        _staff(s, "Anna Algemeen", "accountmanager", "AM20")
        _staff(s, "Lars Logistiek", "accountmanager", "AM20", sector="logistiek")
        _staff(s, "Carla Consulent", "consulent", "AM20")
        _staff(s, "Gert Groningen", "accountmanager", "AM01")
        s.add(Employer(id=1, name="Bakkerij Test", sector="voeding", gemeente_code=GOUDA, contact_name="Bert",
                       contact_phone="+31180000000"))
        s.flush()
        for n in range(12):  # twelve open vacancies near Gouda: pages of 5, 5 and 2
            s.add(Vacancy(id=301 + n, employer_id=1, title=f"Magazijnmedewerker {n}", occupation="magazijnmedewerker",
                          **MAGAZIJN, hours_min=20, hours_max=32, gemeente_code=GOUDA, status="open", origin="seed"))
        s.add(Vacancy(id=351, employer_id=1, title="Magazijnmedewerker oud", occupation="magazijnmedewerker",
                      **MAGAZIJN, hours_min=24, hours_max=24, gemeente_code=GOUDA, status="closed"))
        s.add(Vacancy(id=352, employer_id=1, title="Magazijnmedewerker concept", occupation="magazijnmedewerker",
                      **MAGAZIJN, hours_min=24, hours_max=24, gemeente_code=GOUDA, status="concept"))
        for n in range(7):
            s.add(Candidate(channel_key=f"seed-{n}", name=f"{CANDIDATE_NAME} {n}", email=f"geheim{n}@example.org",
                            phone=f"+3161111111{n}", gemeente_code=GOUDA, occupation="magazijnmedewerker", **MAGAZIJN,
                            interests="in een team", skills="orderpicken", hours_wanted=24,
                            consent_at=dt.datetime(2026, 1, 1)))
        s.flush()
        for model in (Employer, Vacancy):  # explicit ids bypass PostgreSQL sequences
            fix_sequence(s, model)
    return engine


@pytest.fixture(scope="module")
def server(world, db_url):
    proc, base = start_action_server(db_url)
    yield base
    stop(proc)


def count(engine, model, *where) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_vacancy_intake_new_employer_goes_to_sector_accountmanager(server, world):
    sender = new_sender()
    slots = dict(company_name="Test Logistiek BV", job_title="medewerker magazijn", location="Gouda", hours="24",
                 contact_name="Piet Test", phone="+31612345678", email="piet@example.org")
    reply = call(server, "action_submit_vacancy", sender, **slots)
    assert "WP-" in texts(reply) and "Lars Logistiek" in texts(reply)
    with session_scope(world) as s:
        lead = s.scalar(select(Lead).where(Lead.sender_id == sender))
        vacancy, employer = s.get(Vacancy, lead.vacancy_id), s.get(Employer, lead.employer_id)
        assert (lead.kind, lead.region_code, lead.channel) == ("vacancy_intake", "AM20", "web")
        assert s.get(StaffMember, lead.assigned_staff_id).name == "Lars Logistiek"
        assert f"WP-{lead.id:05d}" in texts(reply)
        assert (vacancy.status, vacancy.origin, vacancy.occupation) == ("concept", "chat", "magazijnmedewerker")
        assert (vacancy.hours_min, vacancy.hours_max, vacancy.gemeente_code) == (24, 24, GOUDA)
        assert (employer.name, employer.sector, employer.contact_email) == ("Test Logistiek BV", "logistiek",
                                                                            "piet@example.org")
    call(server, "action_submit_vacancy", sender, **slots)  # the same form twice: still one vacancy
    assert count(world, Lead, Lead.sender_id == sender) == 1
    assert count(world, Employer, Employer.name == "Test Logistiek BV") == 1


def test_vacancy_intake_existing_employer_goes_to_generalist(server, world):
    sender = new_sender()
    reply = call(server, "action_submit_vacancy", sender, company_name="bakkerij test", job_title="bakker",
                 location="Gouda", hours="32", contact_name="Bert", phone="+31180000000", email=None)
    assert "Anna Algemeen" in texts(reply)
    with session_scope(world) as s:
        lead = s.scalar(select(Lead).where(Lead.sender_id == sender))
        assert lead.employer_id == 1 and s.get(Vacancy, lead.vacancy_id).employer_id == 1


def test_find_candidates_anonymous_then_proposal_lead(server, world):
    sender = new_sender()
    reply = call(server, "action_find_candidates", sender, user_role="werkgever", job_title="magazijnmedewerker",
                 location="Gouda", hours="24")
    body = texts(reply)
    assert body.count("Kandidaat ") == 5 and "Waarom: Zelfde beroep" in body
    assert CANDIDATE_NAME not in body and "example.org" not in body and "+3161" not in body
    topic = slot_events(reply)["callback_topic"]
    assert topic.startswith("Kandidaten voorstellen") and "/request_callback" in buttons(reply)
    reply = call(server, "action_submit_callback", sender, user_role="werkgever", job_title="magazijnmedewerker",
                 location="Gouda", hours="24", contact_name="Els", phone="+31687654321", callback_topic=topic,
                 preferred_moment="morgen om 10:00")
    assert "Lars Logistiek" in texts(reply) and "morgen om 10:00" in texts(reply)
    assert slot_events(reply) == {"callback_topic": None}
    with session_scope(world) as s:
        lead = s.scalar(select(Lead).where(Lead.sender_id == sender))
        assert lead.kind == "candidate_proposal" and lead.note.startswith("Kandidaten (id): ")
        assert len(lead.note.split(":")[1].split(",")) == 5


def test_callback_routes_by_role(server, world):
    employer, seeker = new_sender(), new_sender()
    reply = call(server, "action_submit_callback", employer, user_role="werkgever", contact_name="Jan",
                 phone="+31612340000", preferred_moment="vrijdag 14:00", location="Gouda")
    assert "Anna Algemeen" in texts(reply) and "vrijdag 14:00" in texts(reply)
    reply = call(server, "action_submit_callback", seeker, user_role="werkzoekende", contact_name="Mo",
                 phone="+31612340001", location="Groningen")
    assert "Een medewerker van het werkgeversservicepunt in regio Groningen" in texts(reply)  # nobody there: no name
    with session_scope(world) as s:
        lead = s.scalar(select(Lead).where(Lead.sender_id == employer))
        assert (lead.kind, lead.contact_phone, lead.preferred_moment) == ("callback", "+31612340000", "vrijdag 14:00")
        unassigned = s.scalar(select(Lead).where(Lead.sender_id == seeker))
        assert unassigned.region_code == "AM01" and unassigned.assigned_staff_id is None


def test_job_search_pages_and_buttons(server, world):
    sender = new_sender()
    first = call(server, "action_search_jobs", sender, job_title="magazijnmedewerker", location="Gouda")
    ids = [p for p in buttons(first) if p.startswith("/apply_for_vacancy")]
    assert len(ids) == 5 and ids[0] == '/apply_for_vacancy{"vacancy_id":"301"}' and "/show_more" in buttons(first)
    assert slot_events(first) == {"search_page": 0.0, "job_title": "magazijnmedewerker", "place_depends": "search:jobs"}
    second = call(server, "action_show_more", sender, job_title="magazijnmedewerker", location="Gouda",
                  search_page=0.0)
    third = call(server, "action_show_more", sender, job_title="magazijnmedewerker", location="Gouda",
                 search_page=1.0)
    shown = [p for r in (first, second, third) for p in buttons(r) if p.startswith("/apply")]
    assert len(shown) == len(set(shown)) == 12 and "/show_more" not in buttons(third)
    assert not any('"351"' in p or '"352"' in p for p in shown)  # closed and concept never offered
    after = call(server, "action_show_more", sender, job_title="magazijnmedewerker", location="Gouda", search_page=2.0)
    assert "geen andere vacatures" in texts(after)


def test_job_search_unknown_place_and_missing_place(server):
    reply = call(server, "action_search_jobs", new_sender(), job_title="lasser", location="Goudaa")
    assert "Gouda" in texts(reply) and slot_events(reply) == {"location": None}
    reply = call(server, "action_search_jobs", new_sender(), job_title="lasser")
    assert "In welke plaats" in texts(reply)


def test_registration_then_search_uses_profile(server, world):
    sender = new_sender()
    refused = call(server, "action_submit_registration", sender, job_title="magazijnmedewerker", location="Gouda",
                   hours="24", registration_consent=False)
    assert "toestemming" in texts(refused) and count(world, Candidate, Candidate.channel_key == sender) == 0
    reply = call(server, "action_submit_registration", sender, job_title="magazijnmedewerker", location="Gouda",
                 hours="24", registration_consent=True)
    assert "ingeschreven" in texts(reply)
    with session_scope(world) as s:
        cand = s.scalar(select(Candidate).where(Candidate.channel_key == sender))
        assert cand.consent_at is not None and cand.name is None and cand.phone is None
        assert (cand.occupation, cand.gemeente_code, cand.hours_wanted) == ("magazijnmedewerker", GOUDA, 24)
    found = call(server, "action_search_jobs", sender)  # no slots: the registration fills them in
    # Five vacancies and "Meer vacatures"; then the offer of match alerts (issue 16) with its own three.
    assert "rond Gouda (uit uw inschrijving)" in texts(found) and len(buttons(found)) == 6 + 3


def test_apply_is_idempotent_and_notifies_the_consulent(server, world):
    sender = new_sender()
    reply = call(server, "action_apply_for_vacancy", sender, vacancy_id="301")
    assert "/register_jobseeker" in buttons(reply) and count(world, Lead, Lead.sender_id == sender) == 0
    # registering with a pending vacancy sends the response as well
    reply = call(server, "action_submit_registration", sender, job_title="orderpicker", location="Gouda",
                 hours="24", registration_consent="ja", vacancy_id="301")
    assert "Carla Consulent" in texts(reply) and slot_events(reply) == {"vacancy_id": None}
    reply = call(server, "action_apply_for_vacancy", sender, vacancy_id="301")
    assert "al gereageerd" in texts(reply)
    with session_scope(world) as s:
        cand = s.scalar(select(Candidate).where(Candidate.channel_key == sender))
        assert count(world, Application, Application.candidate_id == cand.id) == 1
        leads = list(s.scalars(select(Lead).where(Lead.sender_id == sender)))
        assert [(l.kind, l.vacancy_id) for l in leads] == [("application", 301)]
        assert s.get(StaffMember, leads[0].assigned_staff_id).name == "Carla Consulent"
    reply = call(server, "action_apply_for_vacancy", sender, vacancy_id="nr. 302")
    assert "Carla Consulent" in texts(reply) and count(world, Application, Application.vacancy_id == 302) == 1


@pytest.mark.parametrize("ref,expected", [("351", "niet meer open"), ("352", "niet vinden"),
                                          ("999999", "niet vinden"), ("geen nummer", "Welk vacaturenummer")])
def test_apply_to_closed_or_missing_vacancy(server, world, ref, expected):
    sender = new_sender()
    call(server, "action_submit_registration", sender, job_title="kok", location="Gouda", hours="20",
         registration_consent=True)
    reply = call(server, "action_apply_for_vacancy", sender, vacancy_id=ref)
    assert expected in texts(reply) and count(world, Lead, Lead.sender_id == sender) == 0


def test_application_status_in_plain_words(server, world):
    sender = new_sender()
    assert "geen inschrijving" in texts(call(server, "action_check_application_status", sender))
    call(server, "action_submit_registration", sender, job_title="magazijnmedewerker", location="Gouda",
         hours="24", registration_consent=True)
    assert "nog niet gereageerd" in texts(call(server, "action_check_application_status", sender))
    call(server, "action_apply_for_vacancy", sender, vacancy_id="303")
    assert "ontvangen" in texts(call(server, "action_check_application_status", sender))
    with session_scope(world) as s:
        cand = s.scalar(select(Candidate).where(Candidate.channel_key == sender))
        s.scalar(select(Application).where(Application.candidate_id == cand.id)).status = "uitgenodigd"
    reply = texts(call(server, "action_check_application_status", sender))
    assert "Vacature 303" in reply and "uitgenodigd voor een gesprek" in reply and "Carla Consulent" in reply


def test_sheltered_work_route(server, world):
    reply = texts(call(server, "action_sheltered_work_route", new_sender(), home_place="gouda"))
    assert "gemeente Gouda" in reply and "Midden-Holland" in reply and "UWV" in reply
    reply = call(server, "action_sheltered_work_route", new_sender(), home_place="Gouwda")
    assert "Gouda" in texts(reply) and slot_events(reply) == {"home_place": None, "place_depends": "sheltered_work"}
    assert "In welke gemeente" in texts(call(server, "action_sheltered_work_route", new_sender()))


def test_request_human_sets_handoff_state_once(server, world):
    sender = new_sender()
    with session_scope(world) as s:
        s.add(Conversation(id=sender, channel="web"))
    reply = call(server, "action_request_human", sender, user_role="werkgever", location="Gouda")
    assert "Anna Algemeen" in texts(reply) and describe(Settings().office_hours) in texts(reply)
    call(server, "action_request_human", sender, user_role="werkgever", location="Gouda")
    with session_scope(world) as s:
        assert s.get(Conversation, sender).handoff_state == "requested"
    assert count(world, Lead, Lead.sender_id == sender, Lead.kind == "handoff") == 1
    alone = call(server, "action_request_human", new_sender(), user_role="werkzoekende", location="Gouda")
    assert "Carla Consulent" in texts(alone) and "/request_callback" in buttons(alone)


def test_delete_user_data(server, world):
    sender, other = new_sender(), new_sender()
    for who in (sender, other):
        call(server, "action_submit_registration", who, job_title="magazijnmedewerker", location="Gouda", hours="24",
             registration_consent=True)
        call(server, "action_apply_for_vacancy", who, vacancy_id="304")
    call(server, "action_submit_vacancy", sender, company_name="Wis Mij BV", job_title="kok", location="Gouda",
         hours="20", contact_name="Wim", phone="+31611112222", email="wim@example.org")
    reply = call(server, "action_delete_user_data", sender)
    assert {"werkpunt_event": "data_deleted"} in [r.get("custom") for r in reply["responses"]]
    assert "verwijderd" in texts(reply) and reply["events"][-1]["event"] == "reset_slots"
    assert count(world, Candidate, Candidate.channel_key == sender) == 0
    assert count(world, Lead, Lead.sender_id == sender) == 0
    assert count(world, Vacancy, Vacancy.title == "Kok", Vacancy.origin == "chat") == 0
    with session_scope(world) as s:
        assert s.scalar(select(Employer).where(Employer.name == "Wis Mij BV")).contact_phone is None
    assert count(world, Candidate, Candidate.channel_key == other) == 1  # other users keep their data
    assert count(world, Lead, Lead.sender_id == other) == 1


def raw_bytes(engine) -> bytes:
    """The SQLite database file and its WAL as bytes: what someone with the disk could read."""
    from pathlib import Path

    db = Path(engine.url.database)
    return b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())


def test_erased_contact_details_do_not_survive_in_sqlite_files(server, world):
    sender = new_sender()
    email, phone = f"uniek-{uuid.uuid4().hex[:10]}@example.org", "+31687650123"
    call(server, "action_submit_callback", sender, user_role="werkgever", contact_name="Wies Wisser", phone=phone,
         email=email, location="Gouda")
    assert count(world, Lead, Lead.contact_email == email) == 1
    sqlite = world.dialect.name == "sqlite"
    if sqlite:
        assert email.encode() in raw_bytes(world)  # the search below can find it
    call(server, "action_delete_user_data", sender)
    assert count(world, Lead, Lead.sender_id == sender) == 0
    if sqlite:  # secure_delete zeroed the freed space; the WAL was checkpointed and truncated
        assert email.encode() not in raw_bytes(world) and b"Wies Wisser" not in raw_bytes(world)


def test_metacharacters_are_harmless(server, world):
    sender = new_sender()
    reply = call(server, "action_search_jobs", sender, job_title="'; DROP TABLE vacancy; --",
                 location="<script>alert(1)</script>")
    assert "<" not in texts(reply)
    reply = call(server, "action_search_jobs", sender, job_title="x' OR '1'='1 <b>", location="Gouda")
    assert "<" not in texts(reply)
    with session_scope(world) as s:
        assert s.execute(text("SELECT COUNT(*) FROM vacancy")).scalar() >= 14


@pytest.fixture(scope="module")
def dead_server():
    proc, base = start_action_server(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing")
    yield base
    stop(proc)


@pytest.mark.parametrize("action,slots,expected", [
    ("action_search_jobs", dict(job_title="kok", location="Gouda"), "storing"),
    ("action_submit_vacancy", dict(company_name="X", job_title="kok", location="Gouda", hours="8"), "niet opslaan"),
    ("action_apply_for_vacancy", dict(vacancy_id="301"), "niet opslaan"),
    ("action_delete_user_data", {}, "storing"),
    ("action_request_human", {}, "storing"),
])
def test_database_down_gives_a_polite_answer(dead_server, action, slots, expected):
    reply = call(dead_server, action, new_sender(), **slots)
    assert expected in texts(reply)
    assert not any(r.get("custom") for r in reply["responses"])  # never "data_deleted" when nothing was deleted


def test_leads_per_conversation_per_hour_are_limited_politely(server, world):
    sender = new_sender()
    for n in range(Settings().leads_per_hour):  # the default limit (LEADS_PER_HOUR=3); a repeat updates its lead
        reply = call(server, "action_submit_callback", sender, user_role="werkgever", contact_name="Jan",
                     phone=f"+3161234000{n}", location="Gouda", callback_topic=f"Onderwerp {n}")
        assert "referentienummer" in texts(reply)
    over = call(server, "action_submit_callback", sender, user_role="werkgever", contact_name="Jan",
                phone="+31612349999", location="Gouda", callback_topic="Nog een onderwerp")
    human = call(server, "action_request_human", sender, user_role="werkgever", location="Gouda")
    for reply in (over, human):
        assert "U hoeft het niet opnieuw te vragen" in texts(reply) and "referentienummer" not in texts(reply)
    assert count(world, Lead, Lead.sender_id == sender) == Settings().leads_per_hour


@pytest.mark.parametrize("value", [1e308, "Infinity", "1e308", -1, "9" * 500, {"x": 1}])
def test_poisoned_slot_values_never_crash_an_action(server, world, value):
    sender = new_sender()
    for action, slots in (("action_apply_for_vacancy", {"vacancy_id": value}),
                          ("action_search_jobs", {"job_title": "magazijnmedewerker", "location": "Gouda",
                                                  "hours": value, "search_page": value}),
                          ("action_show_more", {"job_title": "magazijnmedewerker", "location": "Gouda",
                                                "search_page": value}),
                          ("action_check_application_status", {"vacancy_id": value})):
        reply = call(server, action, sender, **slots)  # call() asserts the 200
        assert reply["responses"], action
    after = call(server, "action_search_jobs", sender, job_title="magazijnmedewerker", location="Gouda")
    assert "Magazijnmedewerker" in texts(after)  # the session goes on normally
