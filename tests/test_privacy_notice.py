"""The privacy notice (AVG art. 13): built from the settings, the same in the chat and on the web page.

- the short notice at first contact and the full notice name the settings' organisation, contact, web
  address and retention periods; the texts hold no number of their own;
- the full notice states purposes, legal basis, retention per kind, rights and the complaint route;
- the registration consent names the anonymous profile employers may see;
- the real action server sets the notice's slots at session start, the gateway serves /privacy and
  its footer from the same settings, and the real Rasa fills the texts (stack test).
"""

from __future__ import annotations

import re

import httpx
import pytest
import yaml

from actions.employer import profile_text
from actions.privacy import NOTICE_SLOTS
from placement.matching.scoring import CandidateProfile
from placement.privacy_notice import DEMO, NEUTRAL, fill, is_embedded_sqlite, load_response, notice_values
from settings import ROOT, VAR, Settings
from tests import action_server
from tests.fake_rasa import FakeRasa, gateway_settings, running_gateway, serve

DOMAIN = ROOT / "domain"
PRIVACY = DOMAIN / "privacy.yml"
CONFIGURED = dict(organisation_name="Werkbedrijf Rivierenland", privacy_contact="privacy@rivierenland.example",
                  privacy_url="https://rivierenland.example/privacy", retention_days=45, retention_lead_days=120,
                  retention_unregistered_days=14, retention_concept_contact_days=75, retention_audit_ip_days=30)
EXPECTED = {"privacy_organisation": "Werkbedrijf Rivierenland", "privacy_contact": "privacy@rivierenland.example",
            "privacy_url": "https://rivierenland.example/privacy", "retention_days": "45",
            "retention_lead_days": "120", "retention_unregistered_days": "14", "retention_contact_days": "75"}


def responses() -> dict:
    return yaml.safe_load(PRIVACY.read_text(encoding="utf-8"))["responses"]


def test_the_values_come_from_the_settings():
    assert notice_values(Settings(**CONFIGURED), embedded=False) == EXPECTED
    assert notice_values(Settings(**CONFIGURED), embedded=True) == EXPECTED  # configured beats demo


def test_the_embedded_default_gets_demo_values_and_other_databases_a_neutral_wording():
    empty = Settings(organisation_name="", privacy_contact="", privacy_url="", port=8123, host="0.0.0.0")
    demo, other = notice_values(empty, embedded=True), notice_values(empty, embedded=False)
    assert demo["privacy_organisation"] == DEMO["privacy_organisation"] and "demo" in demo["privacy_contact"]
    assert other["privacy_organisation"] == NEUTRAL["privacy_organisation"]
    assert demo["privacy_url"] == other["privacy_url"] == "http://127.0.0.1:8123/privacy"  # the gateway's page
    assert is_embedded_sqlite(f"sqlite:///{VAR / 'werkpunt.db'}", VAR / "werkpunt.db")
    assert not is_embedded_sqlite("sqlite:///elders.db", VAR / "werkpunt.db")
    assert not is_embedded_sqlite("postgresql+psycopg://x@127.0.0.1/werkpunt", VAR / "werkpunt.db")


def test_the_privacy_texts_hold_no_number_of_their_own_and_name_only_declared_slots():
    domain = yaml.safe_load(PRIVACY.read_text(encoding="utf-8"))
    declared = set(domain["slots"]) | {"retention_days"}  # retention_days: domain/dialogue.yml
    for name in ("utter_privacy_notice", "utter_privacy"):
        text = domain["responses"][name][0]["text"]
        placeholders = set(re.findall(r"\{([a-z_]+)\}", text))
        assert placeholders <= set(NOTICE_SLOTS) <= declared, name
        assert not re.search(r"\d", re.sub(r"\{[a-z_]+\}", "", text)), f"{name} states a number itself"
    footer = (ROOT / "bot" / "templates" / "chat.html").read_text(encoding="utf-8").split("<footer", 1)[1]
    assert not re.search(r"\d", re.sub(r"\{\{[^}]+\}\}", "", footer))


def test_the_full_notice_states_what_article_13_requires():
    text = fill(responses()["utter_privacy"][0]["text"], EXPECTED)
    for value in EXPECTED.values():  # who, where to ask, where to read, and every period
        assert value in text
    for phrase in ("verantwoordelijk voor uw gegevens",                       # the controller
                   "Daarmee helpen wij u verder",                             # purpose: the chat service
                   "kunnen het gesprek lezen",                                # purpose: staff review
                   "om de assistent beter te maken",                          # purpose: corrections as training data
                   "anoniem profiel",                                         # purpose: profiles for employers
                   "publieke taak", "toestemming",                            # legal basis
                   "inzien", "verbeteren", "wissen", "bezwaar",               # rights
                   "typ 'verwijder mijn gegevens'",                           # how to use them
                   "Autoriteit Persoonsgegevens"):                            # complaint
        assert phrase in text, phrase
    short = fill(responses()["utter_privacy_notice"][0]["text"], EXPECTED)
    assert "Typ 'privacy'" in short and EXPECTED["privacy_url"] in short and "45 dagen" in short
    assert "Werkbedrijf Rivierenland" in short and len(short) < 450  # short: the details are one step away


def test_the_registration_consent_names_the_anonymous_profile_employers_see():
    forms = yaml.safe_load((DOMAIN / "forms.yml").read_text(encoding="utf-8"))
    consent = forms["responses"]["utter_ask_registration_consent"][0]["text"]
    assert "Werkgevers zien dan ook een anoniem profiel" in consent
    assert all(word in consent for word in ("beroep", "regio", "uren", "beginnen", "Zonder uw naam"))
    # ... and that is what an employer's search shows (actions/employer.py): no name, no contact details.
    shown = profile_text(1, CandidateProfile(candidate_id=7, occupation="Magazijnmedewerker", interests=(),
                                             skills=(), region="AM20", hours=24, availability="direct beschikbaar",
                                             score=80, reason="zelfde beroep"))
    assert "Magazijnmedewerker" in shown and "24 uur" in shown and "direct beschikbaar" in shown
    assert "7" not in shown.replace("Kandidaat 1", "")


@pytest.fixture(scope="module")
def configured_action_server(engine, db_url, tmp_path_factory):
    env = {key.upper(): str(value) for key, value in CONFIGURED.items()}
    proc, base = action_server.start(db_url, tmp_path_factory.mktemp("actions") / "actions.log", **env)
    yield f"{base}/webhook"
    action_server.stop(proc)


def test_session_start_fills_the_notice_slots_from_the_settings(configured_action_server):
    call = {"next_action": "action_session_start", "sender_id": "web-privacy-test", "version": "3.6.21",
            "domain": {}, "tracker": {"sender_id": "web-privacy-test", "slots": {"user_role": "werkgever"},
                                      "latest_message": {"text": "hallo", "intent": {"name": "greet"}},
                                      "events": [], "paused": False, "followup_action": None,
                                      "active_loop": {}, "latest_action_name": "action_listen"}}
    result = httpx.post(configured_action_server, json=call, headers=action_server.HEADERS, timeout=30).json()
    sets = {e["name"]: e["value"] for e in result["events"] if e["event"] == "slot"}
    assert {name: sets[name] for name in NOTICE_SLOTS} == EXPECTED and sets["user_role"] == "werkgever"
    notice = result["responses"][0]
    assert notice["response"] == "utter_privacy_notice"
    assert {name: notice[name] for name in NOTICE_SLOTS} == EXPECTED  # Rasa fills the template with these


async def test_the_gateway_serves_the_full_notice_and_a_footer_from_the_settings(engine):
    async with serve(FakeRasa().app) as fake_url:
        settings = gateway_settings(fake_url, **CONFIGURED)
        async with running_gateway(settings, engine) as gw, httpx.AsyncClient(base_url=gw.url) as client:
            page = await client.get("/privacy")
            chat = await client.get("/")
    assert page.status_code == 200 and page.headers["content-security-policy"]
    html = page.text
    for value in EXPECTED.values():
        assert value in html
    assert "Autoriteit Persoonsgegevens" in html and "<li>" in html and "{" not in html
    template = load_response(PRIVACY, "utter_privacy")
    assert fill(template, EXPECTED).split("\n")[0] in html  # the same text as the bot's
    footer = chat.text.split("<footer", 1)[1]
    assert "tot 45 dagen na uw laatste bericht" in footer and 'href="https://rivierenland.example/privacy"' in footer


@pytest.mark.rasa
def test_the_real_bot_names_the_settings_at_first_contact_and_on_privacy(stack):
    settings = stack.settings
    with httpx.Client(base_url=stack.gateway, timeout=60) as browser:
        browser.get("/")
        first = browser.post("/api/message", json={"text": "hallo"}).json()
        notice = " ".join(m["text"] for m in first["messages"] if m["author"] == "bot")
        full = browser.post("/api/message", json={"text": "privacy"}).json()  # what the notice says to type
    assert f"tot {settings.retention_days} dagen na uw laatste bericht" in notice
    assert "Typ 'privacy'" in notice and "None" not in notice and "{" not in notice
    text = " ".join(m["text"] for m in full["messages"] if m["author"] == "bot")
    assert "Autoriteit Persoonsgegevens" in text, text
    assert f"{settings.retention_lead_days} dagen" in text and "{" not in text and "None" not in text
